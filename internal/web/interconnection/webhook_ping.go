package interconnection

import (
	"net/http"

	"buzon/internal/webhook"
)

// webhookPing queues a signed "webhook.test" event for the endpoint; the
// delivery log shows how it went.
func (h *handler) webhookPing(w http.ResponseWriter, r *http.Request) {
	c, ok := h.console(w, r, "webhooks")
	if !ok {
		return
	}
	if _, err := h.deps.Webhooks.SendTest(r.Context(), webhook.Actor{Principal: c.Me}, c.Institution.ID, r.PathValue("wh")); err != nil {
		h.denied(w, r, err)
		return
	}
	h.sess.Flash(r.Context(), "interconnection.webhooks.flash.tested")
	redirect(w, r, "/institucion/"+c.Institution.ID+"/webhooks/"+r.PathValue("wh"))
}
