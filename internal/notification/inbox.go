package notification

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"buzon/internal/calendar"
	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/store"
)

// Filter narrows a citizen's inbox. The zero Filter shows everything.
type Filter struct {
	InstitutionID string
	Read          string // "", "unread", "read"
	Deadline      string // "", "with", "pending", "overdue"
	From, To      calendar.Date
	Search        string // matched in subject, reference and expediente, ignoring case and accents
}

// Page is one page of a list, and the cursor of the next ("" at the end).
type Page struct {
	Items []Notification
	Next  string
}

// PageSize is how many notifications an inbox page shows.
const PageSize = 25

// citizen returns the identity id of the signed-in citizen, or ErrNotFound:
// without one there is no buzón to look into.
func citizen(p *identity.Principal) (string, error) {
	if p == nil || p.IsSystem() || p.ID == "" {
		return "", ErrNotFound
	}
	return p.ID, nil
}

func normalizeFilter(f Filter) Filter {
	switch f.Read {
	case store.ReadUnread, store.ReadRead:
	default:
		f.Read = ""
	}
	switch f.Deadline {
	case store.DeadlineWith, store.DeadlinePending, store.DeadlineOverdue:
	default:
		f.Deadline = ""
	}
	if f.InstitutionID != "" && !ValidID(f.InstitutionID) {
		f.InstitutionID = "00000000-0000-0000-0000-000000000000"
	}
	f.Search = fold(strings.TrimSpace(f.Search))
	if len(f.Search) > 100 {
		f.Search = f.Search[:100]
	}
	return f
}

func dateRange(from, to calendar.Date) (time.Time, time.Time) {
	var a, b time.Time
	if !from.IsZero() {
		a = dayStart(from)
	}
	if !to.IsZero() {
		b = dayStart(to.AddDays(1))
	}
	return a, b
}

// Inbox returns one page of the signed-in citizen's notifications: unread
// first, newest first. cursor is "" for the first page, or a Page.Next; a
// malformed cursor starts over.
func (s *Service) Inbox(ctx context.Context, p *identity.Principal, f Filter, cursor string) (*Page, error) {
	rid, err := citizen(p)
	if err != nil {
		return &Page{}, nil
	}
	f = normalizeFilter(f)
	from, to := dateRange(f.From, f.To)
	q := store.InboxQuery{RecipientID: rid, InstitutionID: f.InstitutionID, Read: f.Read, Deadline: f.Deadline,
		Today: s.today().String(), From: from, To: to, Search: f.Search, After: decodeInboxCursor(cursor), Limit: PageSize + 1}
	rows, err := s.DB.Reader().InboxPage(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	page := &Page{}
	if len(rows) > PageSize {
		rows = rows[:PageSize]
		last := rows[len(rows)-1]
		page.Next = encodeCursor(last.Unread, last.DepositedAt, last.ID)
	}
	page.Items = notificationsOf(rows)
	return page, nil
}

// UnreadCount is the number in the header: the citizen's unread notifications.
func (s *Service) UnreadCount(ctx context.Context, p *identity.Principal) (int, error) {
	rid, err := citizen(p)
	if err != nil {
		return 0, nil
	}
	return s.DB.Reader().CountUnread(ctx, rid)
}

// Sender is an institution in a citizen's inbox filter.
type Sender = store.SenderRef

// Senders lists the institutions that notified the citizen.
func (s *Service) Senders(ctx context.Context, p *identity.Principal) ([]Sender, error) {
	rid, err := citizen(p)
	if err != nil {
		return nil, nil
	}
	return s.DB.Reader().InboxSenders(ctx, rid)
}

func encodeCursor(unread bool, at time.Time, id string) string {
	u := "0"
	if unread {
		u = "1"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(u + "." + strconv.FormatInt(at.UnixMicro(), 10) + "." + id))
}

func decodeCursor(s string) (unread bool, at time.Time, id string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return false, time.Time{}, "", false
	}
	parts := strings.Split(string(b), ".")
	if len(parts) != 3 || (parts[0] != "0" && parts[0] != "1") || !ValidID(parts[2]) {
		return false, time.Time{}, "", false
	}
	us, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || us <= 0 {
		return false, time.Time{}, "", false
	}
	return parts[0] == "1", time.UnixMicro(us).UTC(), parts[2], true
}

