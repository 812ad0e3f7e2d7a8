package interconnection

import (
	"net/http"

	"buzon/internal/webhook"
)

// webhookDelete removes an endpoint: nothing more is sent to it.
func (h *handler) webhookDelete(w http.ResponseWriter, r *http.Request) {
	c, ok := h.console(w, r, "webhooks")
	if !ok {
		return
	}
	if err := h.deps.Webhooks.Delete(r.Context(), webhook.Actor{Principal: c.Me}, c.Institution.ID, r.PathValue("wh")); err != nil {
		h.denied(w, r, err)
		return
	}
	h.sess.Flash(r.Context(), "interconnection.webhooks.flash.deleted")
	redirect(w, r, "/institucion/"+c.Institution.ID+"/webhooks")
}
