package notifications

import (
	"errors"
	"net/http"
	"net/url"

	"buzon/internal/notification"
	"buzon/internal/web/session"
)

type trackingRow struct {
	ID, NUI, Subject, Reference, Date, Code, Alert, AlertError, Opened, Deadline string
	AlertFailed                                                                  bool
	Opens, Attachments, Downloaded                                               int
}

type trackingPage struct {
	chrome
	Institution string
	Rows        []trackingRow
	F           url.Values
	Next        string
	Export      string
	Sent        string // after a send: how many were deposited and refused
	Refused     string
}

func trackFilter(q url.Values) notification.TrackFilter {
	return notification.TrackFilter{Alert: q.Get("alerta"), Opened: q.Get("abierta"), Downloaded: q.Get("descargada"),
		RecipientNUI: q.Get("cedula"), BatchID: q.Get("envio"), TramiteID: q.Get("tramite"), Deadline: q.Get("plazo"),
		From: parseDate(q.Get("desde")), To: parseDate(q.Get("hasta")), Search: q.Get("q")}
}

// trackingList shows the institution's notifications, one row per
// recipient, with what became of each: alert, opening, downloads.
func (h *handler) trackingList(w http.ResponseWriter, r *http.Request) {
	inst := r.PathValue("inst")
	q := r.URL.Query()
	page, err := h.svc.Tracking(r.Context(), session.Principal(r), inst, trackFilter(q), q.Get("despues"))
	switch {
	case errors.Is(err, notification.ErrForbidden):
		h.sm.Forbidden(w, r)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	cal, err := h.svc.Calendar(r.Context())
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	today := h.svc.Today()
	data := trackingPage{chrome: h.chrome(r), Institution: inst, F: q, Sent: q.Get("enviadas"), Refused: q.Get("rechazadas")}
	for _, row := range page.Rows {
		data.Rows = append(data.Rows, trackingRow{ID: row.ID, NUI: row.RecipientNUI.String(), Subject: row.Subject,
			Reference: row.Reference, Date: moment(r, row.DepositedAt), Code: row.VerificationCode,
			Alert: alertLabel(r, row.Alert), AlertError: row.AlertError, AlertFailed: row.Alert.Failed(),
			Opened: moment(r, row.FirstOpenedAt), Opens: row.OpenCount, Attachments: row.Attachments, Downloaded: row.Downloaded,
			Deadline: deadlineText(r, &row.Notification, today, cal)})
	}
	exp := url.Values{}
	for k, v := range q {
		if k != "despues" && k != "enviadas" && k != "rechazadas" {
			exp[k] = v
		}
	}
	data.Export = "/institucion/" + inst + "/notificaciones.csv?" + exp.Encode()
	if page.Next != "" {
		exp.Set("despues", page.Next)
		data.Next = "/institucion/" + inst + "/notificaciones?" + exp.Encode()
	}
	h.views.Render(w, r, "tracking_list", data)
}
