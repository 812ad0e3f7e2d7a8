// Package jobs runs the persisted outbox: work that must happen after a
// transaction commits (emails, webhooks, reminders) is written as a job row in
// that same transaction, then claimed by a Runner with a lease, retried with
// exponential backoff, and parked as failed when its attempts run out.
//
// Delivery is at least once: a worker that dies mid-job loses its lease and
// the job runs again, so handlers must be idempotent (an email keeps its
// Message-ID across attempts; a webhook keeps its webhook-id).
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"

	"buzon/internal/metrics"
	"buzon/internal/store"
)

// Handler does the work of one job. Returning nil marks it done; an error
// wrapped by Permanent parks it as failed at once; any other error retries.
type Handler func(ctx context.Context, job *store.Job) error

// Kind describes one sort of job and how to run it.
type Kind struct {
	Name        string
	Handler     Handler
	MaxAttempts int           // default 8
	Timeout     time.Duration // per attempt; default 1 minute
	// Backoff returns the wait before attempt n+1 after n failures; default
	// exponential from 10 s, capped at 1 h, with jitter.
	Backoff func(failures int) time.Duration
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying (a bounced address, a payload
// that cannot be decoded).
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err was marked by Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Options say when and how often a job runs.
type Options struct {
	RunAt       time.Time // zero: now
	UniqueKey   string    // non-empty: at most one job with this key ever
	MaxAttempts int       // zero: the kind's default
}

// Enqueue writes a job into tx, so it exists if and only if the caller's
// transaction commits. It reports false when UniqueKey already exists.
func Enqueue(ctx context.Context, tx *store.Tx, kind string, payload any, now time.Time, opt Options) (bool, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return false, fmt.Errorf("enqueue %s: encode payload: %w", kind, err)
	}
	max := opt.MaxAttempts
	if max <= 0 {
		max = defaultMaxAttempts
	}
	return tx.EnqueueJob(ctx, &store.Job{Kind: kind, Payload: body, MaxAttempts: max, RunAt: opt.RunAt, UniqueKey: opt.UniqueKey}, now)
}

const (
	defaultMaxAttempts = 8
	defaultTimeout     = time.Minute
)

// DefaultBackoff waits 10 s, 20 s, 40 s … up to an hour, ±20 %.
func DefaultBackoff(failures int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < failures && d < time.Hour; i++ {
		d *= 2
	}
	if d > time.Hour {
		d = time.Hour
	}
	jitter := time.Duration(rand.Int64N(int64(d)/5*2+1)) - d/5
	return d + jitter
}

// Runner claims due jobs and runs their handlers.
type Runner struct {
	DB          *store.DB
	Logger      *slog.Logger
	Metrics     *metrics.Metrics // optional
	Now         func() time.Time // default time.Now
	Concurrency int              // jobs run at once; default 4
	Lease       time.Duration    // default 5 minutes; must exceed every Timeout
	Poll        time.Duration    // longest idle wait; default 1 s
	ID          string           // worker identity in the lease; default host-pid-random

	mu    sync.Mutex
	kinds map[string]Kind
	wake  chan struct{}
}

// Register adds a kind of job. It must be called before Run.
func (r *Runner) Register(k Kind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.kinds == nil {
		r.kinds = map[string]Kind{}
	}
	if k.MaxAttempts <= 0 {
		k.MaxAttempts = defaultMaxAttempts
	}
	if k.Timeout <= 0 {
		k.Timeout = defaultTimeout
	}
	if k.Backoff == nil {
		k.Backoff = DefaultBackoff
	}
	r.kinds[k.Name] = k
}

func (r *Runner) defaults() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	if r.Concurrency <= 0 {
		r.Concurrency = 4
	}
	if r.Lease <= 0 {
		r.Lease = 5 * time.Minute
	}
	if r.Poll <= 0 {
		r.Poll = time.Second
	}
	if r.ID == "" {
		host, _ := os.Hostname()
		r.ID = host + "-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatUint(rand.Uint64()%1e6, 10)
	}
	if r.wake == nil {
		r.wake = make(chan struct{}, 1)
	}
}

