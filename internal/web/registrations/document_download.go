package registrations

import (
	"io"
	"net/http"
	"strconv"

	"buzon/internal/filetype"
)

// documentDownload serves the registration document exactly as issued, as
// a download: the bytes signed must be these.
func (h *handler) documentDownload(w http.ResponseWriter, r *http.Request) {
	ref, ok := h.ref(r)
	if !ok {
		redirect(w, r, "/registro")
		return
	}
	a, rc, err := h.svc.IssuedDocument(r.Context(), ref)
	if err != nil {
		f := emptyForm()
		if !h.refuse(r, f, err) {
			h.views.ServerError(w, r, err)
			return
		}
		h.renderApplication(w, r, f, false)
		return
	}
	defer rc.Close()
	sendFile(w, filetype.PDF.MIME, a.DocumentName(), a.DocumentSize)
	if _, err := io.Copy(w, rc); err != nil {
		panic(http.ErrAbortHandler) // a truncated file must not look complete
	}
}

// sendFile writes the headers of a download; size < 0 omits the length.
func sendFile(w http.ResponseWriter, mime, name string, size int64) {
	hd := w.Header()
	hd.Set("Content-Type", mime)
	hd.Set("Content-Disposition", filetype.ContentDisposition(name))
	if size >= 0 {
		hd.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
}
