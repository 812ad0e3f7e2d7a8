// Package webhook tells institutions' systems what happens to their
// notifications by posting events to URLs they register, signed the way
// Standard Webhooks (standardwebhooks.com) specifies:
//
//	webhook-id: <message id, the same on every attempt>
//	webhook-timestamp: <Unix seconds of the attempt>
//	webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body" under the secret>
//
// with a secret "whsec_<base64>" shown to the institution once.
//
// Events come from the evidence log: a [Dispatcher] reads the integrated
// events in log order (leaf index, which the integrator gives in commit
// order, so nothing is skipped), and for each event of an institution with
// active endpoints writes a delivery and its job in one transaction, then
// moves its cursor. The job posts the message and is retried with backoff
// for about 24 hours ([Backoff]); an endpoint whose deliveries keep failing
// for that long is disabled and the institution's administrators are told
// by email. Every attempt is kept in the delivery log.
//
// Endpoints must be https:// URLs of public addresses: the platform refuses
// loopback, private and link-local addresses (when registering, and again
// when connecting, so a DNS answer cannot point it inside the network)
// unless the AllowPrivate setting (development and tests) says otherwise.
package webhook

import (
	"slices"
	"time"

	"buzon/internal/evidence"
)

// EventType names an event as webhooks and the event feed carry it.
type EventType string

// The event types institutions can subscribe to.
const (
	Deposited            EventType = "notification.deposited"
	AlertSent            EventType = "notification.alert_sent"
	AlertFailed          EventType = "notification.alert_failed"
	Opened               EventType = "notification.opened"
	AttachmentDownloaded EventType = "notification.attachment_downloaded"
	ReminderSent         EventType = "notification.reminder_sent"
	DeadlineReached      EventType = "notification.deadline_reached"
	Rectified            EventType = "notification.rectified"
	// Test is sent by the console's "send a test event" button; every
	// endpoint receives it whatever it subscribed to.
	Test EventType = "webhook.test"
)

// EventTypes lists the types an endpoint can subscribe to, in lifecycle order.
func EventTypes() []EventType {
	return []EventType{Deposited, AlertSent, AlertFailed, Opened, AttachmentDownloaded, ReminderSent, DeadlineReached, Rectified}
}

// Valid reports whether t is a type one can subscribe to.
func (t EventType) Valid() bool { return slices.Contains(EventTypes(), t) }

// evidenceTypes maps the evidence log's vocabulary to event types; events
// not listed (submitted, account events) are not published.
var evidenceTypes = map[evidence.Type]EventType{
	evidence.Deposited:            Deposited,
	evidence.AlertSent:            AlertSent,
	evidence.AlertFailed:          AlertFailed,
	evidence.Opened:               Opened,
	evidence.AttachmentDownloaded: AttachmentDownloaded,
	evidence.ReminderSent:         ReminderSent,
	evidence.DeadlineReached:      DeadlineReached,
	evidence.Rectified:            Rectified,
}

// TypeOf returns the event type of an evidence type, and false for those
// not published.
func TypeOf(t evidence.Type) (EventType, bool) {
	et, ok := evidenceTypes[t]
	return et, ok
}

// EvidenceTypes lists the evidence types that are published, for queries.
func EvidenceTypes() []string {
	out := make([]string, 0, len(evidenceTypes))
	for _, et := range EventTypes() {
		for ev, t := range evidenceTypes {
			if t == et {
				out = append(out, string(ev))
			}
		}
	}
	return out
}

// Spanish describes the event type as the console does.
func (t EventType) Spanish() string {
	switch t {
	case Deposited:
		return "Notificación depositada en el buzón"
	case AlertSent:
		return "Alerta por correo enviada"
	case AlertFailed:
		return "Alerta por correo fallida"
	case Opened:
		return "Notificación abierta"
	case AttachmentDownloaded:
		return "Anexo descargado"
	case ReminderSent:
		return "Recordatorio de plazo enviado"
	case DeadlineReached:
		return "Plazo vencido"
	case Rectified:
		return "Notificación rectificada"
	case Test:
		return "Evento de prueba"
	}
	return string(t)
}

