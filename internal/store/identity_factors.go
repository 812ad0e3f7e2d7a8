package store

import (
	"context"
	"database/sql"
	"time"
)

// ReplaceRecoveryCodes discards an identity's recovery codes and stores the
// hashes of a new set.
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, identityID string, hashes [][]byte, now time.Time) error {
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM recovery_codes WHERE identity_id = $1`, identityID); err != nil {
		return wrap("replace recovery codes", err)
	}
	for _, h := range hashes {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO recovery_codes (identity_id, code_hash, created_at) VALUES ($1, $2, $3)`,
			identityID, h, micros(now)); err != nil {
			return wrapWrite("replace recovery codes", err)
		}
	}
	return nil
}

// UseRecoveryCode spends one unused recovery code; it reports false when the
// identity has no such unused code.
func (tx *Tx) UseRecoveryCode(ctx context.Context, identityID string, hash []byte, now time.Time) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $3
		WHERE identity_id = $1 AND code_hash = $2 AND used_at IS NULL`, identityID, hash, micros(now))
	if err != nil {
		return false, wrap("use recovery code", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap("use recovery code", err)
}

// UnusedRecoveryCodes counts an identity's recovery codes still usable.
func (tx *Tx) UnusedRecoveryCodes(ctx context.Context, identityID string) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE identity_id = $1 AND used_at IS NULL`, identityID).Scan(&n)
	return n, wrap("count recovery codes", err)
}

// Passkey is one row of passkeys: a WebAuthn credential of an identity.
type Passkey struct {
	ID           string
	IdentityID   string
	CredentialID []byte
	Name         string
	Credential   []byte // the WebAuthn library's credential record, as JSON
	CreatedAt    time.Time
	LastUsedAt   time.Time
}

// CreatePasskey stores a credential; ErrDuplicate when its credential id is
// already registered.
func (tx *Tx) CreatePasskey(ctx context.Context, p *Passkey) error {
	if p.ID == "" {
		p.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO passkeys (id, identity_id, credential_id, name, credential, created_at, last_used_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.ID, p.IdentityID, p.CredentialID, p.Name, p.Credential, micros(p.CreatedAt), micros(p.LastUsedAt))
	return wrapWrite("create passkey", err)
}

// PasskeysOf lists an identity's passkeys, oldest first.
func (tx *Tx) PasskeysOf(ctx context.Context, identityID string) ([]Passkey, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id, identity_id, credential_id, name, credential, created_at, last_used_at
		FROM passkeys WHERE identity_id = $1 ORDER BY created_at, id`, identityID)
	if err != nil {
		return nil, wrap("list passkeys", err)
	}
	defer rows.Close()
	var out []Passkey
	for rows.Next() {
		p, err := scanPasskey(rows)
		if err != nil {
			return nil, wrap("list passkeys", err)
		}
		out = append(out, *p)
	}
	return out, wrap("list passkeys", rows.Err())
}

// PasskeyByCredentialID returns the passkey with this WebAuthn credential id.
func (tx *Tx) PasskeyByCredentialID(ctx context.Context, credentialID []byte) (*Passkey, error) {
	row := tx.q.QueryRowContext(ctx, `SELECT id, identity_id, credential_id, name, credential, created_at, last_used_at
		FROM passkeys WHERE credential_id = $1`, credentialID)
	p, err := scanPasskey(row)
	return p, wrap("passkey by credential id", err)
}

// UsePasskey stores the credential record as updated by a sign-in (its
// signature counter, flags) and the time of use.
func (tx *Tx) UsePasskey(ctx context.Context, id string, credential []byte, now time.Time) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE passkeys SET credential = $2, last_used_at = $3 WHERE id = $1`, id, credential, micros(now))
	return affectedOne("use passkey", res, err)
}

// DeletePasskey removes one passkey of an identity; ErrNotFound when the
// identity has no such passkey.
func (tx *Tx) DeletePasskey(ctx context.Context, identityID, id string) error {
	if !validUUID(id) {
		return wrap("delete passkey", sql.ErrNoRows)
	}
	res, err := tx.q.ExecContext(ctx, `DELETE FROM passkeys WHERE identity_id = $1 AND id = $2`, identityID, id)
	return affectedOne("delete passkey", res, err)
}

func scanPasskey(row interface{ Scan(...any) error }) (*Passkey, error) {
	var (
		p             Passkey
		created, used int64
	)
	if err := row.Scan(&p.ID, &p.IdentityID, &p.CredentialID, &p.Name, &p.Credential, &created, &used); err != nil {
		return nil, err
	}
	p.CreatedAt, p.LastUsedAt = fromMicros(created), fromMicros(used)
	return &p, nil
}
