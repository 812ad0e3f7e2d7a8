package institutions

import (
	"net/http"

	"buzon/internal/institution"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// requestRow is one line of MINTEL's queue.
type requestRow struct {
	institution.Request
	KindLabel, StateLabel string
}

// requestsPage is MINTEL's queue with its filters.
type requestsPage struct {
	base
	Filter   requestFilter
	States   []option
	Kinds    []option
	Requests []requestRow
	Pending  int
}

// requestFilter is the queue's filter as typed (query parameters).
type requestFilter struct {
	State, Kind, Text string
	Flagged           bool
}

// mintelRequests lists the requests, oldest first, pending ones by default.
func (h *handler) mintelRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := requestFilter{State: q.Get("estado"), Kind: q.Get("tipo"), Text: q.Get("q"), Flagged: q.Get("marcadas") == "1"}
	if _, set := q["estado"]; !set {
		f.State = string(institution.RequestPending)
	}
	p := session.Principal(r)
	rows, err := h.svc.Requests(r.Context(), p, institution.RequestFilter{State: institution.RequestState(f.State),
		Kind: institution.RequestKind(f.Kind), Flagged: f.Flagged, Text: f.Text})
	if err != nil {
		h.denied(w, r, err)
		return
	}
	pending, err := h.svc.PendingCount(r.Context(), p)
	if err != nil {
		h.denied(w, r, err)
		return
	}
	lang := i18n.Lang(r)
	page := &requestsPage{base: h.base(r), Filter: f, Pending: pending}
	page.States = append(page.States, option{Value: "", Label: h.views.T(r, "institutions.filter.any")})
	for _, s := range []institution.RequestState{institution.RequestPending, institution.RequestApproved, institution.RequestRejected} {
		page.States = append(page.States, option{Value: string(s), Label: label(lang, s)})
	}
	page.Kinds = append(page.Kinds, option{Value: "", Label: h.views.T(r, "institutions.filter.any")})
	for _, k := range []institution.RequestKind{institution.KindActivation, institution.KindAdminChange} {
		page.Kinds = append(page.Kinds, option{Value: string(k), Label: label(lang, k)})
	}
	for _, req := range rows {
		page.Requests = append(page.Requests, requestRow{Request: req, KindLabel: label(lang, req.Kind), StateLabel: label(lang, req.State)})
	}
	h.views.Render(w, r, "mintel_requests", page)
}
