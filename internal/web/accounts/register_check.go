package accounts

import (
	"net/http"
	"time"

	"buzon/internal/identity"
	"buzon/internal/registry"
	"buzon/internal/web/session"
)

// registryView is the registry's data shown to the operator.
type registryView struct {
	NUI, Names, Nationality string
	BirthDate               time.Time
	Age                     int
	Status                  registry.Status
	// Staff is true when the person already has an identity (as a civil
	// servant) to which the citizen role will be added.
	Staff bool
}

func viewOf(v *identity.RegistryView) *registryView {
	return &registryView{NUI: string(v.Person.NUI), Names: v.Person.FullName(), Nationality: v.Person.Nationality,
		BirthDate: v.Person.BirthDate, Age: v.Age, Status: v.Person.Status, Staff: v.Existing != nil}
}

// registerCheck checks the cédula and eligibility and shows the registry's
// data, with the email form.
func (h *handler) registerCheck(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "nui")
	d := registerPage{base: h.base(r), Form: f, Configured: h.ids.RegistryConfigured()}
	v, err := h.ids.CheckRegistration(r.Context(), session.Principal(r), f.Values["nui"])
	if err != nil {
		h.fail(w, r, "register", d, f, err, "nui")
		return
	}
	d.View = viewOf(v)
	d.Form.Values["nui"] = string(v.Person.NUI)
	h.views.Render(w, r, "register_confirm", d)
}
