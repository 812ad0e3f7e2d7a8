package api

import "net/http"

// webhookDelete removes an endpoint: nothing more is sent to it.
func (h *API) webhookDelete(w http.ResponseWriter, r *http.Request, c *call) {
	if h.o.Webhooks == nil {
		h.notFound(w, r)
		return
	}
	if err := h.o.Webhooks.Delete(r.Context(), c.actor(), c.cred.InstitutionID, r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}
