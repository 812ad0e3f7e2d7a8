package institutions

import (
	"net/http"
)

// institutionLogoSave replaces the logo with an uploaded PNG or JPEG.
func (h *handler) institutionLogoSave(w http.ResponseWriter, r *http.Request) {
	perr := parseUpload(w, r, 1, h.svc.MaxLogoSize())
	files, done := uploads(r, "logo")
	defer done()
	c, ok := h.console(w, r, "profile")
	if !ok {
		return
	}
	page := h.profilePage(r, c)
	if perr != nil {
		h.fail(w, r, "institution_profile", page, page.LogoForm, perr, "logo")
		return
	}
	if err := h.svc.SetLogo(r.Context(), c.Me, c.Institution.ID, files["logo"]); err != nil {
		h.fail(w, r, "institution_profile", page, page.LogoForm, err, "logo")
		return
	}
	h.sess.Flash(r.Context(), "institutions.logo.flash.saved")
	redirect(w, r, "/institucion/"+c.Institution.ID+"/perfil")
}
