package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Job states.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Job is one row of the outbox.
type Job struct {
	ID          string
	Kind        string
	Payload     []byte
	State       string
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	LockedBy    string
	LockedUntil time.Time
	LastError   string
	UniqueKey   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// NewID returns a fresh UUIDv7: time-ordered, so new rows land at the end of
// the primary key index instead of at random pages.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// EnqueueJob inserts a queued job. A job with a UniqueKey that already exists
// is not inserted again and EnqueueJob reports false: this is how "at most
// once per key" work (a reminder for one day) stays single.
func (tx *Tx) EnqueueJob(ctx context.Context, j *Job, now time.Time) (bool, error) {
	if j.ID == "" {
		j.ID = NewID()
	}
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	var unique any
	if j.UniqueKey != "" {
		unique = j.UniqueKey
	}
	res, err := tx.q.ExecContext(ctx, `INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_at, unique_key, created_at, updated_at)
		VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $7, $7) ON CONFLICT (unique_key) DO NOTHING`,
		j.ID, j.Kind, j.Payload, j.MaxAttempts, micros(j.RunAt), unique, micros(now))
	if err != nil {
		return false, wrap("enqueue job "+j.Kind, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, wrap("enqueue job "+j.Kind, err)
	}
	j.State = JobQueued
	return n == 1, nil
}

// ClaimJobs leases up to limit due jobs to worker until now+lease: first
// running jobs whose lease expired (their worker died), then queued jobs
// whose time has come, oldest first. Each is its own statement so that each
// walks the (state, run_at) index and stops at limit; one statement with an
// OR of the two conditions sorted the whole due queue on every claim.
// On PostgreSQL, SKIP LOCKED lets many workers claim at once without taking
// the same row; SQLite has a single writer, so claims are serial anyway.
func (tx *Tx) ClaimJobs(ctx context.Context, worker string, now time.Time, lease time.Duration, limit int) ([]Job, error) {
	jobs, err := tx.claimJobs(ctx, `state = 'running' AND locked_until < $3`, worker, now, lease, limit)
	if err != nil || len(jobs) >= limit {
		return jobs, err
	}
	queued, err := tx.claimJobs(ctx, `state = 'queued' AND run_at <= $3`, worker, now, lease, limit-len(jobs))
	return append(jobs, queued...), err
}

func (tx *Tx) claimJobs(ctx context.Context, cond, worker string, now time.Time, lease time.Duration, limit int) ([]Job, error) {
	lock := ""
	if tx.engine == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2, updated_at = $3
		WHERE id IN (SELECT id FROM jobs WHERE ` + cond + ` ORDER BY run_at LIMIT $4` + lock + `)
		RETURNING id, kind, payload, state, attempts, max_attempts, run_at, locked_by, locked_until, last_error, created_at`
	rows, err := tx.q.QueryContext(ctx, q, worker, micros(now.Add(lease)), micros(now), limit)
	if err != nil {
		return nil, wrap("claim jobs", err)
	}
	defer rows.Close()
	var jobs []Job
	for rows.Next() {
		var j Job
		var runAt, lockedUntil, created int64
		if err := rows.Scan(&j.ID, &j.Kind, &j.Payload, &j.State, &j.Attempts, &j.MaxAttempts, &runAt, &j.LockedBy, &lockedUntil, &j.LastError, &created); err != nil {
			return nil, wrap("claim jobs", err)
		}
		j.RunAt, j.LockedUntil, j.CreatedAt = fromMicros(runAt), fromMicros(lockedUntil), fromMicros(created)
		jobs = append(jobs, j)
	}
	return jobs, wrap("claim jobs", rows.Err())
}

// FinishJob marks a job done, but only while worker still holds its lease: a
// worker that lost its lease (it was too slow and another took over) must not
// overwrite the newer attempt's outcome. It reports whether the row changed.
func (tx *Tx) FinishJob(ctx context.Context, id, worker string, now time.Time) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, updated_at = $3
		WHERE id = $1 AND locked_by = $2 AND state = 'running'`, id, worker, micros(now))
	return affected("finish job "+id, res, err)
}

// RetryJob records a failed attempt and schedules the next at runAt.
func (tx *Tx) RetryJob(ctx context.Context, id, worker, reason string, runAt, now time.Time) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL, last_error = $3, run_at = $4, updated_at = $5
		WHERE id = $1 AND locked_by = $2 AND state = 'running'`, id, worker, reason, micros(runAt), micros(now))
	return affected("retry job "+id, res, err)
}

// FailJob parks a job as failed: it stays visible and is not run again until
// an operator requeues it.
func (tx *Tx) FailJob(ctx context.Context, id, worker, reason string, now time.Time) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE jobs SET state = 'failed', locked_by = NULL, locked_until = NULL, last_error = $3, updated_at = $4
		WHERE id = $1 AND locked_by = $2 AND state = 'running'`, id, worker, reason, micros(now))
	return affected("fail job "+id, res, err)
}

