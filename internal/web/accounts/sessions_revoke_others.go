package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// sessionsRevokeOthers ends every session of the person but this one.
func (h *handler) sessionsRevokeOthers(w http.ResponseWriter, r *http.Request) {
	if _, err := h.ids.EndOtherSessions(r.Context(), session.Principal(r)); err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	h.sess.Flash(r.Context(), "accounts.sessions.revoked_others")
	redirect(w, r, "/cuenta#sesiones")
}