func decodeInboxCursor(s string) *store.InboxCursor {
	if s == "" {
		return nil
	}
	u, at, id, ok := decodeCursor(s)
	if !ok {
		return nil
	}
	return &store.InboxCursor{Unread: u, DepositedAt: at, ID: id}
}

// Contact is how to reach the sending institution, as its administrator
// keeps it.
type Contact struct {
	Name        string
	Acronym     string
	Address     string
	Phone       string
	Email       string
	Website     string
	OfficeHours string
}

// DeadlineInfo describes a notification's deadline on a given day.
type DeadlineInfo struct {
	Deadline calendar.Deadline
	Due      calendar.Date
	// BusinessDaysLeft counts the business days after today up to and
	// including Due (0 on the due date itself; negative once past).
	BusinessDaysLeft int
	DueToday         bool
	Overdue          bool
}

// Link names another notification: of the same trámite, the one rectified
// or the one rectifying.
type Link struct {
	ID          string
	Subject     string
	Reference   string
	DepositedAt time.Time
	Current     bool // the notification being shown
}

// Detail is one notification as its page shows it.
type Detail struct {
	Notification
	// Body is the rich text source as deposited (render it with internal/richtext).
	Body        string
	Attachments []Attachment
	// Downloaded maps attachment ids to how many times the recipient
	// downloaded them.
	Downloaded  map[string]int
	Institution Contact
	Deadline    *DeadlineInfo // nil without a deadline
	Tramite     *store.Tramite
	Timeline    []Link // the trámite's notifications to this recipient, oldest first
	Rectifies   *Link
	RectifiedBy *Link
}

