package session

import (
	"errors"
	"net/http"
	"strings"

	"buzon/internal/identity"
)

// TOTPSetupPath is where staff without two-step verification are sent.
const TOTPSetupPath = "/cuenta/verificacion"

// Middleware loads the session of every request and, when it is a
// signed-in session that still holds (not ended, revoked, idle, expired, nor
// its account suspended), puts the principal in the request's context.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return m.sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if !m.sm.GetBool(ctx, keyAuth) {
			next.ServeHTTP(w, r)
			return
		}
		p, err := m.ids.Authenticate(ctx, m.sm.Token(ctx), Client(r))
		switch {
		case errors.Is(err, identity.ErrNoSession):
			// Signed out elsewhere: forget the cookie's session and go on as nobody.
			if err := m.sm.Destroy(ctx); err != nil {
				m.views.ServerError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
			return
		case err != nil:
			m.views.ServerError(w, r, err)
			return
		}
		if p.NeedsTOTPSetup() && !allowedBeforeTOTP(r) {
			http.Redirect(w, r, TOTPSetupPath, http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r.WithContext(identity.NewContext(ctx, p)))
	}))
}

// allowedBeforeTOTP lists what staff may reach before setting up two-step
// verification: its setup page, signing out, static files, the language
// switch and the operations endpoints.
func allowedBeforeTOTP(r *http.Request) bool {
	p := r.URL.Path
	return p == TOTPSetupPath || p == "/salir" || strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/idioma/") ||
		p == "/favicon.ico" || p == "/healthz" || p == "/readyz" || p == "/metrics"
}

// RequireSignIn lets signed-in people through and sends anyone else to the
// sign-in page, which brings them back afterwards.
func (m *Manager) RequireSignIn(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if Principal(r) == nil {
			m.toSignIn(w, r)
			return
		}
		next(w, r)
	})
}

// RequireRole lets through people holding one of roles (identity.Require),
// sends anyone not signed in to the sign-in page and answers others with
// the 403 page.
func (m *Manager) RequireRole(next http.HandlerFunc, roles ...identity.Role) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := Principal(r)
		if p == nil {
			m.toSignIn(w, r)
			return
		}
		if identity.Require(p, roles...) != nil {
			m.Forbidden(w, r)
			return
		}
		next(w, r)
	})
}

// Forbidden writes the 403 page: signed in, but not allowed here.
func (m *Manager) Forbidden(w http.ResponseWriter, r *http.Request) {
	m.views.RenderStatus(w, r, http.StatusForbidden, "forbidden", nil)
}

func (m *Manager) toSignIn(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		m.PutReturn(r.Context(), r.URL.RequestURI())
	}
	http.Redirect(w, r, "/ingresar", http.StatusSeeOther)
}
