package registrations

import "net/http"

// abandon makes this browser forget its application, to start again (with
// another email, say). The application itself expires on its own.
func (h *handler) abandon(w http.ResponseWriter, r *http.Request) {
	h.forget(w)
	redirect(w, r, "/registro")
}