// RequeueJob puts a failed job back in the queue with a fresh attempt budget.
func (tx *Tx) RequeueJob(ctx context.Context, id string, now time.Time) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, updated_at = $2
		WHERE id = $1 AND state = 'failed'`, id, micros(now))
	return affected("requeue job "+id, res, err)
}

// Job returns one job.
func (tx *Tx) Job(ctx context.Context, id string) (*Job, error) {
	var j Job
	var runAt, lockedUntil, created, updated int64
	var lockedBy, unique *string
	var lu *int64
	err := tx.q.QueryRowContext(ctx, `SELECT id, kind, payload, state, attempts, max_attempts, run_at, locked_by, locked_until, last_error, unique_key, created_at, updated_at
		FROM jobs WHERE id = $1`, id).Scan(&j.ID, &j.Kind, &j.Payload, &j.State, &j.Attempts, &j.MaxAttempts, &runAt, &lockedBy, &lu, &j.LastError, &unique, &created, &updated)
	if err != nil {
		return nil, wrap("job "+id, err)
	}
	if lockedBy != nil {
		j.LockedBy = *lockedBy
	}
	if lu != nil {
		lockedUntil = *lu
	}
	if unique != nil {
		j.UniqueKey = *unique
	}
	j.RunAt, j.LockedUntil, j.CreatedAt, j.UpdatedAt = fromMicros(runAt), fromMicros(lockedUntil), fromMicros(created), fromMicros(updated)
	return &j, nil
}

// JobsByKind lists the jobs of one kind, newest first, for tests and consoles.
func (tx *Tx) JobsByKind(ctx context.Context, kind string, limit int) ([]Job, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id FROM jobs WHERE kind = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, kind, limit)
	if err != nil {
		return nil, wrap("jobs of kind "+kind, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, wrap("jobs of kind "+kind, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap("jobs of kind "+kind, err)
	}
	jobs := make([]Job, 0, len(ids))
	for _, id := range ids {
		j, err := tx.Job(ctx, id)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, *j)
	}
	return jobs, nil
}

// JobCounts returns how many jobs are in each state, for /metrics.
func (tx *Tx) JobCounts(ctx context.Context) (map[string]int, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT state, count(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, wrap("count jobs", err)
	}
	defer rows.Close()
	counts := map[string]int{JobQueued: 0, JobRunning: 0, JobDone: 0, JobFailed: 0}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, wrap("count jobs", err)
		}
		counts[s] = n
	}
	return counts, wrap("count jobs", rows.Err())
}

// NextJobTime returns when the next queued job is due, so an idle worker can
// sleep until then instead of polling; ok is false when nothing is queued.
func (tx *Tx) NextJobTime(ctx context.Context) (t time.Time, ok bool, err error) {
	var v *int64
	if err := tx.q.QueryRowContext(ctx, `SELECT min(run_at) FROM jobs WHERE state = 'queued'`).Scan(&v); err != nil {
		return time.Time{}, false, wrap("next job time", err)
	}
	if v == nil {
		return time.Time{}, false, nil
	}
	return fromMicros(*v), true, nil
}

func affected(op string, res interface{ RowsAffected() (int64, error) }, err error) (bool, error) {
	if err != nil {
		return false, wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	return n == 1, nil
}
