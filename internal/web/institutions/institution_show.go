package institutions

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/institution"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// consolePage is what every page of the administrator's console shares:
// the institution and which tab is open.
type consolePage struct {
	base
	Institution institutionRow
	Tab         string
	// Interconnection marks institutions that send through the API: their
	// console also manages API credentials and webhooks.
	Interconnection bool
}

// console loads the institution of the path for its administrator,
// answering 403 for anyone else (another institution's administrator).
func (h *handler) console(w http.ResponseWriter, r *http.Request, tab string) (*consolePage, bool) {
	p := session.Principal(r)
	id := r.PathValue("id")
	if identity.RequireIn(p, identity.RoleInstitutionAdmin, id) != nil {
		h.sess.Forbidden(w, r)
		return nil, false
	}
	inst, err := h.svc.Institution(r.Context(), p, id)
	if err != nil {
		h.denied(w, r, err)
		return nil, false
	}
	return &consolePage{base: h.base(r), Institution: institutionRowOf(i18n.Lang(r), inst), Tab: tab,
		Interconnection: inst.Modality == institution.ModalityInterconnection}, true
}

// overviewPage is the console's first page.
type overviewPage struct {
	*consolePage
	Admins    []institution.StaffMember
	Notifiers int
}

// institutionShow is the administrator's overview of his institution:
// state, modality, quota, who administers it and how many notifiers it has.
func (h *handler) institutionShow(w http.ResponseWriter, r *http.Request) {
	c, ok := h.console(w, r, "overview")
	if !ok {
		return
	}
	staff, err := h.svc.Staff(r.Context(), c.Me, c.Institution.ID)
	if err != nil {
		h.denied(w, r, err)
		return
	}
	page := &overviewPage{consolePage: c}
	for _, m := range staff {
		switch {
		case !m.Current():
		case m.Role == identity.RoleInstitutionAdmin:
			page.Admins = append(page.Admins, m)
		case m.Role == identity.RoleNotifier:
			page.Notifiers++
		}
	}
	h.views.Render(w, r, "institution_show", page)
}
