package identity

import (
	"context"
	"errors"
	"time"

	"buzon/internal/store"
)

// touchEvery bounds how often a session's last use is written: at most once
// a minute per session, not once per request.
const touchEvery = time.Minute

// Session is a signed-in browser of the person, as the account page lists it.
type Session struct {
	ID         string
	Method     string
	Address    string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	// Current marks the session of the request that asked.
	Current bool
}

// SignInRecord is one line of the sign-in history.
type SignInRecord struct {
	At        time.Time
	Method    string
	Outcome   string
	Address   string
	UserAgent string
}

// StartSession opens a signed-in session for an account whose credentials
// were just checked, under token: the web layer's session token, renewed
// for the occasion. Only its hash is kept. It records the sign-in and
// forgives the account's earlier failures.
func (s *Service) StartSession(ctx context.Context, accountID, token, method string, c Client) (*Principal, error) {
	if token == "" {
		return nil, errors.New("start session: empty session token")
	}
	now := s.Now()
	var p *Principal
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		row, err := tx.IdentityByID(ctx, accountID)
		if err != nil {
			return err
		}
		if State(row.State) != StateActive {
			return ErrBadCredentials
		}
		us := &store.UserSession{TokenHash: hashToken(token), IdentityID: row.ID, Method: method,
			Address: c.Address, UserAgent: c.UserAgent, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.sessions.Lifetime)}
		if err := tx.CreateUserSession(ctx, us); err != nil {
			return err
		}
		if err := tx.RecordSignIn(ctx, signIn(row.ID, method, OutcomeOK, c, now)); err != nil {
			return err
		}
		if err := tx.ClearThrottle(ctx, nuiKey(row.NUI)); err != nil {
			return err
		}
		roles, err := tx.RolesOf(ctx, row.ID)
		if err != nil {
			return err
		}
		p = &Principal{Account: *accountOf(row), Roles: grants(roles), SessionID: us.ID, Method: method, Client: c}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Authenticate returns the principal of a session token, checking on every
// request that the session was not ended, revoked, idle too long or past its
// lifetime, and that the account is still active: suspending an account
// ends its sessions at once. Anything else is ErrNoSession.
func (s *Service) Authenticate(ctx context.Context, token string, c Client) (*Principal, error) {
	if token == "" {
		return nil, ErrNoSession
	}
	now := s.Now()
	sp, err := s.db.Reader().UserSessionByToken(ctx, hashToken(token), now)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	if State(sp.Identity.State) != StateActive || now.Sub(sp.Session.LastSeenAt) > s.sessions.Idle {
		if err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteUserSessionByToken(ctx, sp.Session.TokenHash) }); err != nil {
			s.log.Warn("end stale session", "err", err)
		}
		return nil, ErrNoSession
	}
	roles, err := s.db.Reader().RolesOf(ctx, sp.Identity.ID)
	if err != nil {
		return nil, err
	}
	if now.Sub(sp.Session.LastSeenAt) >= touchEvery {
		if err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.TouchUserSession(ctx, sp.Session.ID, now) }); err != nil {
			s.log.Warn("touch session", "err", err)
		}
	}
	return &Principal{Account: *accountOf(&sp.Identity), Roles: grants(roles), SessionID: sp.Session.ID,
		Method: sp.Session.Method, Client: c}, nil
}

// EndSession signs out the session of token.
func (s *Service) EndSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteUserSessionByToken(ctx, hashToken(token)) })
}

// Sessions lists the person's open sessions, marking the current one.
func (s *Service) Sessions(ctx context.Context, p *Principal) ([]Session, error) {
	rows, err := s.db.Reader().UserSessionsOf(ctx, p.ID, s.Now())
	if err != nil {
		return nil, err
	}
	out := make([]Session, 0, len(rows))
	for _, r := range rows {
		if s.Now().Sub(r.LastSeenAt) > s.sessions.Idle {
			continue
		}
		out = append(out, Session{ID: r.ID, Method: r.Method, Address: r.Address, UserAgent: r.UserAgent,
			CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, ExpiresAt: r.ExpiresAt, Current: r.ID == p.SessionID})
	}
	return out, nil
}

// RevokeSession ends one of the person's own sessions; another person's
// session id is ErrNotFound, like a missing one.
func (s *Service) RevokeSession(ctx context.Context, p *Principal, sessionID string) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteUserSession(ctx, p.ID, sessionID) })
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// EndOtherSessions ends every session of the person but the current one.
func (s *Service) EndOtherSessions(ctx context.Context, p *Principal) (int, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *store.Tx) (err error) {
		n, err = tx.DeleteUserSessionsOf(ctx, p.ID, p.SessionID)
		return err
	})
	return int(n), err
}

// EndSessions ends every session of an account inside the caller's
// transaction (an institution suspending a notifier, say); the person's
// next request finds himself signed out.
func EndSessions(ctx context.Context, tx *store.Tx, accountID string) (int, error) {
	n, err := tx.DeleteUserSessionsOf(ctx, accountID, "")
	return int(n), err
}

// SignInHistory returns the person's latest sign-in attempts, newest first.
func (s *Service) SignInHistory(ctx context.Context, accountID string, limit int) ([]SignInRecord, error) {
	if limit <= 0 {
		limit = 20
	}
	rows, err := s.db.Reader().SignInsOf(ctx, accountID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]SignInRecord, len(rows))
	for i, r := range rows {
		out[i] = SignInRecord{At: r.At, Method: r.Method, Outcome: r.Outcome, Address: r.Address, UserAgent: r.UserAgent}
	}
	return out, nil
}

// Cleanup removes expired sessions, tokens and stale throttle keys; the
// server runs it periodically.
func (s *Service) Cleanup(ctx context.Context) error {
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.DeleteExpiredUserSessions(ctx, now); err != nil {
			return err
		}
		if _, err := tx.DeleteExpiredSessions(ctx, now); err != nil {
			return err
		}
		if _, err := tx.DeleteExpiredTokens(ctx, now.Add(-30*24*time.Hour)); err != nil {
			return err
		}
		_, err := tx.DeleteStaleThrottles(ctx, now.Add(-48*time.Hour), now)
		return err
	})
}
