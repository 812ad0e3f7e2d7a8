package store

import (
	"context"
	"database/sql"
	"time"
)

// UserSession is one row of user_sessions: a signed-in browser, known by the
// SHA-256 of its scs session token.
type UserSession struct {
	ID         string
	TokenHash  []byte
	IdentityID string
	Method     string // how the person signed in: "password", "password+totp", "passkey"…
	Address    string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// CreateUserSession records a new signed-in session.
func (tx *Tx) CreateUserSession(ctx context.Context, s *UserSession) error {
	if s.ID == "" {
		s.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO user_sessions (id, token_hash, identity_id, method, address, user_agent, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.ID, s.TokenHash, s.IdentityID, s.Method, s.Address, s.UserAgent, micros(s.CreatedAt), micros(s.LastSeenAt), micros(s.ExpiresAt))
	return wrapWrite("create user session", err)
}

// SessionPrincipal is what every authenticated request reads in one indexed
// query: the session and the state of its identity.
type SessionPrincipal struct {
	Session  UserSession
	Identity Identity
}

// UserSessionByToken returns an unexpired session and its identity, or
// ErrNotFound (the session was ended, revoked or never existed).
func (tx *Tx) UserSessionByToken(ctx context.Context, tokenHash []byte, now time.Time) (*SessionPrincipal, error) {
	row := tx.q.QueryRowContext(ctx, `SELECT s.id, s.token_hash, s.identity_id, s.method, s.address, s.user_agent,
			s.created_at, s.last_seen_at, s.expires_at, `+prefixed("i.", identityColumns)+`
		FROM user_sessions s JOIN identities i ON i.id = s.identity_id
		WHERE s.token_hash = $1 AND s.expires_at > $2`, tokenHash, micros(now))
	var (
		sp                     SessionPrincipal
		created, seen, expires int64
		is                     identityScan
	)
	err := row.Scan(append([]any{&sp.Session.ID, &sp.Session.TokenHash, &sp.Session.IdentityID, &sp.Session.Method,
		&sp.Session.Address, &sp.Session.UserAgent, &created, &seen, &expires}, is.targets()...)...)
	if err != nil {
		return nil, wrap("user session by token", err)
	}
	sp.Session.CreatedAt, sp.Session.LastSeenAt, sp.Session.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
	sp.Identity = *is.identity()
	return &sp, nil
}

// TouchUserSession records activity on a session.
func (tx *Tx) TouchUserSession(ctx context.Context, id string, now time.Time) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE user_sessions SET last_seen_at = $2 WHERE id = $1`, id, micros(now))
	return wrap("touch user session", err)
}

// UserSessionsOf lists an identity's unexpired sessions, most recently used first.
func (tx *Tx) UserSessionsOf(ctx context.Context, identityID string, now time.Time) ([]UserSession, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id, token_hash, identity_id, method, address, user_agent, created_at, last_seen_at, expires_at
		FROM user_sessions WHERE identity_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, id DESC`, identityID, micros(now))
	if err != nil {
		return nil, wrap("list user sessions", err)
	}
	defer rows.Close()
	var out []UserSession
	for rows.Next() {
		var (
			s                      UserSession
			created, seen, expires int64
		)
		if err := rows.Scan(&s.ID, &s.TokenHash, &s.IdentityID, &s.Method, &s.Address, &s.UserAgent, &created, &seen, &expires); err != nil {
			return nil, wrap("list user sessions", err)
		}
		s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
		out = append(out, s)
	}
	return out, wrap("list user sessions", rows.Err())
}

// DeleteUserSession ends one session of an identity; ErrNotFound when the
// identity has no such session (another person's session id included).
func (tx *Tx) DeleteUserSession(ctx context.Context, identityID, id string) error {
	if !validUUID(id) {
		return wrap("delete user session", sql.ErrNoRows)
	}
	res, err := tx.q.ExecContext(ctx, `DELETE FROM user_sessions WHERE identity_id = $1 AND id = $2`, identityID, id)
	return affectedOne("delete user session", res, err)
}

// DeleteUserSessionByToken ends the session with this token hash (sign-out).
func (tx *Tx) DeleteUserSessionByToken(ctx context.Context, tokenHash []byte) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM user_sessions WHERE token_hash = $1`, tokenHash)
	return wrap("delete user session", err)
}

// DeleteUserSessionsOf ends every session of an identity except keepID (empty
// ends them all) and reports how many ended.
func (tx *Tx) DeleteUserSessionsOf(ctx context.Context, identityID, keepID string) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM user_sessions WHERE identity_id = $1 AND id <> $2`, identityID, nonEmptyID(keepID))
	if err != nil {
		return 0, wrap("end sessions", err)
	}
	return res.RowsAffected()
}

// DeleteExpiredUserSessions removes sessions past their absolute expiry.
func (tx *Tx) DeleteExpiredUserSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM user_sessions WHERE expires_at <= $1`, micros(now))
	if err != nil {
		return 0, wrap("delete expired user sessions", err)
	}
	return res.RowsAffected()
}

// SignIn is one row of sign_ins: an attempt on a known identity.
type SignIn struct {
	ID         string
	IdentityID string
	At         time.Time
	Method     string
	Outcome    string
	Address    string
	UserAgent  string
}

// RecordSignIn appends to an identity's sign-in history.
func (tx *Tx) RecordSignIn(ctx context.Context, s *SignIn) error {
	if s.ID == "" {
		s.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO sign_ins (id, identity_id, at, method, outcome, address, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, s.ID, s.IdentityID, micros(s.At), s.Method, s.Outcome, s.Address, s.UserAgent)
	return wrap("record sign-in", err)
}

// SignInsOf returns an identity's latest sign-in attempts, newest first.
func (tx *Tx) SignInsOf(ctx context.Context, identityID string, limit int) ([]SignIn, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id, identity_id, at, method, outcome, address, user_agent
		FROM sign_ins WHERE identity_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, identityID, limit)
	if err != nil {
		return nil, wrap("sign-in history", err)
	}
	defer rows.Close()
	var out []SignIn
	for rows.Next() {
		var (
			s  SignIn
			at int64
		)
		if err := rows.Scan(&s.ID, &s.IdentityID, &at, &s.Method, &s.Outcome, &s.Address, &s.UserAgent); err != nil {
			return nil, wrap("sign-in history", err)
		}
		s.At = fromMicros(at)
		out = append(out, s)
	}
	return out, wrap("sign-in history", rows.Err())
}

// nonEmptyID is id, or a UUID that no row has, so "id <> $n" stays typed.
func nonEmptyID(id string) string {
	if id == "" {
		return "00000000-0000-0000-0000-000000000000"
	}
	return id
}
