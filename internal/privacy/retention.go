// Package privacy holds what the Ley Orgánica de Protección de Datos
// Personales (LOPDP, 2021) asks of the platform beyond security: retention
// periods applied by a daily job, and the export of everything the platform
// holds about a citizen (access and portability).
package privacy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"buzon/internal/jobs"
	"buzon/internal/store"
)

// Day is the unit of retention periods.
const Day = 24 * time.Hour

// Retention says how long each kind of personal data is kept. A zero period
// keeps that kind for ever.
type Retention struct {
	// Notifications is the legal retention of notifications, their
	// attachments and evidence. The job never deletes them, whatever the
	// setting: it counts those past it, so an operator can act under a
	// documented decision. Default 10 years.
	Notifications time.Duration
	SignIns       time.Duration // sign-in history; default 1 year
	Registrations time.Duration // abandoned online registration applications; default 90 days
	DevMail       time.Duration // development mailbox; default 30 days
	Jobs          time.Duration // finished jobs (payloads hold sent emails); default 30 days
}

// DefaultRetention is the retention of a platform with no settings.
var DefaultRetention = Retention{
	Notifications: 3650 * Day,
	SignIns:       365 * Day,
	Registrations: 90 * Day,
	DevMail:       30 * Day,
	Jobs:          30 * Day,
}

// MinNotificationRetention is the shortest notification retention the
// platform accepts: a misconfiguration must not look like a decision.
const MinNotificationRetention = 5 * 365 * Day

// ErrRetentionTooShort refuses a notification retention under the minimum.
var ErrRetentionTooShort = errors.New("privacy: the notification retention must be at least 5 years")

// Check validates a retention configuration.
func (r Retention) Check() error {
	if r.Notifications != 0 && r.Notifications < MinNotificationRetention {
		return ErrRetentionTooShort
	}
	for _, d := range []time.Duration{r.Notifications, r.SignIns, r.Registrations, r.DevMail, r.Jobs} {
		if d < 0 {
			return errors.New("privacy: a retention period cannot be negative")
		}
	}
	return nil
}

// Deleter removes a blob by key (the registration documents' store).
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Service applies the retention.
type Service struct {
	DB        *store.DB
	Retention Retention
	// Documents holds the registration documents; nil leaves them (their
	// rows still go).
	Documents Deleter
	Now       func() time.Time
	Logger    *slog.Logger
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Report is what one application of the retention did.
type Report struct {
	SignIns, Registrations, DevMail, Jobs int64
	// NotificationsPastRetention counts notifications older than their
	// legal retention; they were kept.
	NotificationsPastRetention int
}

// Apply deletes what is past its retention, in one transaction, then the
// documents of the deleted registration applications.
func (s *Service) Apply(ctx context.Context) (Report, error) {
	var rep Report
	var keys []string
	now := s.now()
	r := s.Retention
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		rep = Report{}
		var err error
		if r.SignIns > 0 {
			if rep.SignIns, err = tx.DeleteSignInsBefore(ctx, now.Add(-r.SignIns)); err != nil {
				return err
			}
		}
		if r.Registrations > 0 {
			if rep.Registrations, keys, err = tx.DeleteAbandonedRegistrationsBefore(ctx, now.Add(-r.Registrations)); err != nil {
				return err
			}
		}
		if r.DevMail > 0 {
			if rep.DevMail, err = tx.DeleteDevMailBefore(ctx, now.Add(-r.DevMail)); err != nil {
				return err
			}
		}
		if r.Jobs > 0 {
			if rep.Jobs, err = tx.DeleteDoneJobsBefore(ctx, now.Add(-r.Jobs)); err != nil {
				return err
			}
		}
		if r.Notifications > 0 {
			if rep.NotificationsPastRetention, err = tx.CountNotificationsDepositedBefore(ctx, now.Add(-r.Notifications)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Report{}, fmt.Errorf("apply retention: %w", err)
	}
	if s.Documents != nil {
		for _, k := range keys {
			// A document left behind by a crash here is sealed and named by
			// no row; the next run does not see it, but it holds nothing readable
			// without the application's context.
			if err := s.Documents.Delete(ctx, k); err != nil {
				s.logger().Warn("retention: registration document not deleted", "key", k, "err", err)
			}
		}
	}
	log := s.logger().With("sign_ins", rep.SignIns, "registrations", rep.Registrations, "dev_mail", rep.DevMail, "jobs", rep.Jobs)
	if rep.NotificationsPastRetention > 0 {
		log.Warn("retention applied; notifications past their legal retention are kept until a documented decision archives them",
			"notifications_past_retention", rep.NotificationsPastRetention)
	} else {
		log.Info("retention applied")
	}
	return rep, nil
}

// RetentionKind is the job kind of the daily retention run.
const RetentionKind = "privacy.retention"

// Job is the daily retention run: it applies the retention and queues the
// next run for the same hour tomorrow (one per platform, whatever the
// number of nodes, through the job's unique key).
func (s *Service) Job() jobs.Kind {
	return jobs.Kind{Name: RetentionKind, MaxAttempts: 5, Timeout: 10 * time.Minute,
		Handler: func(ctx context.Context, j *store.Job) error {
			if _, err := s.Apply(ctx); err != nil {
				return err
			}
			return s.Schedule(ctx, s.now().Add(Day))
		}}
}

// Schedule queues the retention run for the day of at (03:00 UTC), unless
// one is already queued for that day.
func (s *Service) Schedule(ctx context.Context, at time.Time) error {
	at = at.UTC()
	run := time.Date(at.Year(), at.Month(), at.Day(), 3, 0, 0, 0, time.UTC)
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := jobs.Enqueue(ctx, tx, RetentionKind, struct{}{}, s.now(),
			jobs.Options{RunAt: run, UniqueKey: RetentionKind + ":" + run.Format("2006-01-02")})
		return err
	})
}
