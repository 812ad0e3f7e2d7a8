package institutions

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"buzon/internal/institution"
)

// institutionLogo serves an institution's logo to anyone: it is shown
// beside the institution's notifications. A URL carrying the logo's version
// (?v=, the start of its SHA-256) may be cached for good; the image is
// served with a policy that lets it run nothing.
func (h *handler) institutionLogo(w http.ResponseWriter, r *http.Request) {
	logo, err := h.svc.Logo(r.Context(), r.PathValue("id"))
	if errors.Is(err, institution.ErrNotFound) {
		h.views.NotFound(w, r)
		return
	}
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", logo.ContentType)
	hd.Set("Content-Length", strconv.Itoa(len(logo.Content)))
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Content-Disposition", "inline")
	hd.Set("ETag", `"`+logo.SHA256+`"`)
	if v := r.URL.Query().Get("v"); v != "" && strings.HasPrefix(logo.SHA256, v) {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	if r.Header.Get("If-None-Match") == `"`+logo.SHA256+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if r.Method != http.MethodHead {
		w.Write(logo.Content)
	}
}
