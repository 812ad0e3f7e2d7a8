package store

import (
	"context"
	"fmt"
	"time"
)

// Idempotency record states.
const (
	IdempotencyInProgress = "in_progress"
	IdempotencyDone       = "done"
)

// IdempotencyRecord is one row of api_idempotency: what an API key's
// request with one Idempotency-Key asked (its fingerprint) and, once done,
// the response it got.
type IdempotencyRecord struct {
	APIKeyID    string
	Key         string
	Fingerprint []byte
	State       string
	// Owner is the claim token of the request working on it; LockedUntil
	// is when another request with the same key may take over.
	Owner       string
	LockedUntil time.Time
	Status      int
	Headers     string // the stored response headers, encoded by the caller
	Body        []byte
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

const idempotencyColumns = `api_key_id, idem_key, fingerprint, state, owner, locked_until, status, headers, body, created_at, expires_at`

func scanIdempotency(row interface{ Scan(...any) error }) (*IdempotencyRecord, error) {
	var (
		r                        IdempotencyRecord
		locked, created, expires int64
	)
	if err := row.Scan(&r.APIKeyID, &r.Key, &r.Fingerprint, &r.State, &r.Owner, &locked, &r.Status, &r.Headers, &r.Body,
		&created, &expires); err != nil {
		return nil, err
	}
	r.LockedUntil, r.CreatedAt, r.ExpiresAt = fromMicros(locked), fromMicros(created), fromMicros(expires)
	return &r, nil
}

// ClaimIdempotencyKey tries to make rec (state in progress, with its owner
// and lease) the record of its key. It succeeds when the key is new, when
// the stored record has expired, or when it is an abandoned claim (its lease
// ran out: the request that made it died) for the same fingerprint. Otherwise
// it returns the stored record for the caller to answer from (a replay, a
// conflict, or "in progress").
//
// It also deletes a few expired records, so the table cleans itself as it is
// used.
func (tx *Tx) ClaimIdempotencyKey(ctx context.Context, rec *IdempotencyRecord, now time.Time) (claimed bool, existing *IdempotencyRecord, err error) {
	const op = "claim idempotency key"
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM api_idempotency WHERE (api_key_id, idem_key) IN
		(SELECT api_key_id, idem_key FROM api_idempotency WHERE expires_at < $1 LIMIT 20)`, micros(now)); err != nil {
		return false, nil, wrap(op, err)
	}
	rec.State = IdempotencyInProgress
	res, err := tx.q.ExecContext(ctx, `INSERT INTO api_idempotency (`+idempotencyColumns+`)
		VALUES ($1, $2, $3, 'in_progress', $4, $5, 0, '', NULL, $6, $7)
		ON CONFLICT (api_key_id, idem_key) DO NOTHING`,
		rec.APIKeyID, rec.Key, rec.Fingerprint, rec.Owner, micros(rec.LockedUntil), micros(rec.CreatedAt), micros(rec.ExpiresAt))
	if err != nil {
		return false, nil, wrap(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, nil, wrap(op, err)
	} else if n == 1 {
		return true, nil, nil
	}
	existing, err = scanIdempotency(tx.q.QueryRowContext(ctx, `SELECT `+idempotencyColumns+` FROM api_idempotency
		WHERE api_key_id = $1 AND idem_key = $2`, rec.APIKeyID, rec.Key))
	if err != nil {
		return false, nil, wrap(op, err)
	}
	expired := !existing.ExpiresAt.After(now)
	abandoned := existing.State == IdempotencyInProgress && !existing.LockedUntil.After(now) &&
		string(existing.Fingerprint) == string(rec.Fingerprint)
	if !expired && !abandoned {
		return false, existing, nil
	}
	// Take over, but only from the very record read: another request may be
	// taking over at the same time.
	res, err = tx.q.ExecContext(ctx, `UPDATE api_idempotency SET fingerprint = $3, state = 'in_progress', owner = $4,
		locked_until = $5, status = 0, headers = '', body = NULL, created_at = $6, expires_at = $7
		WHERE api_key_id = $1 AND idem_key = $2 AND owner = $8 AND state = $9`,
		rec.APIKeyID, rec.Key, rec.Fingerprint, rec.Owner, micros(rec.LockedUntil), micros(rec.CreatedAt), micros(rec.ExpiresAt),
		existing.Owner, existing.State)
	if err != nil {
		return false, nil, wrap(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, nil, wrap(op, err)
	} else if n == 1 {
		return true, nil, nil
	}
	existing, err = scanIdempotency(tx.q.QueryRowContext(ctx, `SELECT `+idempotencyColumns+` FROM api_idempotency
		WHERE api_key_id = $1 AND idem_key = $2`, rec.APIKeyID, rec.Key))
	return false, existing, wrap(op, err)
}

// ConfirmIdempotencyClaim checks, at the start of the transaction doing the
// work, that owner still holds the claim; on PostgreSQL it also locks the
// record until that transaction ends, so that nobody takes it over
// meanwhile. ErrNotFound means the claim was lost and the work must not be
// done.
func (tx *Tx) ConfirmIdempotencyClaim(ctx context.Context, apiKeyID, key, owner string) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE api_idempotency SET owner = owner
		WHERE api_key_id = $1 AND idem_key = $2 AND owner = $3 AND state = 'in_progress'`, apiKeyID, key, owner)
	return affectedOne("confirm idempotency claim", res, err)
}

// CompleteIdempotency stores the response of a claimed key, in the
// transaction of the work it answers; ErrNotFound when the claim was lost.
func (tx *Tx) CompleteIdempotency(ctx context.Context, apiKeyID, key, owner string, status int, headers string, body []byte) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE api_idempotency SET state = 'done', status = $4, headers = $5, body = $6
		WHERE api_key_id = $1 AND idem_key = $2 AND owner = $3 AND state = 'in_progress'`,
		apiKeyID, key, owner, status, headers, body)
	return affectedOne("complete idempotency key", res, err)
}

// ReleaseIdempotencyKey forgets a claim whose request did not complete (it
// failed, or was refused before any work), so the key can be used again.
func (tx *Tx) ReleaseIdempotencyKey(ctx context.Context, apiKeyID, key, owner string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM api_idempotency
		WHERE api_key_id = $1 AND idem_key = $2 AND owner = $3 AND state = 'in_progress'`, apiKeyID, key, owner)
	return wrap("release idempotency key", err)
}

// IdempotencyRecordOf returns the record of a key, or ErrNotFound.
func (tx *Tx) IdempotencyRecordOf(ctx context.Context, apiKeyID, key string) (*IdempotencyRecord, error) {
	if !validUUID(apiKeyID) {
		return nil, fmt.Errorf("idempotency record: %w", ErrNotFound)
	}
	r, err := scanIdempotency(tx.q.QueryRowContext(ctx, `SELECT `+idempotencyColumns+` FROM api_idempotency
		WHERE api_key_id = $1 AND idem_key = $2`, apiKeyID, key))
	return r, wrap("idempotency record", err)
}
