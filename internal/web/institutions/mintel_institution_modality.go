package institutions

import (
	"net/http"

	"buzon/internal/web/session"
)

// mintelInstitutionModality changes how an institution sends, with the
// mandatory reason.
func (h *handler) mintelInstitutionModality(w http.ResponseWriter, r *http.Request) {
	page, ok := h.mintelInstitutionPage(w, r)
	if !ok {
		return
	}
	f := newFormAs(r, "reason", "modality_reason", "modality")
	page.ModalityForm = f
	id := r.PathValue("id")
	if err := h.svc.SetModality(r.Context(), session.Principal(r), id, f.Values["modality"], f.Values["reason"]); err != nil {
		h.fail(w, r, "mintel_institution", page, f, err, "modality", "modality_reason")
		return
	}
	h.sess.Flash(r.Context(), "institutions.modality.flash.changed")
	redirect(w, r, "/mintel/instituciones/"+id)
}
