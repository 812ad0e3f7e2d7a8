package interconnection

import "net/http"

// keyRevoke revokes a key at once; systems using it get 401 from then on.
func (h *handler) keyRevoke(w http.ResponseWriter, r *http.Request) {
	c, ok := h.console(w, r, "api")
	if !ok {
		return
	}
	if err := h.deps.Keys.Revoke(r.Context(), c.Me, c.Institution.ID, r.PathValue("key")); err != nil {
		h.denied(w, r, err)
		return
	}
	h.sess.Flash(r.Context(), "interconnection.keys.flash.revoked")
	redirect(w, r, "/institucion/"+c.Institution.ID+"/api")
}
