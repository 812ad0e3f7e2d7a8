package accounts

import "net/http"

// secondFactorPage asks for the code of the authenticator app (or a
// recovery code, or a passkey).
type secondFactorPage struct {
	base
	Form *form
	// HasPasskeys is true when the account has a passkey to offer.
	HasPasskeys bool
}

// secondFactorShow shows the code form while a checked password waits for
// its second factor; otherwise it sends the person back to the password.
func (h *handler) secondFactorShow(w http.ResponseWriter, r *http.Request) {
	id, ok := h.sess.PendingSecondFactor(r)
	if !ok {
		h.sess.Flash(r.Context(), "accounts.second.expired")
		redirect(w, r, "/ingresar")
		return
	}
	n, err := h.ids.PasskeyCount(r.Context(), id)
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	h.views.Render(w, r, "second_factor", secondFactorPage{base: h.base(r), Form: emptyForm(), HasPasskeys: n > 0})
}
