package accounts

import (
	"net/http"

	"buzon/internal/eligibility"
	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// registerDonePage confirms a registration.
type registerDonePage struct {
	base
	Account *identity.Account
}

// registerSubmit creates the account pending activation and queues the
// activation email, once the operator has confirmed he compared the data
// with the physical cédula.
func (h *handler) registerSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := newForm(r, "nui", "email", "compared")
	d := registerPage{base: h.base(r), Form: f, Configured: h.ids.RegistryConfigured()}
	person, err := h.ids.LookupPerson(ctx, f.Values["nui"])
	if err != nil {
		h.fail(w, r, "register", d, f, err, "nui")
		return
	}
	now := h.ids.Now()
	d.View = &registryView{NUI: string(person.NUI), Names: person.FullName(), Nationality: person.Nationality,
		BirthDate: person.BirthDate, Age: eligibility.Age(person.BirthDate, now), Status: person.Status}
	if f.Values["compared"] != "si" {
		f.add("compared", h.views.T(r, "accounts.register.compared.required"))
		if _, err := identity.ParseEmail(f.Values["email"]); err != nil {
			h.refuse(r, f, err, "email")
		}
		h.views.RenderStatus(w, r, http.StatusUnprocessableEntity, "register_confirm", d)
		return
	}
	acc, err := h.ids.RegisterInPerson(ctx, session.Principal(r), f.Values["nui"], f.Values["email"])
	if err != nil {
		if identity.FieldOf(err) == "nui" || identity.FieldOf(err) == "" {
			d.View = nil
			h.fail(w, r, "register", d, f, err, "nui")
			return
		}
		h.fail(w, r, "register_confirm", d, f, err, "email")
		return
	}
	h.views.Render(w, r, "register_done", registerDonePage{base: h.base(r), Account: acc})
}
