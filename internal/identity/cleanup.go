package identity

import (
	"context"
	"time"

	"buzon/internal/jobs"
	"buzon/internal/store"
)

// CleanupKind is the job that removes expired sessions, old tokens and
// stale throttle keys, hourly.
const CleanupKind = "identity.cleanup"

// CleanupJob returns the job kind that runs Cleanup and queues the next run.
func (s *Service) CleanupJob() jobs.Kind {
	return jobs.Kind{
		Name:        CleanupKind,
		MaxAttempts: 5,
		Timeout:     10 * time.Minute,
		Handler: func(ctx context.Context, _ *store.Job) error {
			if err := s.Cleanup(ctx); err != nil {
				return err
			}
			return s.ScheduleCleanup(ctx)
		},
	}
}

// ScheduleCleanup queues the next cleanup at the start of the next hour,
// once whoever asks (every node calls it at start-up).
func (s *Service) ScheduleCleanup(ctx context.Context) error {
	now := s.Now()
	next := now.Truncate(time.Hour).Add(time.Hour)
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := jobs.Enqueue(ctx, tx, CleanupKind, struct{}{}, now, jobs.Options{RunAt: next,
			UniqueKey: "identity-cleanup:" + next.Format("2006-01-02T15")})
		return err
	})
}
