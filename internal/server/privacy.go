package server

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"buzon/internal/blob"
	"buzon/internal/config"
	"buzon/internal/jobs"
	"buzon/internal/privacy"
	"buzon/internal/store"
)

// Retention turns the --retention-… settings (days) into a privacy.Retention.
func Retention(cfg *config.Config) privacy.Retention {
	d := func(n int) time.Duration { return time.Duration(n) * privacy.Day }
	return privacy.Retention{
		Notifications: d(cfg.RetentionNotificationDays),
		SignIns:       d(cfg.RetentionSignInDays),
		Registrations: d(cfg.RetentionRegistrationDays),
		DevMail:       d(cfg.RetentionDevMailDays),
		Jobs:          d(cfg.RetentionJobDays),
	}
}

// registerPrivacyJobs adds the daily retention job (LOPDP) and queues its
// next run; like the other daily jobs, a database with pending migrations
// gets it at the next start.
func registerPrivacyJobs(ctx context.Context, cfg *config.Config, db *store.DB, r *jobs.Runner, logger *slog.Logger) {
	svc := &privacy.Service{DB: db, Retention: Retention(cfg), Logger: logger.With("component", "privacy")}
	if fs, err := blob.NewFS(filepath.Join(cfg.Data, RegistrationDocumentsDir)); err == nil {
		svc.Documents = fs
	}
	r.Register(svc.Job())
	if err := svc.Schedule(ctx, time.Now()); err != nil {
		svc.Logger.Warn("the daily retention job is not scheduled yet (are migrations pending?); it will be at the next start", "err", err)
	}
}
