package notification

import (
	"context"
	"errors"
	"fmt"
	"time"

	"buzon/internal/blob"
	"buzon/internal/jobs"
	"buzon/internal/store"
)

// ComposeCleanupKind is the hourly job that deletes the files of sends
// composed in the web form and never sent.
const ComposeCleanupKind = "notification.compose_cleanup"

// composeFileLifetime is how long a file stored while composing is kept
// when nothing uses it; a live draft or a running upload keeps it longer.
const composeFileLifetime = 24 * time.Hour

// CleanupComposeFiles deletes, blob then row, every file stored while
// composing more than a day before now that no deposited notification
// uses, no draft still open (drafts live a day, plus an hour's margin for
// a confirmation under way) and no upload being checked or deposited. An
// attachment of a deposited notification is never deleted: its deposit
// dropped its row, and the query also checks the notifications' attachments.
func (s *Service) CleanupComposeFiles(ctx context.Context, now time.Time) (int, error) {
	deleted := 0
	for {
		var keys []string
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			var err error
			keys, err = tx.ClaimAbandonedComposeFiles(ctx, now.Add(-composeFileLifetime), now.Add(-draftLifetime-time.Hour),
				now.Add(-time.Hour), now, 200)
			return err
		})
		if err != nil {
			return deleted, fmt.Errorf("cleanup compose files: %w", err)
		}
		for _, k := range keys {
			if err := s.Blobs.Delete(ctx, k); err != nil && !errors.Is(err, blob.ErrNotFound) {
				return deleted, fmt.Errorf("cleanup compose files: delete %s: %w", k, err)
			}
			if err := s.DB.Write(ctx, func(tx *store.Tx) error { return tx.DeleteComposeFile(ctx, k) }); err != nil {
				return deleted, fmt.Errorf("cleanup compose files: %w", err)
			}
			deleted++
		}
		if len(keys) < 200 {
			return deleted, nil
		}
	}
}

// ComposeCleanupJob returns the job kind that runs CleanupComposeFiles and
// queues the next run.
func (s *Service) ComposeCleanupJob() jobs.Kind {
	return jobs.Kind{
		Name:        ComposeCleanupKind,
		MaxAttempts: 5,
		Timeout:     4 * time.Minute,
		Handler: func(ctx context.Context, _ *store.Job) error {
			now := s.now()
			n, err := s.CleanupComposeFiles(ctx, now)
			if err != nil {
				return err
			}
			if n > 0 {
				s.logger().Info("deleted the files of sends never confirmed", "files", n)
			}
			return s.ScheduleComposeCleanup(ctx, now)
		},
	}
}

// ScheduleComposeCleanup queues the next cleanup at the start of the next
// hour, once whoever asks: call it at start-up; each run queues the next.
func (s *Service) ScheduleComposeCleanup(ctx context.Context, now time.Time) error {
	next := now.Truncate(time.Hour).Add(time.Hour)
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := jobs.Enqueue(ctx, tx, ComposeCleanupKind, struct{}{}, now, jobs.Options{RunAt: next,
			UniqueKey: "compose-cleanup:" + next.UTC().Format("2006-01-02T15")})
		return err
	})
}

// ComposeJobs are the job kinds of composing in the web form: the check
// and the deposit of large recipients files, and the hourly cleanup.
func (s *Service) ComposeJobs() []jobs.Kind {
	return []jobs.Kind{s.UploadCheckJob(), s.UploadDepositJob(), s.ComposeCleanupJob()}
}
