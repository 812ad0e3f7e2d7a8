package notifications

import "net/http"

// trackingHome sends staff to the notifications of their (first) institution.
func (h *handler) trackingHome(w http.ResponseWriter, r *http.Request) {
	c := h.chrome(r)
	if c.InstitutionID == "" {
		h.views.NotFound(w, r)
		return
	}
	http.Redirect(w, r, "/institucion/"+c.InstitutionID+"/notificaciones", http.StatusSeeOther)
}
