package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// emailSubmit sends a confirmation link to the new address; the address
// changes when the link is followed.
func (h *handler) emailSubmit(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "email")
	if err := h.ids.RequestEmailChange(r.Context(), session.Principal(r), r.PostFormValue("current"), f.Values["email"]); err != nil {
		h.fail(w, r, "email", formPage{base: h.base(r), Form: f}, f, err, "email", "current")
		return
	}
	h.sess.Flash(r.Context(), "accounts.email.sent")
	redirect(w, r, "/cuenta")
}
