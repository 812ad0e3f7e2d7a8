package store

import (
	"context"
	"time"
)

// IdentityLanguage returns the language a person chose for the emails Buzón
// sends him ("" when he chose none).
func (tx *Tx) IdentityLanguage(ctx context.Context, identityID string) (string, error) {
	if !validUUID(identityID) {
		return "", wrap("identity language", ErrNotFound)
	}
	var lang string
	err := tx.q.QueryRowContext(ctx, `SELECT language FROM identities WHERE id = $1`, identityID).Scan(&lang)
	return lang, wrap("identity language", err)
}

// SetIdentityLanguage stores a person's language for emails ("" for the default).
func (tx *Tx) SetIdentityLanguage(ctx context.Context, identityID, lang string, now time.Time) error {
	if !validUUID(identityID) {
		return wrap("set identity language", ErrNotFound)
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE identities SET language = $2, updated_at = $3 WHERE id = $1`, identityID, lang, micros(now))
	return affectedOne("set identity language", res, err)
}
