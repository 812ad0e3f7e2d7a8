package institutions

import (
	"net/http"

	"buzon/internal/institution"
	"buzon/internal/web/i18n"
)

// profilePage is the public profile form and the logo.
type profilePage struct {
	*consolePage
	Form     *form
	LogoForm *form
	MaxLogo  string
}

func (h *handler) profilePage(r *http.Request, c *consolePage) *profilePage {
	max := institution.SizeText(h.svc.MaxLogoSize())
	if i18n.Lang(r) == i18n.English {
		max = institution.SizeTextEnglish(h.svc.MaxLogoSize())
	}
	f := emptyForm()
	pr := c.Institution.Profile
	f.Values = map[string]string{"address": pr.Address, "phone": pr.Phone, "email": pr.Email, "website": pr.Website,
		"office_hours": pr.OfficeHours}
	return &profilePage{consolePage: c, Form: f, LogoForm: emptyForm(), MaxLogo: max}
}

// institutionProfile shows the profile citizens see beside the
// institution's notifications, to edit.
func (h *handler) institutionProfile(w http.ResponseWriter, r *http.Request) {
	c, ok := h.console(w, r, "profile")
	if !ok {
		return
	}
	h.views.Render(w, r, "institution_profile", h.profilePage(r, c))
}
