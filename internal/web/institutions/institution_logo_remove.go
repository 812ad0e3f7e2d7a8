package institutions

import "net/http"

// institutionLogoRemove removes the logo.
func (h *handler) institutionLogoRemove(w http.ResponseWriter, r *http.Request) {
	c, ok := h.console(w, r, "profile")
	if !ok {
		return
	}
	if err := h.svc.RemoveLogo(r.Context(), c.Me, c.Institution.ID); err != nil {
		h.denied(w, r, err)
		return
	}
	h.sess.Flash(r.Context(), "institutions.logo.flash.removed")
	redirect(w, r, "/institucion/"+c.Institution.ID+"/perfil")
}
