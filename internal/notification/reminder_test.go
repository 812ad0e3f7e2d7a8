package notification

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/calendar"
	"buzon/internal/outbox"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// Reminders fire on the right business days, once, and never after the
// deadline, walking a controlled clock through December 2026.
func TestRemindersOnBusinessDays(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana, luis, eva := f.citizen(), f.citizen(), f.citizen()
		if err := f.svc.SetReminderDays(f.ctx, luis, []int{5}); err != nil {
			t.Fatal(err)
		}
		in := f.submission(ana, luis)
		in.Deadline = calendar.BusinessDays(10) // from Tuesday 1 December: due Tuesday 15 December
		res := f.send(in)
		noDeadline := f.send(f.submission(eva)).Deposited[0].NotificationID

		sent := map[string][]string{} // recipient → days a reminder was queued
		reached := map[string]string{}
		for day := calendar.NewDate(2026, time.December, 1); !day.After(calendar.NewDate(2026, time.December, 22)); day = day.AddDays(1) {
			f.clock.Set(time.Date(day.Year(), day.Month(), day.Day(), 6, 0, 0, 0, calendar.Zone))
			before := len(f.jobs(outbox.Kind))
			for range 2 { // a sweep run twice (two processes, a retry) changes nothing
				if _, err := f.svc.Sweep(f.ctx, f.clock.Now()); err != nil {
					t.Fatal(err)
				}
			}
			for _, j := range f.jobs(outbox.Kind)[:len(f.jobs(outbox.Kind))-before] {
				for _, p := range []struct {
					name string
					id   string
				}{{"ana", res.Deposited[0].NotificationID}, {"luis", res.Deposited[1].NotificationID}} {
					if strings.Contains(j.UniqueKey, p.id) {
						sent[p.name] = append(sent[p.name], day.String())
					}
				}
			}
			for _, d := range res.Deposited {
				n, _ := db.Reader().Notification(f.ctx, d.NotificationID)
				if !n.DeadlineReachedAt.IsZero() && reached[d.NUI.String()] == "" {
					reached[d.NUI.String()] = day.String()
				}
			}
		}
		want := map[string][]string{
			"ana":  {"2026-12-10", "2026-12-14"}, // 3 and 1 business days before
			"luis": {"2026-12-08"},               // his choice: 5 business days before
		}
		if diff := cmp.Diff(want, sent); diff != "" {
			t.Errorf("reminder days (-want +got):\n%s", diff)
		}
		for nui, day := range reached {
			if day != "2026-12-16" {
				t.Errorf("deadline of %s reached on %s, want 2026-12-16", nui, day)
			}
		}
		if len(reached) != 2 {
			t.Errorf("deadline reached for %d recipients, want 2", len(reached))
		}
		if diff := cmp.Diff([]string{"submitted", "deposited", "reminder_sent", "reminder_sent", "deadline_reached"},
			f.events(res.Deposited[0].NotificationID)); diff != "" {
			t.Errorf("Ana's events (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"submitted", "deposited"}, f.events(noDeadline)); diff != "" {
			t.Errorf("events without a deadline (-want +got):\n%s", diff)
		}
		var reminder store.Job
		for _, j := range f.jobs(outbox.Kind) {
			if strings.HasPrefix(j.UniqueKey, "reminder:"+res.Deposited[0].NotificationID+":2026-12-14") {
				reminder = j
			}
		}
		if !strings.Contains(string(reminder.Payload), "Le queda 1 día hábil") || !strings.Contains(string(reminder.Payload), res.Deposited[0].VerificationCode) {
			t.Errorf("the last reminder does not say one business day is left, with the code:\n%s", reminder.Payload)
		}
	})
}

func TestReminderDaysParse(t *testing.T) {
	tests := []struct {
		in   string
		want []int
		err  error
	}{
		{"3,1", []int{3, 1}, nil},
		{"1 5 ; 2", []int{5, 2, 1}, nil},
		{"2,2", []int{2}, nil},
		{"", nil, ErrReminderDays},
		{"0", nil, ErrReminderDays},
		{"16", nil, ErrReminderDays},
		{"1,2,3,4", nil, ErrReminderDays},
		{"tres", nil, ErrReminderDays},
	}
	for _, tt := range tests {
		got, err := ParseReminderDays(tt.in)
		if !errors.Is(err, tt.err) || !cmp.Equal(got, tt.want) {
			t.Errorf("ParseReminderDays(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func FuzzParseReminderDays(f *testing.F) {
	for _, s := range []string{"3,1", "1 5;2", "", "99", "-1", "1,,2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		days, err := ParseReminderDays(s)
		if err != nil {
			return
		}
		if len(days) == 0 || len(days) > MaxReminders {
			t.Fatalf("%q gave %v", s, days)
		}
		for i, d := range days {
			if d < 1 || d > MaxReminderDaysBack || (i > 0 && d >= days[i-1]) {
				t.Fatalf("%q gave %v", s, days)
			}
		}
	})
}

// A decree entered by the platform administrator moves due dates.
func TestDecreeMovesDueDates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana := f.citizen()
		in := f.submission(ana)
		in.Deadline = calendar.BusinessDays(10)
		if due := f.send(in).Due; due != calendar.NewDate(2026, time.December, 15) {
			t.Fatalf("due before the decree = %s", due)
		}
		if err := f.svc.AddDecrees(f.ctx, f.notifier, nil); !errors.Is(err, ErrForbidden) {
			t.Errorf("a notifier adds decrees: %v", err)
		}
		n, err := f.svc.ImportDecrees(f.ctx, f.admin, strings.NewReader("fecha,tipo,nombre\n2026-12-11,feriado,Decreto Ejecutivo 123\n"))
		if err != nil || n != 1 {
			t.Fatalf("import: %d, %v", n, err)
		}
		if due := f.send(in).Due; due != calendar.NewDate(2026, time.December, 16) {
			t.Errorf("due after the decree = %s, want 2026-12-16", due)
		}
		list, err := f.svc.Decrees(f.ctx, f.admin)
		if err != nil || len(list) != 1 || list[0].Name != "Decreto Ejecutivo 123" || list[0].CreatedBy != f.admin.ID {
			t.Errorf("decrees = %+v, %v", list, err)
		}
		if err := f.svc.AddDecrees(f.ctx, f.admin, []calendar.Override{{Date: calendar.NewDate(2026, 12, 12), Kind: calendar.Laborable}}); err == nil {
			t.Error("a Saturday was declared a working day")
		}
		if err := f.svc.RemoveDecree(f.ctx, f.admin, calendar.NewDate(2026, 12, 11)); err != nil {
			t.Fatal(err)
		}
		if due := f.send(in).Due; due != calendar.NewDate(2026, time.December, 15) {
			t.Errorf("due after removing the decree = %s", due)
		}
	})
}
