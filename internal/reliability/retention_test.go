package reliability_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/privacy"
	"buzon/internal/store"
)

// TestRetentionNeverTouchesNotificationsInsideTheirLegalPeriod applies the
// retention to a populated platform as if years had passed: sign-in
// history, abandoned registration applications, development mail and
// finished jobs go when their period is over, while notifications, their
// attachments and their evidence stay untouched — also past the legal
// period, when the job only counts them.
func TestRetentionNeverTouchesNotificationsInsideTheirLegalPeriod(t *testing.T) {
	engines(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		dbURL := databaseURL(t, e)
		data := t.TempDir()
		seed(t, data, dbURL)
		u := dbURL
		if u == "" {
			u = data + "/buzon.db"
		}
		db, err := store.Open(ctx, u, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		raw := rawDB(t, data, dbURL)
		now := time.Now()
		var someone string
		if err := raw.QueryRow(`SELECT id FROM identities ORDER BY id LIMIT 1`).Scan(&someone); err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			for _, age := range []time.Duration{400 * privacy.Day, 10 * privacy.Day} {
				if err := tx.RecordSignIn(ctx, &store.SignIn{ID: store.NewID(), IdentityID: someone, At: now.Add(-age),
					Method: "password", Outcome: "ok", Address: "192.0.2.1", UserAgent: "test"}); err != nil {
					return err
				}
			}
			for _, age := range []time.Duration{100 * privacy.Day, 10 * privacy.Day} {
				if err := tx.CreateRegistrationApplication(ctx, &store.RegistrationApplication{ID: store.NewID(), SecretHash: []byte(store.NewID()),
					NUI: "1714307103", GivenNames: "Ana", Surnames: "Pérez", Email: "ana@example.test", Lang: "es", State: "correo_pendiente",
					CreatedAt: now.Add(-age), ExpiresAt: now.Add(-age + privacy.Day), UpdatedAt: now.Add(-age)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		protected := func() map[string]int {
			return map[string]int{
				"notifications":            count(t, raw, `SELECT COUNT(*) FROM notifications`),
				"notification_attachments": count(t, raw, `SELECT COUNT(*) FROM notification_attachments`),
				"evidence_events":          count(t, raw, `SELECT COUNT(*) FROM evidence_events`),
				"identities":               count(t, raw, `SELECT COUNT(*) FROM identities`),
			}
		}
		before := protected()
		if before["notifications"] == 0 {
			t.Fatal("the demo has no notification")
		}
		signIns := count(t, raw, `SELECT COUNT(*) FROM sign_ins`)

		tests := []struct {
			name  string
			after time.Duration
			want  privacy.Report
		}{
			{"today: only what is already past its period", 0, privacy.Report{SignIns: 1, Registrations: 1}},
			{"nine years later: the notifications are inside their period", 9 * 365 * privacy.Day, privacy.Report{SignIns: int64(signIns - 1), Registrations: 1}},
			{"eleven years later: past their period, counted and kept", 11 * 365 * privacy.Day,
				privacy.Report{NotificationsPastRetention: before["notifications"]}},
		}
		svc := &privacy.Service{DB: db, Retention: privacy.DefaultRetention}
		for _, tt := range tests {
			svc.Now = func() time.Time { return now.Add(tt.after) }
			rep, err := svc.Apply(ctx)
			if err != nil {
				t.Fatal(err)
			}
			rep.Jobs, rep.DevMail = 0, 0 // the demo's own, not the point here
			if diff := cmp.Diff(tt.want, rep); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.name, diff)
			}
			if diff := cmp.Diff(before, protected()); diff != "" {
				t.Errorf("%s: notifications or their evidence changed (-before +after):\n%s", tt.name, diff)
			}
		}
		t.Logf("FIGURE retention (%s): %d notifications, %d attachments, %d evidence events before; the same after runs at +0, +9 and +11 years",
			e, before["notifications"], before["notification_attachments"], before["evidence_events"])
	})
}
