package accounts

import (
	"errors"
	"net/http"

	"buzon/internal/identity"
)

// activateSubmit sets the first password and activates the account; the
// person then signs in.
func (h *handler) activateSubmit(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	_, err := h.ids.Activate(r.Context(), token, r.PostFormValue("password"), r.PostFormValue("confirm"))
	if err != nil {
		h.tokenRefused(w, r, identity.PurposeActivation, "activate", err)
		return
	}
	h.sess.Flash(r.Context(), "accounts.activate.done")
	redirect(w, r, "/ingresar")
}

// tokenRefused shows the password form of an emailed link again with the
// refusal, or the dead-link page when the link itself is refused.
func (h *handler) tokenRefused(w http.ResponseWriter, r *http.Request, purpose identity.Purpose, page string, err error) {
	if errors.Is(err, identity.ErrTokenInvalid) {
		h.linkInvalid(w, r)
		return
	}
	acc, aerr := h.ids.TokenAccount(r.Context(), purpose, r.PathValue("token"))
	if aerr != nil {
		h.linkInvalid(w, r)
		return
	}
	f := emptyForm()
	h.fail(w, r, page, tokenPage{base: h.base(r), Account: acc, Form: f}, f, err, "password", "confirm")
}
