package notifications

import (
	"net/http"

	"buzon/internal/notification"
	"buzon/internal/web/session"
)

// composeTemplateSave creates one of the institution's templates.
func (h *handler) composeTemplateSave(w http.ResponseWriter, r *http.Request) {
	inst := r.PathValue("inst")
	if err := r.ParseForm(); err != nil {
		h.views.NotFound(w, r)
		return
	}
	t := notification.Template{InstitutionID: inst, Name: r.PostForm.Get("nombre"), Subject: r.PostForm.Get("asunto"),
		Body: r.PostForm.Get("cuerpo"), Category: r.PostForm.Get("categoria")}
	if _, err := h.svc.SaveTemplate(r.Context(), session.Principal(r), t); err != nil {
		if probs, ok := problems(r, err); ok {
			h.renderTemplates(w, r, http.StatusUnprocessableEntity, t, probs)
			return
		}
		h.views.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/institucion/"+inst+"/plantillas", http.StatusSeeOther)
}
