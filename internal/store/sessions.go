package store

import (
	"context"
	"errors"
	"time"
)

// Sessions adapts the database to scs.CtxStore, so web sessions survive a
// restart and are shared by every node.
type Sessions struct{ DB *DB }

// FindCtx returns the data of an unexpired session.
func (s Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := s.DB.reader.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token = $1 AND expiry > $2`,
		token, micros(time.Now())).Scan(&data)
	if err != nil {
		if errors.Is(wrap("", err), ErrNotFound) {
			return nil, false, nil
		}
		return nil, false, wrap("find session", err)
	}
	return data, true, nil
}

// CommitCtx stores a session until expiry.
func (s Sessions) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	return s.DB.Write(ctx, func(tx *Tx) error {
		_, err := tx.q.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
			ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, data, micros(expiry))
		return wrap("commit session", err)
	})
}

// DeleteCtx removes a session.
func (s Sessions) DeleteCtx(ctx context.Context, token string) error {
	return s.DB.Write(ctx, func(tx *Tx) error {
		_, err := tx.q.ExecContext(ctx, `DELETE FROM sessions WHERE token = $1`, token)
		return wrap("delete session", err)
	})
}

// Find, Commit and Delete satisfy scs.Store for callers without a context.
func (s Sessions) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit stores a session until expiry.
func (s Sessions) Commit(token string, data []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, data, expiry)
}

// Delete removes a session.
func (s Sessions) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// DeleteExpiredSessions removes sessions past their expiry.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= $1`, micros(now))
	if err != nil {
		return 0, wrap("delete expired sessions", err)
	}
	return res.RowsAffected()
}
