package notifications

import (
	"net/http"
	"net/url"

	"buzon/internal/notification"
	"buzon/internal/web/session"
)

// inboxRow is one line of the inbox.
type inboxRow struct {
	ID, Institution, Subject, Reference, Date, Code, Category, Deadline string
	Unread, Overdue                                                     bool
}

type inboxPage struct {
	chrome
	Rows    []inboxRow
	Filter  notification.Filter
	From    string
	To      string
	Senders []notification.Sender
	Next    string // URL of the next page, "" at the end
	Total   int    // unread, for the heading
}

// inboxList shows the signed-in citizen's notifications, unread first,
// with the filters of the query string and keyset pages.
func (h *handler) inboxList(w http.ResponseWriter, r *http.Request) {
	p := session.Principal(r)
	q := r.URL.Query()
	f := notification.Filter{InstitutionID: q.Get("institucion"), Read: q.Get("estado"), Deadline: q.Get("plazo"),
		From: parseDate(q.Get("desde")), To: parseDate(q.Get("hasta")), Search: q.Get("q")}
	page, err := h.svc.Inbox(r.Context(), p, f, q.Get("despues"))
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	senders, err := h.svc.Senders(r.Context(), p)
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	cal, err := h.svc.Calendar(r.Context())
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	today := h.svc.Today()
	data := inboxPage{chrome: h.chrome(r), Filter: f, From: f.From.String(), To: f.To.String(), Senders: senders}
	for i := range page.Items {
		n := &page.Items[i]
		data.Rows = append(data.Rows, inboxRow{ID: n.ID, Institution: n.InstitutionName, Subject: n.Subject, Reference: n.Reference,
			Date: moment(r, n.DepositedAt), Code: n.VerificationCode, Category: category(r, n.Category),
			Deadline: deadlineText(r, n, today, cal), Unread: n.Unread, Overdue: n.Overdue(today) && n.FirstOpenedAt.IsZero()})
	}
	if page.Next != "" {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("despues", page.Next)
		data.Next = "/buzon?" + next.Encode()
	}
	h.views.Render(w, r, "inbox_list", data)
}
