package notification

import (
	"crypto/rand"
	"strings"
	"time"

	"github.com/google/uuid"

	"buzon/internal/calendar"
	"buzon/internal/nui"
	"buzon/internal/store"
)

// Category classifies a notification for the citizen's eyes. The values are
// stored and used by the API.
type Category string

// The categories.
const (
	CategoryResolution  Category = "resolucion"
	CategoryFine        Category = "multa"
	CategoryTax         Category = "tributaria"
	CategorySummons     Category = "citacion"
	CategoryRequirement Category = "requerimiento"
	CategoryInformative Category = "informativa"
	CategoryOther       Category = "otra"
)

// Categories lists every category in the order forms show them.
func Categories() []Category {
	return []Category{CategoryResolution, CategoryFine, CategoryTax, CategorySummons, CategoryRequirement, CategoryInformative, CategoryOther}
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, k := range Categories() {
		if c == k {
			return true
		}
	}
	return false
}

// Spanish names the category as the Spanish interface does.
func (c Category) Spanish() string {
	switch c {
	case CategoryResolution:
		return "Resolución"
	case CategoryFine:
		return "Multa o sanción"
	case CategoryTax:
		return "Obligación tributaria"
	case CategorySummons:
		return "Citación o convocatoria"
	case CategoryRequirement:
		return "Requerimiento"
	case CategoryInformative:
		return "Informativa"
	case CategoryOther:
		return "Otra"
	}
	return string(c)
}

// English names the category in English.
func (c Category) English() string {
	switch c {
	case CategoryResolution:
		return "Resolution"
	case CategoryFine:
		return "Fine or sanction"
	case CategoryTax:
		return "Tax obligation"
	case CategorySummons:
		return "Summons"
	case CategoryRequirement:
		return "Request for action"
	case CategoryInformative:
		return "Informative"
	case CategoryOther:
		return "Other"
	}
	return string(c)
}

// AlertState is where a notification's email alert stands.
type AlertState string

// The alert states; the values are stored.
const (
	AlertPending  AlertState = store.AlertPending
	AlertSent     AlertState = store.AlertSent
	AlertRetrying AlertState = store.AlertRetrying
	AlertFailed   AlertState = store.AlertFailed
	AlertBounced  AlertState = store.AlertBounced
)

// Failed reports whether the alert will not arrive: the institution should
// use another channel.
func (a AlertState) Failed() bool { return a == AlertFailed || a == AlertBounced }

// Spanish names the state for the institution's tracking.
func (a AlertState) Spanish() string {
	switch a {
	case AlertPending:
		return "En cola"
	case AlertSent:
		return "Enviada"
	case AlertRetrying:
		return "Reintentando"
	case AlertFailed:
		return "Fallida"
	case AlertBounced:
		return "Rebotada"
	}
	return string(a)
}

// English names the state in English.
func (a AlertState) English() string {
	switch a {
	case AlertPending:
		return "Queued"
	case AlertSent:
		return "Sent"
	case AlertRetrying:
		return "Retrying"
	case AlertFailed:
		return "Failed"
	case AlertBounced:
		return "Bounced"
	}
	return string(a)
}

// Notification is a deposited notification without its body: what lists
// show, with its state.
type Notification struct {
	ID              string
	BatchID         string
	InstitutionID   string
	InstitutionName string
	RecipientID     string
	RecipientNUI    nui.NUI
	Subject         string
	Reference       string
	Category        Category
	// BodySHA256 is the hex SHA-256 of the body as deposited (the evidence's content hash).
	BodySHA256       string
	TramiteID        string
	RectifiesID      string
	Deadline         calendar.Deadline
	Due              calendar.Date // zero without a deadline
	VerificationCode string
	DepositedAt      time.Time

	Unread            bool
	FirstOpenedAt     time.Time
	LastOpenedAt      time.Time
	OpenCount         int
	FirstDownloadAt   time.Time
	Alert             AlertState
	AlertAt           time.Time
	AlertAttempts     int
	AlertError        string
	DeadlineReachedAt time.Time
}

// HasDeadline reports whether the notification sets a due date.
func (n *Notification) HasDeadline() bool { return !n.Due.IsZero() }

// Overdue reports whether the due date is before today.
func (n *Notification) Overdue(today calendar.Date) bool {
	return n.HasDeadline() && n.Due.Before(today)
}

func notificationOf(r *store.Notification) Notification {
	n := Notification{
		ID: r.ID, BatchID: r.BatchID, InstitutionID: r.InstitutionID, InstitutionName: r.InstitutionName,
		RecipientID: r.RecipientID, RecipientNUI: nui.NUI(r.RecipientNUI), Subject: r.Subject, Reference: r.Reference,
		Category: Category(r.Category), BodySHA256: r.BodySHA256, TramiteID: r.TramiteID, RectifiesID: r.RectifiesID,
		VerificationCode: r.VerificationCode, DepositedAt: r.DepositedAt,
		Unread: r.Unread, FirstOpenedAt: r.FirstOpenedAt, LastOpenedAt: r.LastOpenedAt, OpenCount: r.OpenCount,
		FirstDownloadAt: r.FirstDownloadAt, Alert: AlertState(r.AlertState), AlertAt: r.AlertAt,
		AlertAttempts: r.AlertAttempts, AlertError: r.AlertError, DeadlineReachedAt: r.DeadlineReachedAt,
	}
	_ = n.Deadline.Kind.UnmarshalText([]byte(r.DeadlineKind))
	n.Deadline.Count = r.DeadlineCount
	if r.DeadlineDate != "" {
		n.Deadline.Date, _ = calendar.ParseDate(r.DeadlineDate)
	}
	if r.DueDate != "" {
		n.Due, _ = calendar.ParseDate(r.DueDate)
	}
	return n
}

func notificationsOf(rows []store.Notification) []Notification {
	out := make([]Notification, len(rows))
	for i := range rows {
		out[i] = notificationOf(&rows[i])
	}
	return out
}

// ValidID reports whether s has the form of a notification (or attachment)
// id. Anything else is answered as not found before reaching the database.
func ValidID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && len(s) == 36 && u.String() == strings.ToLower(s)
}

// codeAlphabet leaves out the characters people confuse (0/O, 1/I/L, 5/S, 8/B).
const codeAlphabet = "234679ACDEFGHJKMNPQRTUVWXYZ"

// NewVerificationCode returns a short code such as "K7Q-2M9", printed in the
// alert email and beside the notification in the inbox so the citizen can
// tell a real alert from a phishing one. It is not a secret and not unique.
func NewVerificationCode() string {
	var b [6]byte
	rand.Read(b[:])
	out := make([]byte, 0, 7)
	for i, c := range b {
		if i == 3 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return string(out)
}
