package store

import (
	"context"
	"fmt"
	"time"
)

// Webhook endpoint states.
const (
	WebhookActive   = "active"
	WebhookDisabled = "disabled"
	WebhookDeleted  = "deleted"
)

// Webhook is one row of webhooks: a URL of an institution's system that
// receives its events, signed with a secret kept sealed.
type Webhook struct {
	ID            string
	InstitutionID string
	URL           string
	Description   string
	EventTypes    string // space-separated; "" means every type
	SecretSealed  []byte
	State         string
	StateReason   string
	FailingSince  time.Time // zero while deliveries succeed
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

const webhookColumns = `id, institution_id, url, description, event_types, secret_sealed, state, state_reason, failing_since,
	created_by, created_at, updated_at`

func scanWebhook(row interface{ Scan(...any) error }) (*Webhook, error) {
	var (
		w                         Webhook
		failing, created, updated int64
	)
	if err := row.Scan(&w.ID, &w.InstitutionID, &w.URL, &w.Description, &w.EventTypes, &w.SecretSealed, &w.State, &w.StateReason,
		&failing, &w.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	w.FailingSince, w.CreatedAt, w.UpdatedAt = fromMicros(failing), fromMicros(created), fromMicros(updated)
	return &w, nil
}

// InsertWebhook stores a new endpoint.
func (tx *Tx) InsertWebhook(ctx context.Context, w *Webhook) error {
	if w.ID == "" {
		w.ID = NewID()
	}
	if w.State == "" {
		w.State = WebhookActive
	}
	w.UpdatedAt = w.CreatedAt
	_, err := tx.q.ExecContext(ctx, `INSERT INTO webhooks (`+webhookColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $10)`,
		w.ID, w.InstitutionID, w.URL, w.Description, w.EventTypes, w.SecretSealed, w.State, w.StateReason, w.CreatedBy, micros(w.CreatedAt))
	return wrapWrite("insert webhook", err)
}

// Webhook returns one of an institution's endpoints that is not deleted, or
// ErrNotFound. An empty institutionID reads any (for the delivery worker).
func (tx *Tx) Webhook(ctx context.Context, institutionID, id string) (*Webhook, error) {
	if !validUUID(id) || (institutionID != "" && !validUUID(institutionID)) {
		return nil, fmt.Errorf("webhook %q: %w", id, ErrNotFound)
	}
	q := `SELECT ` + webhookColumns + ` FROM webhooks WHERE id = $1 AND state <> 'deleted'`
	args := []any{id}
	if institutionID != "" {
		q += ` AND institution_id = $2`
		args = append(args, institutionID)
	}
	w, err := scanWebhook(tx.q.QueryRowContext(ctx, q, args...))
	return w, wrap("webhook", err)
}

// WebhooksOf lists an institution's endpoints that are not deleted, oldest first.
func (tx *Tx) WebhooksOf(ctx context.Context, institutionID string) ([]Webhook, error) {
	if !validUUID(institutionID) {
		return nil, nil
	}
	return tx.webhooks(ctx, "webhooks of institution", `WHERE institution_id = $1 AND state <> 'deleted' ORDER BY created_at, id`, institutionID)
}

// ActiveWebhooksOf lists the active endpoints of the given institutions.
func (tx *Tx) ActiveWebhooksOf(ctx context.Context, institutionIDs []string) ([]Webhook, error) {
	var ids []any
	for _, id := range institutionIDs {
		if validUUID(id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return tx.webhooks(ctx, "active webhooks", `WHERE state = 'active' AND institution_id IN (`+paramList(1, len(ids))+`) ORDER BY created_at, id`, ids...)
}

// CountWebhooks counts an institution's endpoints that are not deleted.
func (tx *Tx) CountWebhooks(ctx context.Context, institutionID string) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM webhooks WHERE institution_id = $1 AND state <> 'deleted'`, institutionID).Scan(&n)
	return n, wrap("count webhooks", err)
}

func (tx *Tx) webhooks(ctx context.Context, op, where string, args ...any) ([]Webhook, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks `+where, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, *w)
	}
	return out, wrap(op, rows.Err())
}

// SetWebhookState changes an endpoint's state (with a reason); ErrNotFound
// when the institution has no such endpoint, or it is deleted.
func (tx *Tx) SetWebhookState(ctx context.Context, institutionID, id, state, reason string, now time.Time) error {
	if !validUUID(id) || !validUUID(institutionID) {
		return fmt.Errorf("set webhook state: %w", ErrNotFound)
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE webhooks SET state = $3, state_reason = $4, failing_since = 0, updated_at = $5
		WHERE id = $1 AND institution_id = $2 AND state <> 'deleted'`, id, institutionID, state, reason, micros(now))
	return affectedOne("set webhook state", res, err)
}

