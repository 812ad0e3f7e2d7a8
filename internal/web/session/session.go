// Package session keeps who is signed in: the session cookie and its data
// (alexedwards/scs, stored in the database so every node shares it), the
// signed-in principal in each request's context, and the authorization
// wrappers every area uses.
//
// For an area's handlers:
//
//	p := session.Principal(r)              // nil when nobody is signed in
//	mux.Handle("GET /buzon", m.RequireRole(h.inbox, identity.RoleCitizen))
//	mux.Handle("GET /cuenta", m.RequireSignIn(h.account))
//	http.Redirect(w, r, session.Landing(p), http.StatusSeeOther)
//
// On every request the middleware looks the session token up in
// user_sessions together with the account's state (one indexed read, plus
// the roles), so a suspended account or a revoked session is signed out at
// once, on every node. Staff without two-step verification are sent to set
// it up before anything else.
package session

import (
	"context"
	"embed"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/scs/v2"

	"buzon/internal/identity"
	"buzon/internal/web/view"
)

//go:embed templates messages
var files embed.FS

// CookieName is the session cookie.
const CookieName = "buzon_sesion"

// Keys of the session data.
const (
	keyAuth      = "auth"       // true once signed in: the token is in user_sessions
	keyPending   = "pending"    // account id between the password and the second factor
	keyPendingAt = "pending_at" // when the password was checked (unix seconds)
	keyCeremony  = "ceremony:"  // + kind: a passkey ceremony's state
	keyFlash     = "flash"      // a message key to show on the next page
	keyReturn    = "return"     // where to go after signing in
)

// Manager is the session manager of the site.
type Manager struct {
	sm    *scs.SessionManager
	ids   *identity.Service
	views *view.Set
}

// New returns the session manager. secure marks the cookie Secure (the site
// is served over https); the idle timeout and lifetime are the identity
// service's.
func New(ids *identity.Service, store scs.Store, v *view.Engine, secure bool) (*Manager, error) {
	views, err := v.Area("session", files)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	sm := scs.New()
	sm.Store = store
	sm.HashTokenInStore = true
	pol := ids.SessionPolicy()
	sm.IdleTimeout = pol.Idle
	sm.Lifetime = pol.Lifetime
	sm.Cookie = scs.SessionCookie{
		Name:     CookieName,
		Path:     "/",
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
		// A session cookie: closing the browser on a shared computer signs out.
		Persist: false,
	}
	m := &Manager{sm: sm, ids: ids, views: views}
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		views.ServerError(w, r, fmt.Errorf("session: %w", err))
	}
	return m, nil
}

// Identity is the identity service behind the sessions.
func (m *Manager) Identity() *identity.Service { return m.ids }

// Principal returns the signed-in person of the request, or nil.
func Principal(r *http.Request) *identity.Principal { return identity.FromContext(r.Context()) }

// Client describes where the request comes from, for the sign-in history,
// the throttle and the audit log: the peer's IP address (a reverse proxy in
// front must be trusted to set RemoteAddr, e.g. with PROXY protocol) and the
// browser's User-Agent, cut to 200 characters.
func Client(r *http.Request) identity.Client {
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	ua := strings.ToValidUTF8(r.UserAgent(), "")
	if utf8.RuneCountInString(ua) > 200 {
		ua = string([]rune(ua)[:200])
	}
	return identity.Client{Address: addr, UserAgent: ua}
}

// SignIn opens a signed-in session for an account whose credentials were
// just checked: a new session token (against fixation), recorded in
// user_sessions with the method used.
func (m *Manager) SignIn(r *http.Request, accountID, method string) (*identity.Principal, error) {
	ctx := r.Context()
	if err := m.sm.RenewToken(ctx); err != nil {
		return nil, err
	}
	m.sm.Remove(ctx, keyPending)
	m.sm.Remove(ctx, keyPendingAt)
	m.sm.Put(ctx, keyAuth, true)
	return m.ids.StartSession(ctx, accountID, m.sm.Token(ctx), method, Client(r))
}

// SignOut ends the request's session.
func (m *Manager) SignOut(r *http.Request) error {
	ctx := r.Context()
	if err := m.ids.EndSession(ctx, m.sm.Token(ctx)); err != nil {
		return err
	}
	return m.sm.Destroy(ctx)
}

// AwaitSecondFactor remembers, in a renewed session, that accountID gave
// the right password and must now give the second factor.
func (m *Manager) AwaitSecondFactor(r *http.Request, accountID string) error {
	ctx := r.Context()
	if err := m.sm.RenewToken(ctx); err != nil {
		return err
	}
	m.sm.Put(ctx, keyPending, accountID)
	m.sm.Put(ctx, keyPendingAt, m.ids.Now().Unix())
	return nil
}

// PendingSecondFactor returns the account waiting for its second factor,
// if its password was checked less than identity.SecondFactorWindow ago.
func (m *Manager) PendingSecondFactor(r *http.Request) (string, bool) {
	ctx := r.Context()
	id := m.sm.GetString(ctx, keyPending)
	at := time.Unix(m.sm.GetInt64(ctx, keyPendingAt), 0)
	if id == "" || m.ids.Now().Sub(at) > identity.SecondFactorWindow {
		return "", false
	}
	return id, true
}

// PutCeremony keeps a passkey ceremony's state until it finishes.
func (m *Manager) PutCeremony(ctx context.Context, kind string, state []byte) {
	m.sm.Put(ctx, keyCeremony+kind, state)
}

// PopCeremony returns and forgets a passkey ceremony's state.
func (m *Manager) PopCeremony(ctx context.Context, kind string) []byte {
	return m.sm.PopBytes(ctx, keyCeremony+kind)
}

// Flash keeps a message key for the next page the person sees.
func (m *Manager) Flash(ctx context.Context, key string) { m.sm.Put(ctx, keyFlash, key) }

// PopFlash returns and forgets the message key kept by Flash.
func (m *Manager) PopFlash(ctx context.Context) string { return m.sm.PopString(ctx, keyFlash) }

// PutReturn remembers where to go after signing in (a local path only).
func (m *Manager) PutReturn(ctx context.Context, path string) {
	if LocalPath(path) {
		m.sm.Put(ctx, keyReturn, path)
	}
}

// PopReturn returns and forgets the path kept by PutReturn.
func (m *Manager) PopReturn(ctx context.Context) string { return m.sm.PopString(ctx, keyReturn) }

// LocalPath reports whether p is a path on this site ("/x"), not a URL
// elsewhere ("//evil.example", "/\evil.example"), so redirecting to it
// cannot send anyone away.
func LocalPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\") &&
		!strings.ContainsAny(p, "\r\n\t") && len(p) < 2048
}
