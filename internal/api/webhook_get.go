package api

import "net/http"

// webhookGet shows an endpoint with its latest deliveries and their
// attempts: the delivery log.
func (h *API) webhookGet(w http.ResponseWriter, r *http.Request, c *call) {
	if h.o.Webhooks == nil {
		h.notFound(w, r)
		return
	}
	id := r.PathValue("id")
	e, err := h.o.Webhooks.Get(r.Context(), c.actor(), c.cred.InstitutionID, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ds, err := h.o.Webhooks.Deliveries(r.Context(), c.actor(), c.cred.InstitutionID, id, 20)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := webhookViewOf(e)
	v.Deliveries = []deliveryView{}
	for i := range ds {
		v.Deliveries = append(v.Deliveries, deliveryViewOf(&ds[i]))
	}
	writeJSON(w, http.StatusOK, v)
}
