package evidence

import (
	"time"

	"buzon/internal/nui"
)

// Type is what happened: the vocabulary of DESIGN §4, close to the events
// of ETSI EN 319 522 (registered electronic delivery).
type Type string

// The notification lifecycle, in the order it usually happens.
const (
	Submitted            Type = "submitted"             // the institution handed the notification over
	Deposited            Type = "deposited"             // available in the buzón: the legal moment of notification
	AlertSent            Type = "alert_sent"            // the email alert was accepted by the mail server
	AlertFailed          Type = "alert_failed"          // the email alert could not be delivered
	Opened               Type = "opened"                // the recipient opened it (every access)
	AttachmentDownloaded Type = "attachment_downloaded" // the recipient downloaded an attachment
	ReminderSent         Type = "reminder_sent"         // a deadline reminder was sent
	DeadlineReached      Type = "deadline_reached"      // the deadline ran out
	Rectified            Type = "rectified"             // a later notification corrects this one
	Rejected             Type = "rejected"              // refused before deposit, with a reason
)

// Account events: the identity feature records them so that a recipient's
// registration is provable like a notification is.
const (
	AccountRegistered  Type = "account_registered"
	AccountActivated   Type = "account_activated"
	AccountSuspended   Type = "account_suspended"
	AccountReactivated Type = "account_reactivated"
)

var typeLabels = map[Type]string{
	Submitted:            "Enviada por la institución",
	Deposited:            "Depositada en el buzón (notificación practicada)",
	AlertSent:            "Alerta enviada por correo electrónico",
	AlertFailed:          "Alerta por correo electrónico no entregada",
	Opened:               "Abierta por el destinatario",
	AttachmentDownloaded: "Anexo descargado por el destinatario",
	ReminderSent:         "Recordatorio de plazo enviado",
	DeadlineReached:      "Vencimiento del plazo",
	Rectified:            "Rectificada por otra notificación",
	Rejected:             "Rechazada",
	AccountRegistered:    "Cuenta registrada",
	AccountActivated:     "Cuenta activada",
	AccountSuspended:     "Cuenta suspendida",
	AccountReactivated:   "Cuenta reactivada",
}

// Valid reports whether t is one of the known event types; Record refuses
// others, so a typo cannot enter the log.
func (t Type) Valid() bool { _, ok := typeLabels[t]; return ok }

// Label is the Spanish wording of the event in a constancia's timeline.
func (t Type) Label() string {
	if l, ok := typeLabels[t]; ok {
		return l
	}
	return string(t)
}

// aboutNotification reports whether the event must name a notification.
func (t Type) aboutNotification() bool {
	switch t {
	case AccountRegistered, AccountActivated, AccountSuspended, AccountReactivated:
		return false
	}
	return true
}

// ActorKind says who caused an event.
type ActorKind string

// The kinds of actor.
const (
	ActorCitizen ActorKind = "citizen" // ID is the citizen's N.U.I.
	ActorStaff   ActorKind = "staff"   // ID is the staff user's id (notifier, operator, administrator)
	ActorAPI     ActorKind = "api"     // ID is the institution's API credential id
	ActorSystem  ActorKind = "system"  // the platform itself (workers, deadlines); ID optional
)

// Actor is who caused an event.
type Actor struct {
	Kind ActorKind
	ID   string
}

// System is the platform acting on its own (the alert worker, the deadline
// clock).
var System = Actor{Kind: ActorSystem}

// Citizen is a recipient acting on his own buzón.
func Citizen(n nui.NUI) Actor { return Actor{Kind: ActorCitizen, ID: n.String()} }

// Label is the Spanish wording of the actor in a constancia.
func (a Actor) Label() string {
	switch a.Kind {
	case ActorCitizen:
		return "el ciudadano con N.U.I. " + a.ID
	case ActorStaff:
		return "el usuario " + a.ID + " (servidor público)"
	case ActorAPI:
		return "el sistema de la institución (interconexión, credencial " + a.ID + ")"
	case ActorSystem:
		if a.ID != "" {
			return "la plataforma Buzón (" + a.ID + ")"
		}
		return "la plataforma Buzón"
	}
	return string(a.Kind) + " " + a.ID
}

// Event is one entry of the evidence log. Its canonical encoding (Encode) is
// what the Merkle tree commits to; its fields are what a constancia shows.
type Event struct {
	// ID is a UUIDv7 given by Record. Its randomness is what keeps the
	// public record hashes from being guessed from known facts.
	ID   string
	Type Type
	// Time is when it happened (UTC, kept to the microsecond).
	Time  time.Time
	Actor Actor
	// NotificationID, InstitutionID and RecipientNUI say what it is about;
	// account events leave NotificationID and InstitutionID empty.
	NotificationID string
	InstitutionID  string
	RecipientNUI   nui.NUI
	// ContentSHA256 is the lowercase hex SHA-256 of the notification's body,
	// AttachmentSHA256 those of its attachments in their order.
	ContentSHA256    string
	AttachmentSHA256 []string
	// Details holds a few more facts (a rejection reason, which attachment
	// was downloaded, the alert's message id): keys [a-z0-9_]{1,32}.
	Details map[string]string
}
