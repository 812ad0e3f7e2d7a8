package notifications

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"buzon/internal/notification"
	"buzon/internal/web/session"
)

// notificationDownload streams an attachment of one of the citizen's
// notifications; the download is recorded before the first byte.
func (h *handler) notificationDownload(w http.ResponseWriter, r *http.Request) {
	dl, err := h.svc.Download(r.Context(), session.Principal(r), r.PathValue("id"), r.PathValue("att"))
	h.stream(w, r, dl, err)
}

// stream writes a download with headers that make the browser save it, not
// render it.
func (h *handler) stream(w http.ResponseWriter, r *http.Request, dl *notification.Download, err error) {
	switch {
	case errors.Is(err, notification.ErrNotFound), errors.Is(err, notification.ErrForbidden):
		// Another institution's attachment looks like a missing one.
		h.views.NotFound(w, r)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	defer dl.Close()
	hd := w.Header()
	hd.Set("Content-Type", dl.Type.MIME)
	hd.Set("Content-Disposition", dl.ContentDisposition())
	hd.Set("Content-Length", strconv.FormatInt(dl.Size, 10))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if _, err := io.Copy(w, dl); err != nil {
		// Headers are gone: the connection is cut, and the browser reports a failed download.
		panic(http.ErrAbortHandler)
	}
}
