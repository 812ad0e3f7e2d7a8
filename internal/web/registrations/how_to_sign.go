package registrations

import "net/http"

// howToSign explains, step by step, how to sign the document with FirmaEC
// (or another signing program).
func (h *handler) howToSign(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "how_to_sign", h.base(r))
}
