package web

import "net/http"

// notFound answers every path no route claims, in the request's language.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.views.NotFound(w, r)
}
