package notifications

import (
	"net/http"

	"buzon/internal/web/session"
)

// composeTemplateDelete removes one of the institution's templates.
func (h *handler) composeTemplateDelete(w http.ResponseWriter, r *http.Request) {
	inst := r.PathValue("inst")
	if err := h.svc.DeleteTemplate(r.Context(), session.Principal(r), inst, r.PathValue("id")); err != nil {
		h.views.NotFound(w, r)
		return
	}
	http.Redirect(w, r, "/institucion/"+inst+"/plantillas", http.StatusSeeOther)
}
