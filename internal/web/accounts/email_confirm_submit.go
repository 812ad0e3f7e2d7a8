package accounts

import (
	"errors"
	"net/http"

	"buzon/internal/identity"
)

// emailConfirmSubmit makes the new address the account's.
func (h *handler) emailConfirmSubmit(w http.ResponseWriter, r *http.Request) {
	_, err := h.ids.ConfirmEmailChange(r.Context(), r.PathValue("token"))
	if errors.Is(err, identity.ErrTokenInvalid) {
		h.linkInvalid(w, r)
		return
	}
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	h.sess.Flash(r.Context(), "accounts.email.confirmed")
	redirect(w, r, "/cuenta")
}
