package notifications

import (
	"errors"
	"net/http"
	"strings"

	"buzon/internal/calendar"
	"buzon/internal/notification"
	"buzon/internal/web/session"
)

// calendarAdd stores one day of a decree.
func (h *handler) calendarAdd(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.views.NotFound(w, r)
		return
	}
	d, err := calendar.ParseDate(strings.TrimSpace(r.PostForm.Get("fecha")))
	if err != nil {
		h.calendarError(w, r, "date", err)
		return
	}
	var k calendar.OverrideKind
	if err := k.UnmarshalText([]byte(r.PostForm.Get("tipo"))); err != nil {
		h.calendarError(w, r, "kind", err)
		return
	}
	o := calendar.Override{Date: d, Kind: k, Name: strings.TrimSpace(r.PostForm.Get("nombre"))}
	if err := h.svc.AddDecrees(r.Context(), session.Principal(r), []calendar.Override{o}); err != nil {
		h.calendarError(w, r, "name", err)
		return
	}
	http.Redirect(w, r, "/admin/calendario", http.StatusSeeOther)
}

// calendarError shows a refusal next to its field, or fails.
func (h *handler) calendarError(w http.ResponseWriter, r *http.Request, field string, err error) {
	var ce *calendar.Error
	if errors.As(err, &ce) {
		msg := ce.Error()
		if english(r) {
			msg = h.views.T(r, "notifications.calendar.invalid")
		}
		var oe *calendar.OverrideError
		if errors.As(err, &oe) {
			msg = oe.Error()
		}
		h.renderCalendar(w, r, http.StatusUnprocessableEntity, map[string]string{field: msg})
		return
	}
	if errors.Is(err, notification.ErrNotFound) {
		h.views.NotFound(w, r)
		return
	}
	h.views.ServerError(w, r, err)
}
