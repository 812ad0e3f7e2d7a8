package interconnection

import (
	"net/http"

	"buzon/internal/webhook"
)

// webhookCreate registers an endpoint and shows its signing secret, once.
func (h *handler) webhookCreate(w http.ResponseWriter, r *http.Request) {
	page, ok := h.webhooksPage(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	f := page.Form
	f.Values["url"], f.Values["description"] = r.PostFormValue("url"), r.PostFormValue("description")
	var types []webhook.EventType
	for _, t := range r.PostForm["event_types"] {
		types = append(types, webhook.EventType(t))
		page.Chosen[webhook.EventType(t)] = true
	}
	ep, secret, err := h.deps.Webhooks.Create(r.Context(), webhook.Actor{Principal: page.Me}, page.Institution.ID,
		webhook.Input{URL: f.Values["url"], Description: f.Values["description"], EventTypes: types})
	if err != nil {
		if !refuse(r, f, err, "url", "description", "event_types") {
			h.denied(w, r, err)
			return
		}
		h.views.RenderStatus(w, r, http.StatusUnprocessableEntity, "webhooks", page)
		return
	}
	if page.Endpoints, err = h.deps.Webhooks.List(r.Context(), webhook.Actor{Principal: page.Me}, page.Institution.ID); err != nil {
		h.denied(w, r, err)
		return
	}
	page.Secret, page.Created = secret, ep
	page.Form, page.Chosen = emptyForm(), map[webhook.EventType]bool{}
	w.Header().Set("Cache-Control", "no-store")
	h.views.Render(w, r, "webhooks", page)
}
