package identity_test

import (
	"testing"
	"time"

	"buzon/internal/identity"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestCleanupRemovesExpiredSessionsAndSchedulesOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.registerCitizen()
		p := e.signIn(adultNUI, goodPassword)
		e.clock.Advance(13 * time.Hour)
		if err := e.svc.Cleanup(e.ctx); err != nil {
			t.Fatal(err)
		}
		if list, _ := db.Reader().UserSessionsOf(e.ctx, p.ID, start); len(list) != 0 {
			t.Errorf("%d expired sessions left", len(list))
		}
		for range 3 {
			if err := e.svc.ScheduleCleanup(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
		jobs, err := db.Reader().JobsByKind(e.ctx, identity.CleanupKind, 10)
		if err != nil || len(jobs) != 1 {
			t.Errorf("cleanup jobs = %d, %v; want one", len(jobs), err)
		}
		if len(jobs) == 1 && !jobs[0].RunAt.After(e.clock.Now()) {
			t.Errorf("the cleanup runs at %v, before now", jobs[0].RunAt)
		}
	})
}
