package api

import (
	"context"
	"net/http"

	"buzon/internal/store"
	"buzon/internal/webhook"
)

type webhookRequest struct {
	URL         string              `json:"url"`
	Description string              `json:"description,omitempty"`
	EventTypes  []webhook.EventType `json:"event_types,omitempty"`
}

// webhookCreate registers an endpoint and answers its signing secret, the
// only time it is shown.
func (h *API) webhookCreate(w http.ResponseWriter, r *http.Request, c *call) {
	if h.o.Webhooks == nil {
		h.notFound(w, r)
		return
	}
	key, ok := postPrelude(w, r)
	if !ok {
		return
	}
	var req webhookRequest
	if p := readJSON(w, r, h.o.MaxJSON, &req); p != nil {
		writeProblem(w, r, p)
		return
	}
	h.idempotent(w, r, c, key, fingerprintOf(r, req), nil, func(ctx context.Context, tx *store.Tx) (*response, error) {
		e, secret, err := h.o.Webhooks.CreateIn(ctx, tx, c.actor(), c.cred.InstitutionID,
			webhook.Input{URL: req.URL, Description: req.Description, EventTypes: req.EventTypes}, h.now())
		if err != nil {
			return nil, err
		}
		v := webhookViewOf(e)
		v.Secret = secret
		return &response{status: http.StatusCreated, location: Prefix + "/webhooks/" + e.ID, body: v}, nil
	})
}
