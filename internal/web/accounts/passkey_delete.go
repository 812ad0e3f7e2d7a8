package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// passkeyDelete removes one of the person's passkeys.
func (h *handler) passkeyDelete(w http.ResponseWriter, r *http.Request) {
	if err := h.ids.DeletePasskey(r.Context(), session.Principal(r), r.PathValue("id")); err != nil {
		h.notFoundOr(w, r, err)
		return
	}
	h.sess.Flash(r.Context(), "accounts.passkeys.deleted")
	redirect(w, r, "/cuenta/llaves")
}
