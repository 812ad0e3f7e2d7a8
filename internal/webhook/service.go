package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"buzon/internal/identity"
	"buzon/internal/institution"
	"buzon/internal/jobs"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// Audit actions written by this package. The values are stored.
const (
	ActionCreate = "webhook.crear"
	ActionDelete = "webhook.eliminar"
	ActionEnable = "webhook.reactivar"
	ActionTest   = "webhook.probar"
)

// DefaultMaxEndpoints bounds an institution's endpoints.
const DefaultMaxEndpoints = 10

// Service manages endpoints, dispatches events to them and delivers
// messages. It is safe for concurrent use.
type Service struct {
	DB   *store.DB
	Keys *seal.Keyring // seals the signing secrets
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// AllowPrivate admits http:// URLs and loopback or private addresses:
	// for development and tests only (the SSRF defence is off).
	AllowPrivate bool
	// HTTP posts the messages; nil means NewHTTPClient(AllowPrivate).
	HTTP *http.Client
	// MaxEndpoints bounds an institution's endpoints; 0 means DefaultMaxEndpoints.
	MaxEndpoints int
	// MailFrom is the From of the email that says an endpoint was
	// disabled; "" means the sender's default.
	MailFrom string
	// ConsoleURL is where the administrator manages webhooks, for that
	// email; "" leaves the link out.
	ConsoleURL string
	// Wake, if set, is called after a transaction queued deliveries, so
	// that an idle job runner starts them at once.
	Wake   func()
	Logger *slog.Logger

	clientOnce sync.Once
	client     *http.Client
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Service) httpClient() *http.Client {
	if s.HTTP != nil {
		return s.HTTP
	}
	s.clientOnce.Do(func() { s.client = NewHTTPClient(s.AllowPrivate) })
	return s.client
}

func (s *Service) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}

// Actor is who changes an institution's endpoints: its administrator in the
// console (Principal), or one of its systems through the API (KeyPrefix,
// already authenticated for the institution).
type Actor struct {
	Principal *identity.Principal
	KeyPrefix string
}

// authorize checks the actor may manage the institution's endpoints.
func (a Actor) authorize(institutionID string) error {
	if a.Principal != nil {
		if identity.RequireIn(a.Principal, identity.RoleInstitutionAdmin, institutionID) != nil {
			return ErrForbidden
		}
		return nil
	}
	if a.KeyPrefix == "" {
		return ErrForbidden
	}
	return nil
}

// audit records an actor's change in the audit log: an API key acts as the
// system, named by its prefix.
func (a Actor) audit(ctx context.Context, tx *store.Tx, action, institutionID, detail string, now time.Time) error {
	p, role := a.Principal, identity.RoleInstitutionAdmin
	if p == nil {
		p, role = identity.System("api "+a.KeyPrefix), ""
	}
	return identity.RecordAudit(ctx, tx, p, role, identity.AuditRecord{Action: action, InstitutionID: institutionID, Detail: detail}, now)
}

// Input is a new endpoint as submitted.
type Input struct {
	URL         string
	Description string
	// EventTypes to subscribe to; empty means all.
	EventTypes []EventType
}

func (s *Service) check(in *Input) error {
	u, err := CheckURL(in.URL, s.AllowPrivate)
	if err != nil {
		return err
	}
	in.URL = u
	in.Description = strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(in.Description) > 200 || !utf8.ValidString(in.Description) ||
		strings.ContainsFunc(in.Description, unicode.IsControl) {
		return ErrDescriptionTooLong
	}
	seen := map[EventType]bool{}
	var types []EventType
	for _, t := range in.EventTypes {
		if !t.Valid() {
			return ErrEventTypeUnknown
		}
		if !seen[t] {
			seen[t] = true
			types = append(types, t)
		}
	}
	in.EventTypes = types
	return nil
}

func endpointOf(w *store.Webhook) Endpoint {
	e := Endpoint{ID: w.ID, InstitutionID: w.InstitutionID, URL: w.URL, Description: w.Description, State: State(w.State),
		StateReason: w.StateReason, FailingSince: w.FailingSince, CreatedAt: w.CreatedAt}
	for _, t := range strings.Fields(w.EventTypes) {
		e.EventTypes = append(e.EventTypes, EventType(t))
	}
	return e
}

