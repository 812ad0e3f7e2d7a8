package accounts

import "net/http"

// formPage is a page with one form.
type formPage struct {
	base
	Form *form
}

// passwordShow shows the change-password form.
func (h *handler) passwordShow(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "password", formPage{base: h.base(r), Form: emptyForm()})
}