// WebhookSucceeded clears an endpoint's failing streak.
func (tx *Tx) WebhookSucceeded(ctx context.Context, id string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE webhooks SET failing_since = 0 WHERE id = $1 AND failing_since <> 0`, id)
	return wrap("webhook succeeded", err)
}

// WebhookFailed starts an endpoint's failing streak at now unless one is
// running, and returns when the streak started.
func (tx *Tx) WebhookFailed(ctx context.Context, id string, now time.Time) (time.Time, error) {
	var since int64
	err := tx.q.QueryRowContext(ctx, `UPDATE webhooks SET failing_since = CASE WHEN failing_since = 0 THEN $2 ELSE failing_since END
		WHERE id = $1 RETURNING failing_since`, id, micros(now)).Scan(&since)
	return fromMicros(since), wrap("webhook failed", err)
}

// Webhook delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryRetrying  = "retrying"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one row of webhook_deliveries: one message for one
// endpoint, with the same webhook-id on every attempt.
type WebhookDelivery struct {
	ID            string
	WebhookID     string
	InstitutionID string
	MessageID     string
	EventType     string
	Payload       []byte
	State         string
	Attempts      int
	LastStatus    int
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

const deliveryColumns = `id, webhook_id, institution_id, message_id, event_type, payload, state, attempts, last_status, last_error,
	created_at, updated_at`

// InsertWebhookDelivery stores a message for an endpoint and reports false
// (inserting nothing) when the endpoint already has that message.
func (tx *Tx) InsertWebhookDelivery(ctx context.Context, d *WebhookDelivery) (bool, error) {
	if d.ID == "" {
		d.ID = NewID()
	}
	d.State, d.UpdatedAt = DeliveryPending, d.CreatedAt
	res, err := tx.q.ExecContext(ctx, `INSERT INTO webhook_deliveries (`+deliveryColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, 0, '', $7, $7) ON CONFLICT (webhook_id, message_id) DO NOTHING`,
		d.ID, d.WebhookID, d.InstitutionID, d.MessageID, d.EventType, d.Payload, micros(d.CreatedAt))
	if err != nil {
		return false, wrap("insert webhook delivery", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap("insert webhook delivery", err)
}

func scanDelivery(row interface{ Scan(...any) error }) (*WebhookDelivery, error) {
	var (
		d                WebhookDelivery
		created, updated int64
	)
	if err := row.Scan(&d.ID, &d.WebhookID, &d.InstitutionID, &d.MessageID, &d.EventType, &d.Payload, &d.State, &d.Attempts,
		&d.LastStatus, &d.LastError, &created, &updated); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &d, nil
}

// WebhookDelivery returns one delivery, or ErrNotFound.
func (tx *Tx) WebhookDelivery(ctx context.Context, id string) (*WebhookDelivery, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("webhook delivery %q: %w", id, ErrNotFound)
	}
	d, err := scanDelivery(tx.q.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = $1`, id))
	return d, wrap("webhook delivery", err)
}

// WebhookDeliveries lists an endpoint's latest deliveries, newest first.
func (tx *Tx) WebhookDeliveries(ctx context.Context, webhookID string, limit int) ([]WebhookDelivery, error) {
	if !validUUID(webhookID) {
		return nil, nil
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE webhook_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2`, webhookID, limitOr(limit, 200))
	if err != nil {
		return nil, wrap("webhook deliveries", err)
	}
	defer rows.Close()
	var out []WebhookDelivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, wrap("webhook deliveries", err)
		}
		out = append(out, *d)
	}
	return out, wrap("webhook deliveries", rows.Err())
}

// WebhookAttempt is one try at a delivery: the delivery log's line.
type WebhookAttempt struct {
	DeliveryID string
	Attempt    int
	At         time.Time
	Status     int // HTTP status, 0 when no response came
	Duration   time.Duration
	Error      string
	Response   string // the start of the response body
}

// RecordWebhookAttempt logs an attempt and updates its delivery's state.
func (tx *Tx) RecordWebhookAttempt(ctx context.Context, a *WebhookAttempt, state string) error {
	if _, err := tx.q.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, at, status, duration_ms, error, response)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (delivery_id, attempt) DO NOTHING`,
		a.DeliveryID, a.Attempt, micros(a.At), a.Status, a.Duration.Milliseconds(), a.Error, a.Response); err != nil {
		return wrap("record webhook attempt", err)
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE webhook_deliveries SET state = $2, attempts = $3, last_status = $4, last_error = $5,
		updated_at = $6 WHERE id = $1`, a.DeliveryID, state, a.Attempt, a.Status, a.Error, micros(a.At))
	return affectedOne("record webhook attempt", res, err)
}

// WebhookAttempts lists the attempts of the given deliveries, in order.
func (tx *Tx) WebhookAttempts(ctx context.Context, deliveryIDs []string) ([]WebhookAttempt, error) {
	var out []WebhookAttempt
	for _, chunk := range idChunks(deliveryIDs, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := tx.q.QueryContext(ctx, `SELECT delivery_id, attempt, at, status, duration_ms, error, response FROM webhook_attempts
			WHERE delivery_id IN (`+paramList(1, len(chunk))+`) ORDER BY delivery_id, attempt`, args...)
		if err != nil {
			return nil, wrap("webhook attempts", err)
		}
		for rows.Next() {
			var (
				a      WebhookAttempt
				at, ms int64
			)
			if err := rows.Scan(&a.DeliveryID, &a.Attempt, &at, &a.Status, &ms, &a.Error, &a.Response); err != nil {
				rows.Close()
				return nil, wrap("webhook attempts", err)
			}
			a.At, a.Duration = fromMicros(at), time.Duration(ms)*time.Millisecond
			out = append(out, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrap("webhook attempts", err)
		}
	}
	return out, nil
}

// LockWebhookCursor returns how far the dispatcher has read the evidence
// log, locking the cursor (on PostgreSQL) until the transaction ends, so
// that one dispatcher at a time reads on across all processes.
func (tx *Tx) LockWebhookCursor(ctx context.Context) (int64, error) {
	q := `SELECT leaf FROM webhook_cursor WHERE id = 1`
	if tx.engine == Postgres {
		q += ` FOR UPDATE`
	}
	var leaf int64
	err := tx.q.QueryRowContext(ctx, q).Scan(&leaf)
	return leaf, wrap("lock webhook cursor", err)
}

// SetWebhookCursor records how far the dispatcher has read.
func (tx *Tx) SetWebhookCursor(ctx context.Context, leaf int64) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE webhook_cursor SET leaf = $1 WHERE id = 1`, leaf)
	return wrap("set webhook cursor", err)
}
