package interconnection

import (
	"net/http"

	"buzon/internal/webhook"
)

// webhookEnable turns a disabled endpoint back on.
func (h *handler) webhookEnable(w http.ResponseWriter, r *http.Request) {
	c, ok := h.console(w, r, "webhooks")
	if !ok {
		return
	}
	if err := h.deps.Webhooks.Enable(r.Context(), webhook.Actor{Principal: c.Me}, c.Institution.ID, r.PathValue("wh")); err != nil {
		h.denied(w, r, err)
		return
	}
	h.sess.Flash(r.Context(), "interconnection.webhooks.flash.enabled")
	redirect(w, r, "/institucion/"+c.Institution.ID+"/webhooks/"+r.PathValue("wh"))
}
