package api

import (
	"time"

	"buzon/internal/webhook"
)

// webhookView is an endpoint as the API shows it; Secret only in the
// answer that created it.
type webhookView struct {
	ID           string              `json:"id"`
	URL          string              `json:"url"`
	Description  string              `json:"description"`
	EventTypes   []webhook.EventType `json:"event_types"`
	State        string              `json:"state"`
	StateReason  string              `json:"state_reason,omitempty"`
	FailingSince *time.Time          `json:"failing_since,omitempty"`
	CreatedAt    time.Time           `json:"created_at"`
	Secret       string              `json:"secret,omitempty"`
	Deliveries   []deliveryView      `json:"deliveries,omitempty"`
}

type deliveryView struct {
	ID         string        `json:"id"`
	MessageID  string        `json:"message_id"`
	EventType  string        `json:"event_type"`
	State      string        `json:"state"`
	Attempts   []attemptView `json:"attempts"`
	LastStatus int           `json:"last_status,omitempty"`
	LastError  string        `json:"last_error,omitempty"`
	CreatedAt  time.Time     `json:"created_at"`
}

type attemptView struct {
	Number     int       `json:"number"`
	At         time.Time `json:"at"`
	Status     int       `json:"status"`
	DurationMS int64     `json:"duration_ms"`
	Error      string    `json:"error,omitempty"`
}

func webhookViewOf(e *webhook.Endpoint) *webhookView {
	v := &webhookView{ID: e.ID, URL: e.URL, Description: e.Description, EventTypes: e.EventTypes, State: string(e.State),
		StateReason: e.StateReason, FailingSince: timePtr(e.FailingSince), CreatedAt: e.CreatedAt}
	if v.EventTypes == nil {
		v.EventTypes = []webhook.EventType{}
	}
	return v
}

func deliveryViewOf(d *webhook.Delivery) deliveryView {
	v := deliveryView{ID: d.ID, MessageID: d.MessageID, EventType: string(d.EventType), State: string(d.State),
		Attempts: []attemptView{}, LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: d.CreatedAt}
	for _, a := range d.Attempts {
		v.Attempts = append(v.Attempts, attemptView{Number: a.Number, At: a.At, Status: a.Status, DurationMS: a.Duration.Milliseconds(), Error: a.Error})
	}
	return v
}

func (c *call) actor() webhook.Actor { return webhook.Actor{KeyPrefix: c.cred.KeyPrefix} }
