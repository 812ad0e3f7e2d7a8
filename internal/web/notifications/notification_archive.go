package notifications

import (
	"errors"
	"net/http"

	"buzon/internal/notification"
	"buzon/internal/web/session"
)

// notificationArchive is "download everything": a ZIP with a printable PDF
// of the notification and all its attachments, streamed.
func (h *handler) notificationArchive(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.Archive(r.Context(), session.Principal(r), r.PathValue("id"))
	switch {
	case errors.Is(err, notification.ErrNotFound):
		h.views.NotFound(w, r)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", a.ContentDisposition())
	w.Header().Set("Cache-Control", "no-store")
	if err := a.WriteTo(r.Context(), w); err != nil {
		panic(http.ErrAbortHandler)
	}
}