// Wake tells an idle Run loop that new jobs may be due, so work enqueued by
// this process starts at once rather than at the next poll.
func (r *Runner) Wake() {
	r.defaults()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run claims and runs jobs until ctx is cancelled, then waits for the jobs
// already running to finish (their own contexts are not cancelled, so a
// graceful shutdown does not cut an email in half).
func (r *Runner) Run(ctx context.Context) error {
	r.defaults()
	sem := make(chan struct{}, r.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		if ctx.Err() != nil {
			return nil
		}
		free := r.Concurrency - len(sem)
		var claimed []store.Job
		var err error
		if free > 0 {
			claimed, err = r.claim(context.WithoutCancel(ctx), free)
			if err != nil {
				r.Logger.Error("claim jobs", "err", err)
			}
		}
		for i := range claimed {
			sem <- struct{}{}
			wg.Add(1)
			go func(j store.Job) {
				defer func() { <-sem; wg.Done(); r.Wake() }()
				r.run(context.WithoutCancel(ctx), &j)
			}(claimed[i])
		}
		if len(claimed) == free && free > 0 {
			continue // there may be more due right now
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
		case <-time.After(r.Poll):
		}
	}
}

// RunDue claims and runs due jobs one batch at a time until none is due, in
// the calling goroutine. Tests drive the outbox with it under a fake clock.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	r.defaults()
	total := 0
	for {
		jobs, err := r.claim(ctx, r.Concurrency)
		if err != nil {
			return total, err
		}
		if len(jobs) == 0 {
			return total, nil
		}
		for i := range jobs {
			r.run(ctx, &jobs[i])
		}
		total += len(jobs)
	}
}

func (r *Runner) claim(ctx context.Context, n int) ([]store.Job, error) {
	var jobs []store.Job
	err := r.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		jobs, err = tx.ClaimJobs(ctx, r.ID, r.Now(), r.Lease, n)
		return err
	})
	return jobs, err
}

// run executes one claimed job and records its outcome.
func (r *Runner) run(ctx context.Context, j *store.Job) {
	r.mu.Lock()
	k, ok := r.kinds[j.Kind]
	r.mu.Unlock()
	var err error
	switch {
	case !ok:
		err = Permanent(fmt.Errorf("no handler for job kind %q", j.Kind))
	case j.Attempts > j.MaxAttempts:
		// Its workers kept dying (or timing out past the lease) mid-run.
		err = Permanent(fmt.Errorf("gave up after %d attempts", j.MaxAttempts))
	default:
		err = r.call(ctx, k, j)
	}
	now := r.Now()
	outcome := "done"
	var werr error
	switch {
	case err == nil:
		werr = r.DB.Write(ctx, func(tx *store.Tx) error { _, e := tx.FinishJob(ctx, j.ID, r.ID, now); return e })
	case IsPermanent(err) || j.Attempts >= j.MaxAttempts:
		outcome = "failed"
		werr = r.DB.Write(ctx, func(tx *store.Tx) error { _, e := tx.FailJob(ctx, j.ID, r.ID, err.Error(), now); return e })
		r.Logger.Warn("job failed", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", err)
	default:
		outcome = "retry"
		backoff := DefaultBackoff
		if ok {
			backoff = k.Backoff
		}
		next := now.Add(backoff(j.Attempts))
		werr = r.DB.Write(ctx, func(tx *store.Tx) error { _, e := tx.RetryJob(ctx, j.ID, r.ID, err.Error(), next, now); return e })
		r.Logger.Info("job will be retried", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts, "next", next, "err", err)
	}
	if werr != nil {
		// The lease will expire and the job will run again: at least once.
		r.Logger.Error("record job outcome", "job", j.ID, "kind", j.Kind, "err", werr)
	}
	if r.Metrics != nil {
		r.Metrics.JobsRun.WithLabelValues(j.Kind, outcome).Inc()
	}
}

func (r *Runner) call(ctx context.Context, k Kind, j *store.Job) (err error) {
	ctx, cancel := context.WithTimeout(ctx, k.Timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job %s panicked: %v", j.ID, p)
		}
	}()
	return k.Handler(ctx, j)
}

// Decode unmarshals a job's payload, marking a bad payload as permanent.
func Decode(j *store.Job, v any) error {
	if err := json.Unmarshal(j.Payload, v); err != nil {
		return Permanent(fmt.Errorf("decode %s job %s: %w", j.Kind, j.ID, err))
	}
	return nil
}
