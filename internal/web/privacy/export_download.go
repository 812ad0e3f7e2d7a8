package privacy

import (
	"bytes"
	"net/http"
	"strconv"

	"buzon/internal/filetype"
	"buzon/internal/web/session"
)

// exportDownload sends the signed-in person's archive. It is built in
// memory first, so a failure half-way shows the error page instead of a
// truncated file that looks complete.
func (h *handler) exportDownload(w http.ResponseWriter, r *http.Request) {
	p := session.Principal(r)
	var buf bytes.Buffer
	if err := h.export.Write(r.Context(), p, &buf); err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", filetype.ContentDisposition(h.export.FileName(p)))
	hd.Set("Content-Length", strconv.Itoa(buf.Len()))
	hd.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