func joinTypes(ts []EventType) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = string(t)
	}
	return strings.Join(parts, " ")
}

// CreateIn registers an endpoint inside tx and returns it with its signing
// secret, the only time the secret is shown.
func (s *Service) CreateIn(ctx context.Context, tx *store.Tx, a Actor, institutionID string, in Input, now time.Time) (*Endpoint, string, error) {
	if err := a.authorize(institutionID); err != nil {
		return nil, "", err
	}
	if err := s.check(&in); err != nil {
		return nil, "", err
	}
	inst, err := tx.InstitutionByID(ctx, institutionID)
	if err != nil {
		return nil, "", fmt.Errorf("create webhook: %w", err)
	}
	if inst.Modality != string(institution.ModalityInterconnection) {
		return nil, "", ErrNotInterconnection
	}
	n, err := tx.CountWebhooks(ctx, institutionID)
	if err != nil {
		return nil, "", fmt.Errorf("create webhook: %w", err)
	}
	max := s.MaxEndpoints
	if max <= 0 {
		max = DefaultMaxEndpoints
	}
	if n >= max {
		return nil, "", ErrTooMany
	}
	secret := NewSecret()
	w := &store.Webhook{ID: store.NewID(), InstitutionID: institutionID, URL: in.URL, Description: in.Description,
		EventTypes: joinTypes(in.EventTypes), CreatedAt: now}
	if a.Principal != nil {
		w.CreatedBy = a.Principal.ID
	} else {
		w.CreatedBy = "api " + a.KeyPrefix
	}
	if w.SecretSealed, err = s.Keys.Seal([]byte(secret), []byte("webhook:"+w.ID)); err != nil {
		return nil, "", fmt.Errorf("create webhook: seal secret: %w", err)
	}
	if err := tx.InsertWebhook(ctx, w); err != nil {
		return nil, "", fmt.Errorf("create webhook: %w", err)
	}
	if err := a.audit(ctx, tx, ActionCreate, institutionID, "webhook "+w.URL, now); err != nil {
		return nil, "", err
	}
	e := endpointOf(w)
	return &e, secret, nil
}

// Create registers an endpoint in its own transaction.
func (s *Service) Create(ctx context.Context, a Actor, institutionID string, in Input) (*Endpoint, string, error) {
	var e *Endpoint
	var secret string
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		e, secret, err = s.CreateIn(ctx, tx, a, institutionID, in, s.now())
		return err
	})
	return e, secret, err
}

// List returns an institution's endpoints, oldest first.
func (s *Service) List(ctx context.Context, a Actor, institutionID string) ([]Endpoint, error) {
	if err := a.authorize(institutionID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Reader().WebhooksOf(ctx, institutionID)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	out := make([]Endpoint, len(rows))
	for i := range rows {
		out[i] = endpointOf(&rows[i])
	}
	return out, nil
}

// Get returns one of an institution's endpoints; ErrNotFound for another's.
func (s *Service) Get(ctx context.Context, a Actor, institutionID, id string) (*Endpoint, error) {
	if err := a.authorize(institutionID); err != nil {
		return nil, err
	}
	w, err := s.DB.Reader().Webhook(ctx, institutionID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	e := endpointOf(w)
	return &e, nil
}

// DeleteIn removes an endpoint inside tx: nothing more is sent to it (its
// queued deliveries fail at their next attempt); its delivery log stays.
func (s *Service) DeleteIn(ctx context.Context, tx *store.Tx, a Actor, institutionID, id string, now time.Time) error {
	if err := a.authorize(institutionID); err != nil {
		return err
	}
	w, err := tx.Webhook(ctx, institutionID, id)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	if err := tx.SetWebhookState(ctx, institutionID, id, store.WebhookDeleted, "", now); err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	return a.audit(ctx, tx, ActionDelete, institutionID, "webhook "+w.URL, now)
}

// Delete removes an endpoint in its own transaction.
func (s *Service) Delete(ctx context.Context, a Actor, institutionID, id string) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error { return s.DeleteIn(ctx, tx, a, institutionID, id, s.now()) })
}