// English describes the event type in English.
func (t EventType) English() string {
	switch t {
	case Deposited:
		return "Notification deposited in the mailbox"
	case AlertSent:
		return "Email alert sent"
	case AlertFailed:
		return "Email alert failed"
	case Opened:
		return "Notification opened"
	case AttachmentDownloaded:
		return "Attachment downloaded"
	case ReminderSent:
		return "Deadline reminder sent"
	case DeadlineReached:
		return "Deadline reached"
	case Rectified:
		return "Notification rectified"
	case Test:
		return "Test event"
	}
	return string(t)
}

// Event is one event as webhooks post it (in Message.Data) and as the API's
// event feed lists it. ID is the evidence event's id: the same event has the
// same id in the feed and in the webhook-id header, so a system that both
// pulls and receives can tell a repeat.
type Event struct {
	ID             string            `json:"id"`
	Type           EventType         `json:"type"`
	OccurredAt     time.Time         `json:"occurred_at"`
	NotificationID string            `json:"notification_id,omitempty"`
	Reference      string            `json:"reference,omitempty"`
	Recipient      string            `json:"recipient,omitempty"`
	Details        map[string]string `json:"details,omitempty"`
}

// Message is the body of a webhook request, in the Standard Webhooks shape.
type Message struct {
	Type      EventType `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      Event     `json:"data"`
}

// State is where an endpoint stands. The values are stored.
type State string

// The states of an endpoint.
const (
	StateActive   State = "active"
	StateDisabled State = "disabled"
)

// Spanish names the state as the console does.
func (s State) Spanish() string {
	if s == StateDisabled {
		return "Desactivado"
	}
	return "Activo"
}

// English names the state in English.
func (s State) English() string {
	if s == StateDisabled {
		return "Disabled"
	}
	return "Active"
}

// Endpoint is a URL of an institution's system that receives its events.
type Endpoint struct {
	ID            string
	InstitutionID string
	URL           string
	Description   string
	// EventTypes it subscribed to; empty means all.
	EventTypes   []EventType
	State        State
	StateReason  string
	FailingSince time.Time // zero while deliveries succeed
	CreatedAt    time.Time
}

// Wants reports whether the endpoint receives events of type t.
func (e *Endpoint) Wants(t EventType) bool {
	return t == Test || len(e.EventTypes) == 0 || slices.Contains(e.EventTypes, t)
}

// DeliveryState is where a delivery stands.
type DeliveryState string

// The states of a delivery. The values are stored.
const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryRetrying  DeliveryState = "retrying"
	DeliveryFailed    DeliveryState = "failed"
)

// Spanish names the state as the delivery log does.
func (s DeliveryState) Spanish() string {
	switch s {
	case DeliveryPending:
		return "En cola"
	case DeliveryDelivered:
		return "Entregado"
	case DeliveryRetrying:
		return "Reintentando"
	case DeliveryFailed:
		return "Fallido"
	}
	return string(s)
}

// English names the state in English.
func (s DeliveryState) English() string {
	switch s {
	case DeliveryPending:
		return "Queued"
	case DeliveryDelivered:
		return "Delivered"
	case DeliveryRetrying:
		return "Retrying"
	case DeliveryFailed:
		return "Failed"
	}
	return string(s)
}

// Delivery is one message for one endpoint, as the delivery log shows it.
type Delivery struct {
	ID         string
	WebhookID  string
	MessageID  string
	EventType  EventType
	State      DeliveryState
	Attempts   []Attempt
	LastStatus int
	LastError  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Attempt is one try at a delivery.
type Attempt struct {
	Number   int
	At       time.Time
	Status   int // HTTP status; 0 when no response came
	Duration time.Duration
	Error    string
	Response string // the start of the response body
}
