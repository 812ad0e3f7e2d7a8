package interconnection

import (
	"net/http"

	"buzon/internal/webhook"
)

// webhooksPage lists an institution's webhook endpoints; Secret is set
// once, right after one was registered, to show its signing secret.
type webhooksPage struct {
	*consolePage
	Endpoints []webhook.Endpoint
	Types     []webhook.EventType
	Chosen    map[webhook.EventType]bool
	Secret    string
	Created   *webhook.Endpoint
}

// TypeLabel names an event type in the page's language.
func (p *webhooksPage) TypeLabel(t webhook.EventType) string {
	if p.English() {
		return t.English()
	}
	return t.Spanish()
}

// StateLabel names an endpoint's state in the page's language.
func (p *webhooksPage) StateLabel(s webhook.State) string {
	if p.English() {
		return s.English()
	}
	return s.Spanish()
}

func (h *handler) webhooksPage(w http.ResponseWriter, r *http.Request) (*webhooksPage, bool) {
	c, ok := h.console(w, r, "webhooks")
	if !ok {
		return nil, false
	}
	eps, err := h.deps.Webhooks.List(r.Context(), webhook.Actor{Principal: c.Me}, c.Institution.ID)
	if err != nil {
		h.denied(w, r, err)
		return nil, false
	}
	return &webhooksPage{consolePage: c, Endpoints: eps, Types: webhook.EventTypes(), Chosen: map[webhook.EventType]bool{}}, true
}

// webhookList shows the institution's webhooks and the form to add one.
func (h *handler) webhookList(w http.ResponseWriter, r *http.Request) {
	page, ok := h.webhooksPage(w, r)
	if !ok {
		return
	}
	h.views.Render(w, r, "webhooks", page)
}
