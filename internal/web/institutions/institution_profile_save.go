package institutions

import (
	"net/http"

	"buzon/internal/institution"
)

var profileFields = []string{"address", "phone", "email", "website", "office_hours"}

// institutionProfileSave replaces the public profile.
func (h *handler) institutionProfileSave(w http.ResponseWriter, r *http.Request) {
	c, ok := h.console(w, r, "profile")
	if !ok {
		return
	}
	page := h.profilePage(r, c)
	f := newForm(r, profileFields...)
	page.Form = f
	v := f.Values
	err := h.svc.UpdateProfile(r.Context(), c.Me, c.Institution.ID, institution.ProfileForm{Address: v["address"],
		Phone: v["phone"], Email: v["email"], Website: v["website"], OfficeHours: v["office_hours"]})
	if err != nil {
		h.fail(w, r, "institution_profile", page, f, err, profileFields...)
		return
	}
	h.sess.Flash(r.Context(), "institutions.profile.flash.saved")
	redirect(w, r, "/institucion/"+c.Institution.ID+"/perfil")
}
