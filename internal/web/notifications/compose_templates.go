package notifications

import (
	"net/http"

	"buzon/internal/notification"
	"buzon/internal/web/session"
)

type templatesPage struct {
	chrome
	Institution string
	List        []notification.Template
	V           notification.Template
	Errors      map[string]string
	Categories  []option
	Placeholder string
}

// composeTemplates lists the institution's templates with a form for a new one.
func (h *handler) composeTemplates(w http.ResponseWriter, r *http.Request) {
	h.renderTemplates(w, r, http.StatusOK, notification.Template{Category: string(notification.CategoryOther)}, nil)
}

func (h *handler) renderTemplates(w http.ResponseWriter, r *http.Request, status int, v notification.Template, errs map[string]string) {
	inst := r.PathValue("inst")
	list, err := h.svc.Templates(r.Context(), session.Principal(r), inst)
	if err != nil {
		h.views.NotFound(w, r)
		return
	}
	data := templatesPage{chrome: h.chrome(r), Institution: inst, List: list, V: v, Errors: errs}
	for _, c := range notification.Categories() {
		data.Categories = append(data.Categories, option{string(c), category(r, c)})
	}
	for i, p := range notification.PlaceholderNames() {
		if i > 0 {
			data.Placeholder += ", "
		}
		data.Placeholder += p
	}
	h.views.RenderStatus(w, r, status, "compose_templates", data)
}
