package institutions

import (
	"io"
	"net/http"
	"strconv"

	"buzon/internal/filetype"
	"buzon/internal/web/session"
)

// mintelRequestDocument streams a request's signed PDF to MINTEL as a
// download; the domain records the access in the audit log first. The
// document is never rendered in the site's origin.
func (h *handler) mintelRequestDocument(w http.ResponseWriter, r *http.Request) {
	rc, doc, err := h.svc.OpenDocument(r.Context(), session.Principal(r), r.PathValue("id"), r.PathValue("doc"))
	if err != nil {
		h.denied(w, r, err)
		return
	}
	defer rc.Close()
	hd := w.Header()
	hd.Set("Content-Type", filetype.PDF.MIME)
	hd.Set("Content-Disposition", filetype.ContentDisposition(doc.Filename))
	hd.Set("Content-Length", strconv.FormatInt(doc.Size, 10))
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "no-store")
	if _, err := io.Copy(w, rc); err != nil {
		// The headers are gone: cut the connection, so the client sees a
		// failed download rather than a complete-looking truncated file.
		panic(http.ErrAbortHandler)
	}
}
