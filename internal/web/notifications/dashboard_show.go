package notifications

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sort"

	"buzon/internal/calendar"
	"buzon/internal/chart"
	"buzon/internal/notification"
	"buzon/internal/web/session"
)

type dashboardRow struct {
	Day, Institution           string
	Deposited, Failed          int
	Opened1, Opened3, Opened10 string
}

type dashboardPage struct {
	chrome
	Scope       string // the institution's name, or "" for every institution
	Institution string // id, for the form
	From, To    string
	Counts      template.HTML
	Shares      template.HTML
	Rows        []dashboardRow
	Action      string
}

// dashboardPlatform shows MINTEL the daily figures of every institution
// (or of one, ?institucion=).
func (h *handler) dashboardPlatform(w http.ResponseWriter, r *http.Request) {
	h.dashboard(w, r, r.URL.Query().Get("institucion"), "/admin/tablero")
}

// dashboardInstitution shows an institution its own daily figures.
func (h *handler) dashboardInstitution(w http.ResponseWriter, r *http.Request) {
	inst := r.PathValue("inst")
	h.dashboard(w, r, inst, "/institucion/"+inst+"/tablero")
}

func (h *handler) dashboard(w http.ResponseWriter, r *http.Request, inst, action string) {
	q := r.URL.Query()
	to := parseDate(q.Get("hasta"))
	if to.IsZero() {
		to = h.svc.Today()
	}
	from := parseDate(q.Get("desde"))
	if from.IsZero() || from.After(to) || from.DaysUntil(to) > 366 {
		from = to.AddDays(-29)
	}
	stats, err := h.svc.Stats(r.Context(), session.Principal(r), inst, from, to)
	switch {
	case errors.Is(err, notification.ErrForbidden), errors.Is(err, notification.ErrNotFound):
		h.sm.Forbidden(w, r)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	data := dashboardPage{chrome: h.chrome(r), Institution: inst, From: from.String(), To: to.String(), Action: action}
	// The charts add up every institution per day.
	type sums struct{ dep, failed, o1, o3, o10 int }
	byDay := map[calendar.Date]*sums{}
	for _, s := range stats {
		if inst != "" {
			data.Scope = s.InstitutionName
		}
		x := byDay[s.Day]
		if x == nil {
			x = &sums{}
			byDay[s.Day] = x
		}
		x.dep += s.Deposited
		x.failed += s.AlertsFailed
		x.o1 += s.OpenedWithin[0]
		x.o3 += s.OpenedWithin[1]
		x.o10 += s.OpenedWithin[2]
		data.Rows = append(data.Rows, dashboardRow{Day: s.Day.String(), Institution: s.InstitutionName, Deposited: s.Deposited,
			Failed: s.AlertsFailed, Opened1: pct(s.Share(0)), Opened3: pct(s.Share(1)), Opened10: pct(s.Share(2))})
	}
	var days []calendar.Date
	for d := range byDay {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	var labels []string
	var dep, failed, o1, o3, o10 []float64
	for _, d := range days {
		x := byDay[d]
		labels = append(labels, d.String()[5:])
		dep = append(dep, float64(x.dep))
		failed = append(failed, float64(x.failed))
		share := func(n int) float64 {
			if x.dep == 0 {
				return 0
			}
			return float64(n) / float64(x.dep)
		}
		o1, o3, o10 = append(o1, share(x.o1)), append(o3, share(x.o3)), append(o10, share(x.o10))
	}
	t := func(k string) string { return h.views.T(r, k) }
	data.Counts = chart.Chart{Title: t("notifications.dashboard.chart.counts"), Labels: labels, Series: []chart.Series{
		{Name: t("notifications.dashboard.deposited"), Values: dep}, {Name: t("notifications.dashboard.failed"), Values: failed}}}.SVG()
	data.Shares = chart.Chart{Title: t("notifications.dashboard.chart.shares"), Labels: labels, Percent: true, Series: []chart.Series{
		{Name: t("notifications.dashboard.opened1"), Values: o1}, {Name: t("notifications.dashboard.opened3"), Values: o3},
		{Name: t("notifications.dashboard.opened10"), Values: o10}}}.SVG()
	h.views.Render(w, r, "dashboard_show", data)
}

func pct(f float64) string { return fmt.Sprintf("%.0f %%", f*100) }
