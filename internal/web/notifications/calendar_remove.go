package notifications

import (
	"net/http"

	"buzon/internal/calendar"
	"buzon/internal/web/session"
)

// calendarRemove deletes the decree of a day.
func (h *handler) calendarRemove(w http.ResponseWriter, r *http.Request) {
	d, err := calendar.ParseDate(r.PathValue("day"))
	if err != nil {
		h.views.NotFound(w, r)
		return
	}
	if err := h.svc.RemoveDecree(r.Context(), session.Principal(r), d); err != nil {
		h.calendarError(w, r, "", err)
		return
	}
	http.Redirect(w, r, "/admin/calendario", http.StatusSeeOther)
}
