package notifications

import (
	"net/http"

	"buzon/internal/calendar"
	"buzon/internal/web/session"
)

type decreeRow struct {
	Day, Date, Kind, Name, By, At string
}

type calendarPage struct {
	chrome
	Rows     []decreeRow
	Holidays []decreeRow // the law's holidays of the year, for reference
	Year     int
	V        struct{ Date, Kind, Name string }
	Errors   map[string]string
	Imported int
}

// calendarList shows the decrees entered so far, the resulting holidays
// of the year, and the forms to add a day or import a file.
func (h *handler) calendarList(w http.ResponseWriter, r *http.Request) {
	h.renderCalendar(w, r, http.StatusOK, nil)
}

func (h *handler) renderCalendar(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) {
	list, err := h.svc.Decrees(r.Context(), session.Principal(r))
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	cal, err := h.svc.Calendar(r.Context())
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	data := calendarPage{chrome: h.chrome(r), Year: h.svc.Today().Year(), Errors: errs}
	if r.Method == http.MethodPost {
		data.V.Date, data.V.Kind, data.V.Name = r.PostFormValue("fecha"), r.PostFormValue("tipo"), r.PostFormValue("nombre")
	}
	kind := func(k calendar.OverrideKind) string {
		if k == calendar.Feriado {
			return h.views.T(r, "notifications.calendar.feriado")
		}
		return h.views.T(r, "notifications.calendar.laborable")
	}
	for _, d := range list {
		data.Rows = append(data.Rows, decreeRow{Day: d.Date.String(), Date: day(r, d.Date), Kind: kind(d.Kind), Name: d.Name, At: moment(r, d.CreatedAt)})
	}
	for _, hd := range cal.Holidays(data.Year) {
		data.Holidays = append(data.Holidays, decreeRow{Day: hd.Date.String(), Date: day(r, hd.Date), Name: hd.Name})
	}
	h.views.RenderStatus(w, r, status, "calendar_list", data)
}
