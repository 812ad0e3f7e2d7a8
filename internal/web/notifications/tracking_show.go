package notifications

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"buzon/internal/notification"
	"buzon/internal/web/session"
)

// trackingShow shows one of the institution's notifications with its
// evidence so far; the look is audited.
func (h *handler) trackingShow(w http.ResponseWriter, r *http.Request) {
	inst := r.PathValue("inst")
	d, err := h.svc.StaffView(r.Context(), session.Principal(r), inst, r.PathValue("id"))
	switch {
	case errors.Is(err, notification.ErrNotFound), errors.Is(err, notification.ErrForbidden):
		h.views.NotFound(w, r)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	base := "/institucion/" + inst + "/notificaciones/"
	page := h.notificationPage(r, d.Detail, base+d.ID, base)
	page.Staff = true
	for _, e := range d.Events {
		label := e.Type.Label()
		if english(r) {
			label = strings.ReplaceAll(string(e.Type), "_", " ")
		}
		var parts []string
		for k, v := range e.Details {
			if k == "reason" || k == "outcome" || k == "reminder_day" || k == "first" || k == "via" {
				parts = append(parts, k+": "+v)
			}
		}
		sort.Strings(parts)
		page.Events = append(page.Events, eventView{Label: label, Date: moment(r, e.Time), Detail: strings.Join(parts, "; ")})
	}
	h.views.Render(w, r, "notification_show", page)
}
