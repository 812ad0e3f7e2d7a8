package accounts

import "net/http"

// emailShow shows the change-email form.
func (h *handler) emailShow(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "email", formPage{base: h.base(r), Form: emptyForm()})
}
