package accounts

import "net/http"

// resetRequestPage asks for the cédula of the account whose password was
// forgotten.
type resetRequestPage struct {
	base
	Form *form
	Sent bool
}

// resetRequestShow shows the form.
func (h *handler) resetRequestShow(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "reset_request", resetRequestPage{base: h.base(r), Form: emptyForm()})
}
