package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// sessionRevoke ends one of the person's sessions (another browser, say).
func (h *handler) sessionRevoke(w http.ResponseWriter, r *http.Request) {
	if err := h.ids.RevokeSession(r.Context(), session.Principal(r), r.PathValue("id")); err != nil {
		h.notFoundOr(w, r, err)
		return
	}
	h.sess.Flash(r.Context(), "accounts.sessions.revoked")
	redirect(w, r, "/cuenta#sesiones")
}