// Enable turns a disabled endpoint back on.
func (s *Service) Enable(ctx context.Context, a Actor, institutionID, id string) error {
	if err := a.authorize(institutionID); err != nil {
		return err
	}
	now := s.now()
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		w, err := tx.Webhook(ctx, institutionID, id)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("enable webhook: %w", err)
		}
		if err := tx.SetWebhookState(ctx, institutionID, id, store.WebhookActive, "", now); err != nil {
			return fmt.Errorf("enable webhook: %w", err)
		}
		return a.audit(ctx, tx, ActionEnable, institutionID, "webhook "+w.URL, now)
	})
}

// SendTestIn queues a test event for an endpoint inside tx (active or
// disabled: a test is how an administrator checks a repaired receiver).
func (s *Service) SendTestIn(ctx context.Context, tx *store.Tx, a Actor, institutionID, id string, now time.Time) (*Delivery, error) {
	if err := a.authorize(institutionID); err != nil {
		return nil, err
	}
	w, err := tx.Webhook(ctx, institutionID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("test webhook: %w", err)
	}
	msgID := store.NewID()
	msg := Message{Type: Test, Timestamp: now, Data: Event{ID: msgID, Type: Test, OccurredAt: now,
		Details: map[string]string{"message": "Evento de prueba de Buzón / Buzón test event"}}}
	d, err := s.queue(ctx, tx, w, msg, now, true)
	if err != nil {
		return nil, err
	}
	if err := a.audit(ctx, tx, ActionTest, institutionID, "webhook "+w.URL, now); err != nil {
		return nil, err
	}
	return d, nil
}

// SendTest queues a test event in its own transaction.
func (s *Service) SendTest(ctx context.Context, a Actor, institutionID, id string) (*Delivery, error) {
	var d *Delivery
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		d, err = s.SendTestIn(ctx, tx, a, institutionID, id, s.now())
		return err
	})
	if err == nil {
		s.wake()
	}
	return d, err
}

// queue writes a delivery of msg to w and its job. A message already
// queued for the endpoint is not queued again (nil, nil).
func (s *Service) queue(ctx context.Context, tx *store.Tx, w *store.Webhook, msg Message, now time.Time, test bool) (*Delivery, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("queue webhook: %w", err)
	}
	row := &store.WebhookDelivery{WebhookID: w.ID, InstitutionID: w.InstitutionID, MessageID: msg.Data.ID,
		EventType: string(msg.Type), Payload: body, CreatedAt: now}
	inserted, err := tx.InsertWebhookDelivery(ctx, row)
	if err != nil || !inserted {
		return nil, err
	}
	if _, err := jobs.Enqueue(ctx, tx, DeliveryKind, deliveryJob{DeliveryID: row.ID}, now,
		jobs.Options{UniqueKey: "webhook:" + row.ID, MaxAttempts: MaxAttempts}); err != nil {
		return nil, fmt.Errorf("queue webhook: %w", err)
	}
	return &Delivery{ID: row.ID, WebhookID: w.ID, MessageID: row.MessageID, EventType: msg.Type, State: DeliveryPending,
		CreatedAt: now, UpdatedAt: now}, nil
}

// Deliveries returns an endpoint's latest deliveries with their attempts,
// newest first: the delivery log.
func (s *Service) Deliveries(ctx context.Context, a Actor, institutionID, id string, limit int) ([]Delivery, error) {
	if _, err := s.Get(ctx, a, institutionID, id); err != nil {
		return nil, err
	}
	r := s.DB.Reader()
	rows, err := r.WebhookDeliveries(ctx, id, limit)
	if err != nil {
		return nil, fmt.Errorf("webhook deliveries: %w", err)
	}
	ids := make([]string, len(rows))
	for i, d := range rows {
		ids[i] = d.ID
	}
	attempts, err := r.WebhookAttempts(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("webhook deliveries: %w", err)
	}
	byDelivery := map[string][]Attempt{}
	for _, at := range attempts {
		byDelivery[at.DeliveryID] = append(byDelivery[at.DeliveryID], Attempt{Number: at.Attempt, At: at.At, Status: at.Status,
			Duration: at.Duration, Error: at.Error, Response: at.Response})
	}
	out := make([]Delivery, len(rows))
	for i, d := range rows {
		out[i] = Delivery{ID: d.ID, WebhookID: d.WebhookID, MessageID: d.MessageID, EventType: EventType(d.EventType),
			State: DeliveryState(d.State), Attempts: byDelivery[d.ID], LastStatus: d.LastStatus, LastError: d.LastError,
			CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	}
	return out, nil
}
