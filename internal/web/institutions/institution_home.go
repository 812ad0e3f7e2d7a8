package institutions

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/institution"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// homePage lists the institutions the person administers, when more than one.
type homePage struct {
	base
	Institutions []institutionRow
}

// institutionHome is the administrator's entry: his institution's page, or
// the list when he administers several.
func (h *handler) institutionHome(w http.ResponseWriter, r *http.Request) {
	p := session.Principal(r)
	ids := institution.AdministeredInstitutions(p)
	if len(ids) == 1 {
		http.Redirect(w, r, "/institucion/"+ids[0], http.StatusSeeOther)
		return
	}
	mine, err := h.svc.Mine(r.Context(), p)
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	page := &homePage{base: h.base(r)}
	for i := range mine {
		if p.HasIn(identity.RoleInstitutionAdmin, mine[i].ID) {
			page.Institutions = append(page.Institutions, institutionRowOf(i18n.Lang(r), &mine[i]))
		}
	}
	h.views.Render(w, r, "institution_home", page)
}
