package api

import (
	"context"
	"net/http"

	"buzon/internal/store"
)

// testEventView answers a test event: the delivery to follow in the log.
type testEventView struct {
	DeliveryID string `json:"delivery_id"`
	MessageID  string `json:"message_id"`
}

// webhookTestEvent queues a "webhook.test" event for an endpoint.
func (h *API) webhookTestEvent(w http.ResponseWriter, r *http.Request, c *call) {
	if h.o.Webhooks == nil {
		h.notFound(w, r)
		return
	}
	key, ok := postPrelude(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	h.idempotent(w, r, c, key, fingerprintOf(r, id), nil, func(ctx context.Context, tx *store.Tx) (*response, error) {
		d, err := h.o.Webhooks.SendTestIn(ctx, tx, c.actor(), c.cred.InstitutionID, id, h.now())
		if err != nil {
			return nil, err
		}
		return &response{status: http.StatusAccepted, body: testEventView{DeliveryID: d.ID, MessageID: d.MessageID}}, nil
	})
}
