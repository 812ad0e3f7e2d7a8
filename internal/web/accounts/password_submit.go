package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// passwordSubmit changes the password (the current one first) and ends the
// person's other sessions.
func (h *handler) passwordSubmit(w http.ResponseWriter, r *http.Request) {
	err := h.ids.ChangePassword(r.Context(), session.Principal(r), r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("confirm"))
	if err != nil {
		f := emptyForm()
		h.fail(w, r, "password", formPage{base: h.base(r), Form: f}, f, err, "current", "password", "confirm")
		return
	}
	h.sess.Flash(r.Context(), "accounts.password.changed")
	redirect(w, r, "/cuenta")
}
