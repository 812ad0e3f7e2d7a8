package registrations

import "net/http"

// done tells the citizen his account is active and how to sign in.
func (h *handler) done(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "done", h.base(r))
}
