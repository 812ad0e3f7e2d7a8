package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"

	"buzon/internal/blob"
	"buzon/internal/config"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/notification"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// BlobDir is where attachments are kept, sealed, under the data directory.
const BlobDir = "adjuntos"

// NewNotifications builds the notification service of a process:
// attachments sealed in a filesystem blob store under the data directory,
// bodies sealed with the master keyring, the business-day calendar read
// from the decrees in the database.
func NewNotifications(cfg *config.Config, db *store.DB, keys *seal.Keyring, logger *slog.Logger) (*notification.Service, error) {
	fs, err := blob.NewFS(filepath.Join(cfg.Data, BlobDir))
	if err != nil {
		return nil, fmt.Errorf("attachment store: %w", err)
	}
	tpl, err := mail.NewTemplates(nil)
	if err != nil {
		return nil, err
	}
	domain := "buzon.localhost"
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Hostname() != "" {
		domain = u.Hostname()
	}
	return &notification.Service{
		DB:         db,
		Keys:       keys,
		Blobs:      &blob.Sealed{Store: fs, Keyring: keys},
		Mail:       tpl,
		Calendars:  &notification.Calendars{DB: db},
		SiteURL:    cfg.BaseURL,
		MailDomain: domain,
		MailFrom:   cfg.MailFrom,
		Logger:     logger.With("component", "notification"),
	}, nil
}

// registerNotificationJobs adds the alert, daily-sweep and compose jobs
// (large recipients files, cleanup of unsent files) to the runner and makes
// sure the next sweep and cleanup are queued. A database whose
// migrations are pending cannot take the job yet: the server then starts
// (reporting not ready) and the sweep is queued by the next start.
func registerNotificationJobs(ctx context.Context, r *jobs.Runner, svc *notification.Service, sender mail.Sender) error {
	r.Register(svc.AlertJob(sender))
	r.Register(svc.DailyJob())
	for _, k := range svc.ComposeJobs() {
		r.Register(k)
	}
	if err := svc.ScheduleDaily(ctx, svc.Time()); err != nil {
		svc.Logger.Warn("the daily deadline sweep is not scheduled yet (are migrations pending?); it will be at the next start", "err", err)
	}
	if err := svc.ScheduleComposeCleanup(ctx, svc.Time()); err != nil {
		svc.Logger.Warn("the hourly cleanup of unsent compose files is not scheduled yet (are migrations pending?)", "err", err)
	}
	return nil
}

// Notifications is the server's notification service.
func (s *Server) Notifications() *notification.Service { return s.notes }
