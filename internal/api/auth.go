package api

import (
	"net/http"
	"strconv"
	"strings"

	"buzon/internal/apikey"
)

// call is what an authenticated request carries to its handler.
type call struct {
	cred *apikey.Credential
}

// authedFunc is a handler of an authenticated route.
type authedFunc func(w http.ResponseWriter, r *http.Request, c *call)

// authed checks the request's bearer key and the institution's rate limit
// before running fn. A missing or malformed key, an unknown or revoked one
// answer 401; a suspended institution, or one not in the interconnection
// modality, 403; too many requests 429 with Retry-After.
func (h *API) authed(fn authedFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := r.Header.Get("Authorization")
		if raw == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="buzon"`)
			writeProblem(w, r, probKeyMissing())
			return
		}
		scheme, token, ok := strings.Cut(raw, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="buzon", error="invalid_request"`)
			h.fail(w, r, apikey.ErrInvalid)
			return
		}
		cred, err := h.o.Keys.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			if p, ok := problemOf(err); ok && p.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="buzon", error="invalid_token"`)
			}
			h.fail(w, r, err)
			return
		}
		d, err := h.limit.Allow(r.Context(), cred.InstitutionID, h.now())
		if err != nil {
			// The limit is a protection, not a gate: a failing counter lets
			// the request through (and the failure shows in the log).
			h.log.WarnContext(r.Context(), "rate limit unavailable", "err", err)
		} else {
			d.setHeaders(w.Header())
			if !d.Allowed {
				w.Header().Set("Retry-After", strconv.Itoa(d.resetSeconds()))
				writeProblem(w, r, newProblem(http.StatusTooManyRequests, "rate_limited",
					"Demasiadas solicitudes de la institución: espere los segundos que indica Retry-After y vuelva a intentar.",
					"Too many requests from the institution: wait the seconds Retry-After gives and try again."))
				return
			}
		}
		fn(w, r, &call{cred: cred})
	})
}
