package store

import (
	"context"
	"errors"
	"time"
)

// Throttle is one row of auth_throttle: the recent failures of one key (an
// N.U.I., a client address) and until when it is locked.
type Throttle struct {
	Key           string
	Failures      int
	LastFailureAt time.Time
	LockedUntil   time.Time
}

// ThrottleByKey returns a key's failures; a key never seen is a zero
// Throttle, not an error.
func (tx *Tx) ThrottleByKey(ctx context.Context, key string) (Throttle, error) {
	var (
		t            = Throttle{Key: key}
		last, locked int64
	)
	err := tx.q.QueryRowContext(ctx, `SELECT failures, last_failure_at, locked_until FROM auth_throttle WHERE throttle_key = $1`, key).
		Scan(&t.Failures, &last, &locked)
	if err != nil {
		if err = wrap("throttle", err); errors.Is(err, ErrNotFound) {
			return t, nil
		}
		return t, err
	}
	t.LastFailureAt, t.LockedUntil = fromMicros(last), fromMicros(locked)
	return t, nil
}

// AddThrottleFailure counts one more failure of key at now and returns the
// new count; failures older than forgetBefore are forgotten first, so the
// count restarts at 1. The increment is one statement, so concurrent
// failures on several nodes all count.
func (tx *Tx) AddThrottleFailure(ctx context.Context, key string, now, forgetBefore time.Time) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `INSERT INTO auth_throttle (throttle_key, failures, last_failure_at, locked_until)
		VALUES ($1, 1, $2, 0)
		ON CONFLICT (throttle_key) DO UPDATE SET
			failures = CASE WHEN auth_throttle.last_failure_at < $3 THEN 1 ELSE auth_throttle.failures + 1 END,
			locked_until = CASE WHEN auth_throttle.last_failure_at < $3 THEN 0 ELSE auth_throttle.locked_until END,
			last_failure_at = $2
		RETURNING failures`, key, micros(now), micros(forgetBefore)).Scan(&n)
	return n, wrap("count failure", err)
}

// LockThrottle refuses key until until.
func (tx *Tx) LockThrottle(ctx context.Context, key string, until time.Time) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE auth_throttle SET locked_until = $2 WHERE throttle_key = $1`, key, micros(until))
	return wrap("lock", err)
}

// ClearThrottle forgets a key's failures (a successful sign-in, an unlock).
func (tx *Tx) ClearThrottle(ctx context.Context, key string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM auth_throttle WHERE throttle_key = $1`, key)
	return wrap("clear throttle", err)
}

// DeleteStaleThrottles removes keys whose last failure is older than cutoff
// and that are no longer locked.
func (tx *Tx) DeleteStaleThrottles(ctx context.Context, cutoff, now time.Time) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM auth_throttle WHERE last_failure_at < $1 AND locked_until <= $2`, micros(cutoff), micros(now))
	if err != nil {
		return 0, wrap("delete stale throttles", err)
	}
	return res.RowsAffected()
}
