package store

import (
	"context"
	"database/sql"
	"time"
)

// Retention deletes what the privacy rules (LOPDP) say may go after its
// period. None of these statements touches notifications, their
// attachments or the evidence log: those are kept for their legal period
// and are protected by triggers besides.

// DeleteSignInsBefore deletes sign-in history entries older than before.
func (tx *Tx) DeleteSignInsBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM sign_ins WHERE at < $1`, micros(before))
	return deleted("delete old sign-ins", res, err)
}

// DeleteDevMailBefore deletes development-mailbox messages older than before.
func (tx *Tx) DeleteDevMailBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM dev_mail WHERE created_at < $1`, micros(before))
	return deleted("delete old development mail", res, err)
}

// DeleteDoneJobsBefore deletes finished jobs last updated before before:
// their payloads hold the emails sent (names and addresses). Failed jobs stay
// visible until an operator deals with them.
func (tx *Tx) DeleteDoneJobsBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM jobs WHERE state = 'done' AND updated_at < $1`, micros(before))
	return deleted("delete old jobs", res, err)
}

// DeleteAbandonedRegistrationsBefore deletes online registration
// applications that never produced an account (email never confirmed,
// document never signed, or cancelled) and expired before before, with their
// upload attempts. It returns the blob keys of their issued documents, for
// the caller to delete after the commit.
func (tx *Tx) DeleteAbandonedRegistrationsBefore(ctx context.Context, before time.Time) (int64, []string, error) {
	const abandoned = `state IN ('correo_pendiente', 'por_firmar', 'anulada') AND identity_id IS NULL AND expires_at < $1`
	const gone = abandoned + ` AND NOT EXISTS (SELECT 1 FROM registration_attempts a WHERE a.application_id = registration_applications.id)`
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM registration_attempts WHERE signed_key IS NULL AND application_id IN
		(SELECT id FROM registration_applications WHERE `+abandoned+`)`, micros(before)); err != nil {
		return 0, nil, wrap("delete abandoned registration attempts", err)
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT document_key FROM registration_applications WHERE `+gone+` AND document_key IS NOT NULL`, micros(before))
	if err != nil {
		return 0, nil, wrap("find abandoned registrations", err)
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return 0, nil, wrap("find abandoned registrations", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, wrap("find abandoned registrations", err)
	}
	res, err := tx.q.ExecContext(ctx, `DELETE FROM registration_applications WHERE `+gone, micros(before))
	n, err := deleted("delete abandoned registrations", res, err)
	return n, keys, err
}

// CountNotificationsDepositedBefore counts notifications deposited before
// before: those past their legal retention, which only a documented decision
// (not a job) may archive elsewhere.
func (tx *Tx) CountNotificationsDepositedBefore(ctx context.Context, before time.Time) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE deposited_at < $1`, micros(before)).Scan(&n)
	return n, wrap("count notifications past retention", err)
}

func deleted(op string, res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, wrap(op, err)
	}
	n, err := res.RowsAffected()
	return n, wrap(op, err)
}
