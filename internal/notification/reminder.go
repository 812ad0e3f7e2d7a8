package notification

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"buzon/internal/calendar"
	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/nui"
	"buzon/internal/outbox"
	"buzon/internal/store"
)

// DefaultReminderDays are the business days before a due date on which a
// citizen is reminded, unless he chose others.
var DefaultReminderDays = []int{3, 1}

// Bounds of a citizen's reminder choice.
const (
	MaxReminders        = 3
	MaxReminderDaysBack = 15
)

// ParseReminderDays reads a choice such as "5, 2" (business days before the
// due date), in descending order without repeats.
func ParseReminderDays(s string) ([]int, error) {
	var days []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > MaxReminderDaysBack {
			return nil, ErrReminderDays
		}
		if !slices.Contains(days, n) {
			days = append(days, n)
		}
	}
	if len(days) == 0 || len(days) > MaxReminders {
		return nil, ErrReminderDays
	}
	slices.Sort(days)
	slices.Reverse(days)
	return days, nil
}

func formatDays(days []int) string {
	parts := make([]string, len(days))
	for i, d := range days {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, ",")
}

// ReminderDays returns the signed-in citizen's reminder days.
func (s *Service) ReminderDays(ctx context.Context, p *identity.Principal) ([]int, error) {
	rid, err := citizen(p)
	if err != nil {
		return nil, ErrForbidden
	}
	v, err := s.DB.Reader().ReminderPreference(ctx, rid)
	if err != nil {
		return nil, err
	}
	return daysOrDefault(v), nil
}

func daysOrDefault(v string) []int {
	if v == "" {
		return slices.Clone(DefaultReminderDays)
	}
	days, err := ParseReminderDays(v)
	if err != nil {
		return slices.Clone(DefaultReminderDays)
	}
	return days
}

// SetReminderDays stores the signed-in citizen's choice; nil restores the defaults.
func (s *Service) SetReminderDays(ctx context.Context, p *identity.Principal, days []int) error {
	rid, err := citizen(p)
	if err != nil {
		return ErrForbidden
	}
	v := ""
	if days != nil {
		if _, err := ParseReminderDays(formatDays(days)); err != nil {
			return err
		}
		v = formatDays(days)
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error { return tx.SetReminderPreference(ctx, rid, v, s.now()) })
}

// SweepReport says what one daily sweep did.
type SweepReport struct {
	DeadlinesReached int
	RemindersQueued  int
}

// reminderWindow bounds how far ahead the sweep looks for due dates: beyond
// the furthest reminder a citizen can choose, holidays included.
const reminderWindow = 3 * MaxReminderDaysBack

// Sweep is the daily work on deadlines, for the day of now: it records a
// deadline_reached event for every notification whose due date has passed,
// and queues the reminders due today. A reminder is sent on a reminder day
// (n business days before the due date, n from the citizen's choice) that
// is after the deposit day and not after today; when a sweep was missed, only
// the latest such day is reminded. Each reminder's job has a unique key per
// notification and day, so running the sweep twice sends nothing twice, and
// none is sent once the due date is reached.
func (s *Service) Sweep(ctx context.Context, now time.Time) (SweepReport, error) {
	var rep SweepReport
	today := calendar.DateOf(now)
	for {
		var n int
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			past, err := tx.NotificationsPastDue(ctx, today.String(), 200)
			if err != nil {
				return err
			}
			n = len(past)
			for i := range past {
				p := &past[i]
				changed, err := tx.MarkDeadlineReached(ctx, p.ID, now)
				if err != nil || !changed {
					return err
				}
				if _, err := evidence.Record(ctx, tx, evidence.Event{Type: evidence.DeadlineReached, Time: now,
					Actor: evidence.System, NotificationID: p.ID, InstitutionID: p.InstitutionID,
					RecipientNUI: nui.NUI(p.RecipientNUI), Details: map[string]string{"due_date": p.DueDate}}); err != nil {
					return err
				}
				rep.DeadlinesReached++
			}
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("sweep deadlines: %w", err)
		}
		if n < 200 {
			break
		}
	}

	cal, err := s.calendar(ctx)
	if err != nil {
		return rep, err
	}
	cursorDue, cursorID := "", ""
	until := today.AddDays(reminderWindow).String()
	for {
		cands, err := s.DB.Reader().NotificationsDueBetween(ctx, today.String(), until, cursorDue, cursorID, 500)
		if err != nil {
			return rep, fmt.Errorf("sweep reminders: %w", err)
		}
		if len(cands) == 0 {
			break
		}
		last := cands[len(cands)-1]
		cursorDue, cursorID = last.DueDate, last.ID
		ids := make([]string, len(cands))
		for i, c := range cands {
			ids[i] = c.RecipientID
		}
		prefs, err := s.DB.Reader().ReminderPreferences(ctx, ids)
		if err != nil {
			return rep, fmt.Errorf("sweep reminders: %w", err)
		}
		err = s.DB.Write(ctx, func(tx *store.Tx) error {
			for i := range cands {
				queued, err := s.remind(ctx, tx, cal, &cands[i], daysOrDefault(prefs[cands[i].RecipientID]), today, now)
				if err != nil {
					return err
				}
				if queued {
					rep.RemindersQueued++
				}
			}
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("sweep reminders: %w", err)
		}
		if len(cands) < 500 {
			break
		}
	}
	return rep, nil
}

