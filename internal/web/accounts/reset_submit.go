package accounts

import (
	"net/http"

	"buzon/internal/identity"
)

// resetSubmit sets the new password (ending every session) and sends the
// person to sign in with it.
func (h *handler) resetSubmit(w http.ResponseWriter, r *http.Request) {
	if _, err := h.ids.ResetPassword(r.Context(), r.PathValue("token"), r.PostFormValue("password"), r.PostFormValue("confirm")); err != nil {
		h.tokenRefused(w, r, identity.PurposeReset, "reset", err)
		return
	}
	h.sess.Flash(r.Context(), "accounts.reset.done")
	redirect(w, r, "/ingresar")
}
