package notifications

import (
	"errors"
	"net/http"

	"buzon/internal/filetype"
	"buzon/internal/notification"
	"buzon/internal/web/session"
)

// notificationICS downloads the due date of one of the citizen's
// notifications as an iCalendar event.
func (h *handler) notificationICS(w http.ResponseWriter, r *http.Request) {
	ics, name, err := h.svc.ICS(r.Context(), session.Principal(r), r.PathValue("id"))
	switch {
	case errors.Is(err, notification.ErrNotFound):
		h.views.NotFound(w, r)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", filetype.ContentDisposition(name))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(ics)
}
