package public

import "net/http"

// page serves a page whose content is all in its template: the public site's
// pages change with the language, never with the request.
func (h *handler) page(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.views.Render(w, r, name, nil)
	}
}
