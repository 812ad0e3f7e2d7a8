package institutions

import (
	"net/http"
	"strconv"
	"time"

	"buzon/internal/institution"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// mintelInstitutionPage is one institution in MINTEL's console: its data,
// its administrators over time, its recent activity and the forms that
// change its state, modality and quota (each with its own refusals).
type mintelInstitutionPage struct {
	base
	Institution  institutionRow
	Admins       []institution.StaffMember
	Activity     []activityRow
	Modalities   []option
	StateForm    *form
	ModalityForm *form
	QuotaForm    *form
}

func (h *handler) mintelInstitutionPage(w http.ResponseWriter, r *http.Request) (*mintelInstitutionPage, bool) {
	p := session.Principal(r)
	id := r.PathValue("id")
	inst, err := h.svc.Institution(r.Context(), p, id)
	if err != nil {
		h.denied(w, r, err)
		return nil, false
	}
	admins, err := h.svc.AdminHistory(r.Context(), p, id)
	if err != nil {
		h.denied(w, r, err)
		return nil, false
	}
	activity, err := h.svc.Activity(r.Context(), p, id, time.Time{}, 20)
	if err != nil {
		h.denied(w, r, err)
		return nil, false
	}
	lang := i18n.Lang(r)
	page := &mintelInstitutionPage{base: h.base(r), Institution: institutionRowOf(lang, inst), Admins: admins,
		Activity: h.activityRows(r, activity), StateForm: emptyForm(), ModalityForm: emptyForm(), QuotaForm: emptyForm()}
	for _, m := range institution.Modalities() {
		page.Modalities = append(page.Modalities, option{Value: string(m), Label: label(lang, m)})
	}
	page.ModalityForm.Values["modality"] = string(inst.Modality)
	page.QuotaForm.Values["quota"] = strconv.Itoa(inst.DailyQuota)
	return page, true
}

// mintelInstitutionShow shows an institution to MINTEL.
func (h *handler) mintelInstitutionShow(w http.ResponseWriter, r *http.Request) {
	page, ok := h.mintelInstitutionPage(w, r)
	if !ok {
		return
	}
	h.views.Render(w, r, "mintel_institution", page)
}
