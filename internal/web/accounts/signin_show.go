package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// signinPage is the sign-in form.
type signinPage struct {
	base
	Form *form
}

// signinShow shows the sign-in form; someone already signed in goes to his
// landing page.
func (h *handler) signinShow(w http.ResponseWriter, r *http.Request) {
	if p := session.Principal(r); p != nil {
		redirect(w, r, session.Landing(p))
		return
	}
	d := signinPage{base: h.base(r), Form: emptyForm()}
	if r.URL.Query().Get("salio") == "1" {
		d.Flash = h.views.T(r, "accounts.signout.done")
	}
	h.views.Render(w, r, "signin", d)
}
