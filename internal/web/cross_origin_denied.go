package web

import (
	"net/http"

	"buzon/internal/web/request"
)

// crossOriginDenied answers a form posted from another site (a possible
// cross-site request forgery) with the 403 page. The request never reached
// the mux, so the route it aimed at is looked up here for the metrics.
func (h *handler) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	if _, pattern := h.mux.Handler(r); pattern != "" {
		r.Pattern = pattern
	}
	h.log.WarnContext(r.Context(), "cross-origin request refused", "request_id", request.ID(r), "method", r.Method, "path", r.URL.Path,
		"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
	h.views.Forbidden(w, r)
}
