package accounts

import "net/http"

// digercicHome is the console's first page: search an account by cédula,
// or register a citizen.
func (h *handler) digercicHome(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "digercic_home", formPage{base: h.base(r), Form: emptyForm()})
}
