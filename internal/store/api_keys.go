package store

import (
	"context"
	"fmt"
	"time"
)

// APIKey is one row of api_keys: an institution's credential for the
// interconnection API. Only the SHA-256 of the secret key is stored.
type APIKey struct {
	ID            string
	InstitutionID string
	Name          string
	Mode          string // "live" or "test"
	Prefix        string // the key's visible, unique beginning
	Hash          []byte // SHA-256 of the whole key
	CreatedBy     string // identity id of the administrator, "" for the system
	CreatedAt     time.Time
	LastUsedAt    time.Time // zero: never used
	RevokedAt     time.Time // zero: valid
	RevokedBy     string
}

const apiKeyColumns = `id, institution_id, name, mode, prefix, hash, created_by, created_at, last_used_at, revoked_at, revoked_by`

func scanAPIKey(row interface{ Scan(...any) error }) (*APIKey, error) {
	var (
		k                      APIKey
		created, used, revoked int64
	)
	if err := row.Scan(&k.ID, &k.InstitutionID, &k.Name, &k.Mode, &k.Prefix, &k.Hash, &k.CreatedBy, &created, &used, &revoked, &k.RevokedBy); err != nil {
		return nil, err
	}
	k.CreatedAt, k.LastUsedAt, k.RevokedAt = fromMicros(created), fromMicros(used), fromMicros(revoked)
	return &k, nil
}

// InsertAPIKey stores a new key; ErrDuplicate when its prefix is taken
// (the caller draws another key).
func (tx *Tx) InsertAPIKey(ctx context.Context, k *APIKey) error {
	if k.ID == "" {
		k.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, '')`,
		k.ID, k.InstitutionID, k.Name, k.Mode, k.Prefix, k.Hash, k.CreatedBy, micros(k.CreatedAt))
	return wrapWrite("insert API key", err)
}

// APIKeyByPrefix returns the key with a prefix, or ErrNotFound.
func (tx *Tx) APIKeyByPrefix(ctx context.Context, prefix string) (*APIKey, error) {
	k, err := scanAPIKey(tx.q.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE prefix = $1`, prefix))
	return k, wrap("API key by prefix", err)
}

// APIKeyByID returns one key of an institution, or ErrNotFound (also when it
// belongs to another institution).
func (tx *Tx) APIKeyByID(ctx context.Context, institutionID, id string) (*APIKey, error) {
	if !validUUID(id) || !validUUID(institutionID) {
		return nil, fmt.Errorf("API key %q: %w", id, ErrNotFound)
	}
	k, err := scanAPIKey(tx.q.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = $1 AND institution_id = $2`,
		id, institutionID))
	return k, wrap("API key by id", err)
}

// APIKeysOf lists an institution's keys, newest first, revoked ones too.
func (tx *Tx) APIKeysOf(ctx context.Context, institutionID string) ([]APIKey, error) {
	if !validUUID(institutionID) {
		return nil, nil
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE institution_id = $1
		ORDER BY created_at DESC, id DESC`, institutionID)
	if err != nil {
		return nil, wrap("API keys of institution", err)
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, wrap("API keys of institution", err)
		}
		out = append(out, *k)
	}
	return out, wrap("API keys of institution", rows.Err())
}

// RevokeAPIKey marks a valid key revoked; ErrNotFound when the institution
// has no such valid key.
func (tx *Tx) RevokeAPIKey(ctx context.Context, institutionID, id, by string, now time.Time) error {
	if !validUUID(id) || !validUUID(institutionID) {
		return fmt.Errorf("revoke API key: %w", ErrNotFound)
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $3, revoked_by = $4
		WHERE id = $1 AND institution_id = $2 AND revoked_at = 0`, id, institutionID, micros(now), by)
	return affectedOne("revoke API key", res, err)
}

// TouchAPIKey records that a key was used at now, unless it was already
// recorded after notBefore: a busy key writes at most once per interval.
func (tx *Tx) TouchAPIKey(ctx context.Context, id string, now, notBefore time.Time) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND last_used_at < $3`,
		id, micros(now), micros(notBefore))
	return wrap("touch API key", err)
}
