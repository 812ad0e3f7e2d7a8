package api

import "net/http"

type webhookList struct {
	Webhooks []*webhookView `json:"webhooks"`
}

// webhookList lists the institution's webhook endpoints.
func (h *API) webhookList(w http.ResponseWriter, r *http.Request, c *call) {
	if h.o.Webhooks == nil {
		h.notFound(w, r)
		return
	}
	eps, err := h.o.Webhooks.List(r.Context(), c.actor(), c.cred.InstitutionID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := webhookList{Webhooks: []*webhookView{}}
	for i := range eps {
		out.Webhooks = append(out.Webhooks, webhookViewOf(&eps[i]))
	}
	writeJSON(w, http.StatusOK, out)
}
