package institutions

import (
	"net/http"

	"buzon/internal/institution"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// institutionRow is one line of an institutions list.
type institutionRow struct {
	institution.Institution
	StateLabel, ModalityLabel, SectorLabel string
}

func institutionRowOf(lang string, i *institution.Institution) institutionRow {
	return institutionRow{Institution: *i, StateLabel: label(lang, i.State), ModalityLabel: label(lang, i.Modality),
		SectorLabel: label(lang, i.Sector)}
}

// institutionsPage is MINTEL's list of institutions.
type institutionsPage struct {
	base
	State, Modality, Text string
	States, Modalities    []option
	Institutions          []institutionRow
}

// mintelInstitutions lists the institutions, filtered by state, modality
// and text.
func (h *handler) mintelInstitutions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page := &institutionsPage{base: h.base(r), State: q.Get("estado"), Modality: q.Get("modalidad"), Text: q.Get("q")}
	list, err := h.svc.Institutions(r.Context(), session.Principal(r), institution.Filter{State: institution.State(page.State),
		Modality: institution.Modality(page.Modality), Text: page.Text})
	if err != nil {
		h.denied(w, r, err)
		return
	}
	lang := i18n.Lang(r)
	any := option{Value: "", Label: h.views.T(r, "institutions.filter.any")}
	page.States = []option{any}
	for _, s := range []institution.State{institution.StateActive, institution.StateSuspended} {
		page.States = append(page.States, option{Value: string(s), Label: label(lang, s)})
	}
	page.Modalities = []option{any}
	for _, m := range institution.Modalities() {
		page.Modalities = append(page.Modalities, option{Value: string(m), Label: label(lang, m)})
	}
	for i := range list {
		page.Institutions = append(page.Institutions, institutionRowOf(lang, &list[i]))
	}
	h.views.Render(w, r, "mintel_institutions", page)
}
