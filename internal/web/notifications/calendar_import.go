package notifications

import (
	"net/http"

	"buzon/internal/web/session"
)

// calendarImport stores the days of a CSV or JSON file of decrees.
func (h *handler) calendarImport(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 2<<20)
	if err := r.ParseMultipartForm(2 << 20); err != nil {
		h.renderCalendar(w, r, http.StatusRequestEntityTooLarge, map[string]string{"file": h.views.T(r, "notifications.calendar.file_missing")})
		return
	}
	defer r.MultipartForm.RemoveAll()
	f, _, err := r.FormFile("archivo")
	if err != nil {
		h.renderCalendar(w, r, http.StatusUnprocessableEntity, map[string]string{"file": h.views.T(r, "notifications.calendar.file_missing")})
		return
	}
	defer f.Close()
	if _, err := h.svc.ImportDecrees(r.Context(), session.Principal(r), f); err != nil {
		h.calendarError(w, r, "file", err)
		return
	}
	http.Redirect(w, r, "/admin/calendario", http.StatusSeeOther)
}