// Open returns one of the signed-in citizen's notifications and records the
// access (the first marks it read) as an opened event. Another citizen's
// notification, a malformed id and a missing one all give ErrNotFound.
func (s *Service) Open(ctx context.Context, p *identity.Principal, id string) (*Detail, error) {
	rid, err := citizen(p)
	if err != nil || !ValidID(id) {
		return nil, ErrNotFound
	}
	now := s.now()
	var d *Detail
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		n, err := tx.Notification(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && n.RecipientID != rid) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		first, err := tx.MarkNotificationOpened(ctx, id, now)
		if err != nil {
			return err
		}
		n.Unread = false
		if first {
			n.FirstOpenedAt = now
		}
		n.LastOpenedAt = now
		n.OpenCount++
		_, err = evidence.Record(ctx, tx, evidence.Event{Type: evidence.Opened, Time: now, Actor: evidence.Citizen(p.NUI),
			NotificationID: n.ID, InstitutionID: n.InstitutionID, RecipientNUI: p.NUI, ContentSHA256: n.BodySHA256,
			Details: map[string]string{"first": strconv.FormatBool(first)}})
		if err != nil {
			return err
		}
		d, err = s.detail(ctx, tx, n, rid)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// detail assembles a notification's page. recipientID limits the trámite
// timeline to one recipient's notifications ("" for the institution's view).
func (s *Service) detail(ctx context.Context, tx *store.Tx, n *store.Notification, recipientID string) (*Detail, error) {
	body, err := s.Keys.Open(n.BodySealed, []byte(n.ID))
	if err != nil {
		return nil, fmt.Errorf("open body of %s: %w", n.ID, err)
	}
	d := &Detail{Notification: notificationOf(n), Body: string(body), Downloaded: map[string]int{}}
	atts, err := tx.AttachmentsOfBatch(ctx, n.BatchID)
	if err != nil {
		return nil, err
	}
	for i := range atts {
		d.Attachments = append(d.Attachments, attachmentOf(&atts[i]))
	}
	downloads, err := tx.DownloadsOf(ctx, []string{n.ID})
	if err != nil {
		return nil, err
	}
	for _, dl := range downloads {
		d.Downloaded[dl.AttachmentID] = dl.Times
	}
	d.Institution = Contact{Name: n.InstitutionName}
	if inst, err := tx.InstitutionByID(ctx, n.InstitutionID); err == nil {
		d.Institution = Contact{Name: inst.Name, Acronym: inst.Acronym, Address: inst.Address, Phone: inst.Phone,
			Email: inst.Email, Website: inst.Website, OfficeHours: inst.OfficeHours}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if d.HasDeadline() {
		cal, err := s.calendar(ctx)
		if err != nil {
			return nil, err
		}
		d.Deadline = deadlineInfo(cal, d.Notification.Deadline, d.Due, s.today())
	}
	if n.TramiteID != "" {
		if d.Tramite, err = tx.TramiteByID(ctx, n.TramiteID); err != nil {
			return nil, err
		}
		list, err := tx.NotificationsOfTramite(ctx, n.TramiteID, recipientID, 200)
		if err != nil {
			return nil, err
		}
		for i := range list {
			d.Timeline = append(d.Timeline, linkOf(&list[i], n.ID))
		}
	}
	if n.RectifiesID != "" {
		old, err := tx.Notification(ctx, n.RectifiesID)
		if err != nil {
			return nil, err
		}
		l := linkOf(old, "")
		d.Rectifies = &l
	}
	if r, err := tx.Rectification(ctx, n.ID); err == nil {
		l := linkOf(r, "")
		d.RectifiedBy = &l
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return d, nil
}

func linkOf(n *store.Notification, current string) Link {
	return Link{ID: n.ID, Subject: n.Subject, Reference: n.Reference, DepositedAt: n.DepositedAt, Current: n.ID == current}
}

func deadlineInfo(cal *calendar.Calendar, dl calendar.Deadline, due, today calendar.Date) *DeadlineInfo {
	return &DeadlineInfo{Deadline: dl, Due: due, BusinessDaysLeft: cal.BusinessDaysBetween(today, due),
		DueToday: due == today, Overdue: due.Before(today)}
}

// DeadlineText writes a deadline as the notification page says it:
// "Vence el 15 de diciembre de 2026 — quedan 5 días hábiles".
func (d *DeadlineInfo) Text(lang string) string {
	en := strings.HasPrefix(strings.ToLower(lang), "en")
	due := calendar.FormatLong(d.Due, lang)
	switch {
	case d.Overdue && en:
		return "Was due on " + due
	case d.Overdue:
		return "Venció el " + due
	case d.DueToday && en:
		return "Due today, " + due
	case d.DueToday:
		return "Vence hoy, " + due
	case en && d.BusinessDaysLeft == 1:
		return "Due on " + due + " — 1 business day left"
	case en:
		return fmt.Sprintf("Due on %s — %d business days left", due, d.BusinessDaysLeft)
	case d.BusinessDaysLeft == 1:
		return "Vence el " + due + " — queda 1 día hábil"
	default:
		return fmt.Sprintf("Vence el %s — quedan %d días hábiles", due, d.BusinessDaysLeft)
	}
}

// ICS returns the due date of one of the citizen's notifications as an
// iCalendar file, and its file name.
func (s *Service) ICS(ctx context.Context, p *identity.Principal, id string) ([]byte, string, error) {
	rid, err := citizen(p)
	if err != nil || !ValidID(id) {
		return nil, "", ErrNotFound
	}
	n, err := s.DB.Reader().Notification(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && n.RecipientID != rid) {
		return nil, "", ErrNotFound
	}
	if err != nil {
		return nil, "", err
	}
	v := notificationOf(n)
	if !v.HasDeadline() {
		return nil, "", ErrNotFound
	}
	summary := "Vence: " + v.Subject
	desc := fmt.Sprintf("Notificación de %s", v.InstitutionName)
	if v.Reference != "" {
		desc += ", referencia " + v.Reference
	}
	desc += ". Código de verificación " + v.VerificationCode + "."
	return calendar.ICS(v.ID+"@"+s.mailDomain(), summary, desc, v.Due, s.now()), "plazo-" + v.Due.String() + ".ics", nil
}
