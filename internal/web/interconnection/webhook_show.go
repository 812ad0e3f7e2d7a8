package interconnection

import (
	"net/http"

	"buzon/internal/webhook"
)

// webhookPage is one endpoint with its delivery log.
type webhookPage struct {
	*consolePage
	Endpoint   *webhook.Endpoint
	Deliveries []webhook.Delivery
}

// TypeLabel names an event type in the page's language.
func (p *webhookPage) TypeLabel(t webhook.EventType) string {
	if p.English() {
		return t.English()
	}
	return t.Spanish()
}

// StateLabel names an endpoint's state in the page's language.
func (p *webhookPage) StateLabel(s webhook.State) string {
	if p.English() {
		return s.English()
	}
	return s.Spanish()
}

// DeliveryLabel names a delivery's state in the page's language.
func (p *webhookPage) DeliveryLabel(s webhook.DeliveryState) string {
	if p.English() {
		return s.English()
	}
	return s.Spanish()
}

// webhookShow shows an endpoint, its latest deliveries with every attempt,
// and the buttons to send a test event, delete it or enable it again.
func (h *handler) webhookShow(w http.ResponseWriter, r *http.Request) {
	c, ok := h.console(w, r, "webhooks")
	if !ok {
		return
	}
	a := webhook.Actor{Principal: c.Me}
	ep, err := h.deps.Webhooks.Get(r.Context(), a, c.Institution.ID, r.PathValue("wh"))
	if err != nil {
		h.denied(w, r, err)
		return
	}
	ds, err := h.deps.Webhooks.Deliveries(r.Context(), a, c.Institution.ID, ep.ID, 50)
	if err != nil {
		h.denied(w, r, err)
		return
	}
	h.views.Render(w, r, "webhook", &webhookPage{consolePage: c, Endpoint: ep, Deliveries: ds})
}
