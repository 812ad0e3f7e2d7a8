package notifications

import (
	"errors"
	"net/http"
	"strconv"

	"buzon/internal/evidence"
	"buzon/internal/filetype"
	"buzon/internal/notification"
	"buzon/internal/web/session"
)

// The two files of a constancia.
const (
	formatPDF  = "pdf"
	formatJSON = "json"
)

// citizenDownload serves the constancia of one of the signed-in citizen's
// notifications; another citizen's id is answered like a missing one.
func (h *constancias) citizenDownload(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := h.citizenConstancia(r.Context(), session.Principal(r), r.PathValue("id"))
		h.serve(w, r, format, c, err)
	}
}

// staffDownload serves the constancia of one of the institution's
// notifications to its staff; the download is audited.
func (h *constancias) staffDownload(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := h.staffConstancia(r.Context(), session.Principal(r), r.PathValue("inst"), r.PathValue("id"), format)
		h.serve(w, r, format, c, err)
	}
}

// serve issues the constancia and writes it as a download.
func (h *constancias) serve(w http.ResponseWriter, r *http.Request, format string, c evidence.Constancia, err error) {
	if err == nil {
		var iss *evidence.Issued
		if iss, err = h.cache.issue(r.Context(), h.log, c); err == nil {
			body, mime := iss.PDF, "application/pdf"
			if format == formatJSON {
				body, mime = iss.JSON, "application/json"
			}
			writeConstancia(w, body, mime, "constancia-"+c.NotificationID+"."+format)
			return
		}
	}
	switch {
	case errors.Is(err, notification.ErrNotFound), errors.Is(err, notification.ErrForbidden), errors.Is(err, evidence.ErrNotFound):
		// No event of it in the log is as good as missing: nothing to attest.
		h.views.NotFound(w, r)
	default:
		h.views.ServerError(w, r, err)
	}
}

// writeConstancia writes a constancia file so that the browser saves it and
// never renders it in the site's origin.
func writeConstancia(w http.ResponseWriter, body []byte, mime, name string) {
	hd := w.Header()
	hd.Set("Content-Type", mime)
	hd.Set("Content-Disposition", filetype.ContentDisposition(name))
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, _ = w.Write(body)
}
