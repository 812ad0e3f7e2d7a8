package store

import (
	"context"
	"database/sql"
	"time"
)

// Token is one row of identity_tokens: a single-use secret sent by email,
// known here only by its SHA-256.
type Token struct {
	Hash       []byte
	IdentityID string
	Purpose    string
	Email      string // for an email change: the new address
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     time.Time
}

// CreateToken stores a token, first retiring the identity's unused tokens of
// the same purpose: only the newest link sent works.
func (tx *Tx) CreateToken(ctx context.Context, t *Token) error {
	if _, err := tx.q.ExecContext(ctx, `UPDATE identity_tokens SET used_at = $3
		WHERE identity_id = $1 AND purpose = $2 AND used_at IS NULL`, t.IdentityID, t.Purpose, micros(t.CreatedAt)); err != nil {
		return wrap("retire old tokens", err)
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO identity_tokens (token_hash, identity_id, purpose, email, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, t.Hash, t.IdentityID, t.Purpose, t.Email, micros(t.CreatedAt), micros(t.ExpiresAt))
	return wrapWrite("create token", err)
}

// UseToken marks a token used and returns it, in one statement, so that two
// requests racing with the same link cannot both succeed. A token unknown,
// of another purpose, used, or expired at now is ErrNotFound.
func (tx *Tx) UseToken(ctx context.Context, hash []byte, purpose string, now time.Time) (*Token, error) {
	row := tx.q.QueryRowContext(ctx, `UPDATE identity_tokens SET used_at = $3
		WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
		RETURNING token_hash, identity_id, purpose, email, created_at, expires_at, used_at`, hash, purpose, micros(now))
	t, err := scanToken(row)
	return t, wrap("use token", err)
}

// PeekToken returns a usable token without using it, so a page can say
// whether its link still works before the person fills in the form.
func (tx *Tx) PeekToken(ctx context.Context, hash []byte, purpose string, now time.Time) (*Token, error) {
	row := tx.q.QueryRowContext(ctx, `SELECT token_hash, identity_id, purpose, email, created_at, expires_at, used_at
		FROM identity_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3`, hash, purpose, micros(now))
	t, err := scanToken(row)
	return t, wrap("peek token", err)
}

// DeleteExpiredTokens removes tokens that expired before cutoff.
func (tx *Tx) DeleteExpiredTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM identity_tokens WHERE expires_at < $1`, micros(cutoff))
	if err != nil {
		return 0, wrap("delete expired tokens", err)
	}
	return res.RowsAffected()
}

func scanToken(row *sql.Row) (*Token, error) {
	var (
		t                Token
		created, expires int64
		used             sql.NullInt64
	)
	if err := row.Scan(&t.Hash, &t.IdentityID, &t.Purpose, &t.Email, &created, &expires, &used); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt = fromMicros(created), fromMicros(expires), fromMicros(used.Int64)
	return &t, nil
}
