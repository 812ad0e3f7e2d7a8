package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// secondFactorSubmit checks the code and opens the session.
func (h *handler) secondFactorSubmit(w http.ResponseWriter, r *http.Request) {
	id, ok := h.sess.PendingSecondFactor(r)
	if !ok {
		h.sess.Flash(r.Context(), "accounts.second.expired")
		redirect(w, r, "/ingresar")
		return
	}
	f := emptyForm()
	method, err := h.ids.VerifySecondFactor(r.Context(), id, r.PostFormValue("code"), session.Client(r))
	if err != nil {
		n, _ := h.ids.PasskeyCount(r.Context(), id)
		h.fail(w, r, "second_factor", secondFactorPage{base: h.base(r), Form: f, HasPasskeys: n > 0}, f, err, "code")
		return
	}
	h.finishSignIn(w, r, id, method)
}
