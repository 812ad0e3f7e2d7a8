package notifications

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"buzon/internal/calendar"
	"buzon/internal/identity"
	"buzon/internal/notification"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// chrome is what every page of the area shows around its content: the
// unread counter in the masthead and the links the person's roles open.
type chrome struct {
	Unread        int
	Citizen       bool
	Staff         bool
	Mintel        bool
	InstitutionID string // the first institution the person works for
	Name          string // the signed-in person's given names
}

func (h *handler) chrome(r *http.Request) chrome {
	p := session.Principal(r)
	c := chrome{}
	if p == nil {
		return c
	}
	c.Name = p.GivenNames
	c.Citizen = p.Has(identity.RoleCitizen)
	c.Mintel = p.Has(identity.RolePlatformAdmin)
	ids := append(p.Institutions(identity.RoleInstitutionAdmin), p.Institutions(identity.RoleNotifier)...)
	if len(ids) > 0 {
		c.Staff, c.InstitutionID = true, ids[0]
	}
	if c.Citizen {
		c.Unread, _ = h.svc.UnreadCount(r.Context(), p)
	}
	return c
}

func english(r *http.Request) bool { return i18n.Lang(r) == i18n.English }

// moment writes an instant in Ecuador's time in the request's language.
func moment(r *http.Request, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return notification.FormatMoment(t, i18n.Lang(r))
}

func day(r *http.Request, d calendar.Date) string { return calendar.FormatLong(d, i18n.Lang(r)) }

func category(r *http.Request, c notification.Category) string {
	if english(r) {
		return c.English()
	}
	return c.Spanish()
}

// message is a refusal in the request's language.
func message(r *http.Request, e *notification.Error) string {
	if english(r) {
		return e.English()
	}
	return e.Error()
}

// coded is what the other packages' refusals have in common.
type coded interface {
	error
	Code() string
	English() string
}

// problems turns an error into messages by form field ("" for the form),
// or ok false when it is not a refusal to show (a failure: 500).
func problems(r *http.Request, err error) (map[string]string, bool) {
	out := map[string]string{}
	if ps := notification.Problems(err); ps != nil {
		for _, p := range ps {
			if _, dup := out[p.Field()]; !dup {
				out[p.Field()] = message(r, p)
			}
		}
		return out, true
	}
	var c coded
	if errors.As(err, &c) {
		msg := c.Error()
		if english(r) {
			msg = c.English()
		}
		out[""] = msg
		return out, true
	}
	return nil, false
}

// parseDate reads a form's date, zero when empty or malformed.
func parseDate(s string) calendar.Date {
	d, err := calendar.ParseDate(strings.TrimSpace(s))
	if err != nil {
		return calendar.Date{}
	}
	return d
}

// deadlineText says a deadline as the pages do.
func deadlineText(r *http.Request, n *notification.Notification, today calendar.Date, cal *calendar.Calendar) string {
	if !n.HasDeadline() {
		return ""
	}
	info := notification.DeadlineInfo{Deadline: n.Deadline, Due: n.Due, BusinessDaysLeft: cal.BusinessDaysBetween(today, n.Due),
		DueToday: n.Due == today, Overdue: n.Due.Before(today)}
	return info.Text(i18n.Lang(r))
}

func alertLabel(r *http.Request, a notification.AlertState) string {
	if english(r) {
		return a.English()
	}
	return a.Spanish()
}