// remind queues c's reminder for today, if today (or a missed day since the
// last sweep) is one of its reminder days.
func (s *Service) remind(ctx context.Context, tx *store.Tx, cal *calendar.Calendar, c *store.DueCandidate, days []int, today calendar.Date, now time.Time) (bool, error) {
	due, err := calendar.ParseDate(c.DueDate)
	if err != nil || !today.Before(due) {
		return false, nil
	}
	deposited := calendar.DateOf(c.DepositedAt)
	var day calendar.Date
	for _, d := range cal.ReminderDates(due, days) {
		if d.After(deposited) && !d.After(today) && d.Before(due) {
			day = d
		}
	}
	if day.IsZero() {
		return false, nil
	}
	left := cal.BusinessDaysBetween(today, due)
	name := strings.TrimSpace(c.GivenNames + " " + c.Surnames)
	subject, text, html, err := s.Mail.Render("deadline_reminder", emailLanguage(c.Language), mail.ReminderData{
		Name: name, Institution: c.InstitutionName, Reference: c.Reference, DueDate: due.Time(),
		BusinessDaysLeft: left, VerificationCode: c.VerificationCode, SiteURL: s.SiteURL,
	})
	if err != nil {
		return false, fmt.Errorf("render reminder: %w", err)
	}
	msg := &mail.Message{From: s.MailFrom, To: mailbox(name, c.Email), Subject: subject, Text: text, HTML: html,
		MessageID: "<reminder-" + day.String() + "-" + c.ID + "@" + s.mailDomain() + ">", Date: now,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}}
	if err := msg.Validate(); err != nil {
		s.logger().Warn("reminder not sent: bad address", "notification", c.ID, "err", err)
		return false, nil
	}
	queued, err := jobs.Enqueue(ctx, tx, outbox.Kind, msg, now, jobs.Options{UniqueKey: "reminder:" + c.ID + ":" + day.String(), MaxAttempts: 12})
	if err != nil || !queued {
		return false, err
	}
	_, err = evidence.Record(ctx, tx, evidence.Event{Type: evidence.ReminderSent, Time: now, Actor: evidence.System,
		NotificationID: c.ID, InstitutionID: c.InstitutionID, RecipientNUI: nui.NUI(c.RecipientNUI),
		Details: map[string]string{"due_date": c.DueDate, "reminder_day": day.String(),
			"business_days_left": strconv.Itoa(left), "message_id": msg.MessageID}})
	return err == nil, err
}

// DailyKind is the job kind of the daily sweep.
const DailyKind = "notification.daily"

// dailyHour is when the sweep runs, in Ecuador: early, so reminders arrive
// at the start of the working day.
const dailyHour = 6

// DailyJob returns the job kind that runs Sweep and schedules the next day's.
func (s *Service) DailyJob() jobs.Kind {
	return jobs.Kind{
		Name:        DailyKind,
		MaxAttempts: 20,
		Timeout:     30 * time.Minute,
		Handler: func(ctx context.Context, j *store.Job) error {
			now := s.now()
			rep, err := s.Sweep(ctx, now)
			if err != nil {
				return err
			}
			s.logger().Info("daily deadline sweep", "deadlines_reached", rep.DeadlinesReached, "reminders", rep.RemindersQueued)
			return s.ScheduleDaily(ctx, now)
		},
	}
}

// ScheduleDaily queues the next sweep (at 06:00 in Ecuador), once per day
// whoever asks: call it at start-up; each sweep queues the following one.
func (s *Service) ScheduleDaily(ctx context.Context, now time.Time) error {
	next := time.Date(now.In(ecuador).Year(), now.In(ecuador).Month(), now.In(ecuador).Day(), dailyHour, 0, 0, 0, ecuador)
	if !next.After(now) {
		next = next.AddDate(0, 0, 1)
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := jobs.Enqueue(ctx, tx, DailyKind, struct{}{}, now, jobs.Options{RunAt: next, UniqueKey: "daily:" + calendar.DateOf(next).String()})
		return err
	})
}
