package accounts

import "net/http"

// registerPage is the in-person registration: the cédula, then the
// registry's data to compare with the physical card and the email.
type registerPage struct {
	base
	Form *form
	// Configured is false when no civil registry is connected.
	Configured bool
	View       *registryView
}

// registerStart asks for the cédula of the person at the counter.
func (h *handler) registerStart(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "register", registerPage{base: h.base(r), Form: emptyForm(), Configured: h.ids.RegistryConfigured()})
}
