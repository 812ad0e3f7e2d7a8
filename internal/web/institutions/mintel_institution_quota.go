package institutions

import (
	"net/http"

	"buzon/internal/web/session"
)

// mintelInstitutionQuota changes an institution's daily sending quota.
func (h *handler) mintelInstitutionQuota(w http.ResponseWriter, r *http.Request) {
	page, ok := h.mintelInstitutionPage(w, r)
	if !ok {
		return
	}
	f := newFormAs(r, "reason", "quota_reason", "quota")
	page.QuotaForm = f
	id := r.PathValue("id")
	if err := h.svc.SetQuota(r.Context(), session.Principal(r), id, f.Values["quota"], f.Values["reason"]); err != nil {
		h.fail(w, r, "mintel_institution", page, f, err, "quota", "quota_reason")
		return
	}
	h.sess.Flash(r.Context(), "institutions.quota.flash.changed")
	redirect(w, r, "/mintel/instituciones/"+id)
}
