package notifications

import (
	"errors"
	"html/template"
	"net/http"

	"buzon/internal/notification"
	"buzon/internal/richtext"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

type attachmentView struct {
	ID, Name, Type, Size, SHA256, URL string
	Downloaded                        int
}

type linkView struct {
	URL, Subject, Reference, Date string
	Current                       bool
}

type notificationPage struct {
	chrome
	N           *notification.Detail
	Body        template.HTML
	Date        string
	Category    string
	Deadline    string
	DeadlineOf  string // the deadline as the institution set it: "10 días hábiles"
	Overdue     bool
	Attachments []attachmentView
	Timeline    []linkView
	Rectifies   *linkView
	RectifiedBy *linkView
	Base        string // the notification's URL, for its downloads
	Staff       bool   // the institution's view
	Events      []eventView
}

type eventView struct{ Label, Date, Detail string }

// notificationShow opens one of the citizen's notifications: the opening is
// recorded, and another citizen's id is answered like a missing one.
func (h *handler) notificationShow(w http.ResponseWriter, r *http.Request) {
	d, err := h.svc.Open(r.Context(), session.Principal(r), r.PathValue("id"))
	switch {
	case errors.Is(err, notification.ErrNotFound):
		h.views.NotFound(w, r)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	h.views.Render(w, r, "notification_show", h.notificationPage(r, d, "/buzon/"+d.ID, "/buzon/"))
}

// notificationPage is the view of a notification, for the citizen (base
// /buzon/…) and for the institution.
func (h *handler) notificationPage(r *http.Request, d *notification.Detail, base, linkBase string) notificationPage {
	p := notificationPage{chrome: h.chrome(r), N: d, Body: richtext.Render(d.Body), Date: moment(r, d.DepositedAt),
		Category: category(r, d.Category), Base: base}
	if d.Deadline != nil {
		p.Deadline = d.Deadline.Text(i18n.Lang(r))
		p.DeadlineOf = d.Deadline.Deadline.Format(i18n.Lang(r))
		p.Overdue = d.Deadline.Overdue
	}
	for _, a := range d.Attachments {
		label := a.Type.Label
		if english(r) {
			label = a.Type.ID
		}
		p.Attachments = append(p.Attachments, attachmentView{ID: a.ID, Name: a.Filename, Type: label,
			Size: notification.SizeLabel(a.Size), SHA256: a.SHA256, URL: base + "/anexos/" + a.ID, Downloaded: d.Downloaded[a.ID]})
	}
	link := func(l notification.Link) linkView {
		return linkView{URL: linkBase + l.ID, Subject: l.Subject, Reference: l.Reference, Date: moment(r, l.DepositedAt), Current: l.Current}
	}
	for _, l := range d.Timeline {
		p.Timeline = append(p.Timeline, link(l))
	}
	if d.Rectifies != nil {
		l := link(*d.Rectifies)
		p.Rectifies = &l
	}
	if d.RectifiedBy != nil {
		l := link(*d.RectifiedBy)
		p.RectifiedBy = &l
	}
	return p
}
