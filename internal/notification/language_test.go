package notification

import (
	"strings"
	"testing"
	"time"

	"buzon/internal/calendar"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/outbox"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestReminderInTheCitizensLanguage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana, luis := f.citizen(), f.citizen()
		f.write(func(tx *store.Tx) error { return tx.SetIdentityLanguage(f.ctx, luis.ID, "en", f.clock.Now()) })
		in := f.submission(ana, luis)
		in.Deadline = calendar.BusinessDays(10) // due Tuesday 15 December; reminded on the 10th
		f.send(in)
		f.clock.Set(time.Date(2026, time.December, 10, 6, 0, 0, 0, calendar.Zone))
		if _, err := f.svc.Sweep(f.ctx, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		subjects := map[string]string{}
		for _, j := range f.jobs(outbox.Kind) {
			var m mail.Message
			if err := jobs.Decode(&j, &m); err != nil {
				t.Fatal(err)
			}
			subjects[m.To] = m.Subject
		}
		if len(subjects) != 2 {
			t.Fatalf("reminders: %v", subjects)
		}
		for to, s := range subjects {
			want := "Recordatorio:"
			if strings.Contains(to, luis.Email) {
				want = "Reminder:"
			}
			if !strings.HasPrefix(s, want) {
				t.Errorf("reminder to %s: %q, want it to start %q", to, s, want)
			}
		}
	})
}
