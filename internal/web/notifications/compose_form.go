package notifications

import (
	"net/http"

	"buzon/internal/notification"
	"buzon/internal/web/session"
)

// composeValues are the form's fields as typed.
type composeValues struct {
	Recipients, Subject, Reference, Body, Category  string
	DeadlineKind, DeadlineDate, DeadlineCount       string
	Expediente, TramiteTitle, Rectifies, TemplateID string
}

type composePage struct {
	chrome
	Institution string // id
	V           composeValues
	Errors      map[string]string
	Categories  []option
	Templates   []notification.Template
	Placeholder string // the placeholders' list
	MaxFiles    int
	MaxSize     string
}

type option struct{ Value, Label string }

// composeForm shows the empty form, or one filled from a template
// (?plantilla=) or for a rectification (?rectifica=).
func (h *handler) composeForm(w http.ResponseWriter, r *http.Request) {
	inst := r.PathValue("inst")
	v := composeValues{Category: string(notification.CategoryOther), DeadlineKind: "none"}
	q := r.URL.Query()
	if id := q.Get("plantilla"); id != "" {
		if t, err := h.svc.Template(r.Context(), session.Principal(r), inst, id); err == nil {
			v.Subject, v.Body, v.Category, v.TemplateID = t.Subject, t.Body, t.Category, t.ID
		}
	}
	if id := q.Get("rectifica"); notification.ValidID(id) {
		if d, err := h.svc.StaffView(r.Context(), session.Principal(r), inst, id); err == nil {
			v.Rectifies, v.Recipients, v.Reference = id, d.RecipientNUI.String(), d.Reference
			v.Subject, v.Body, v.Category = d.Subject, d.Body, string(d.Category)
			if d.Tramite != nil {
				v.Expediente, v.TramiteTitle = d.Tramite.Expediente, d.Tramite.Title
			}
		}
	}
	h.renderCompose(w, r, http.StatusOK, v, nil)
}

func (h *handler) renderCompose(w http.ResponseWriter, r *http.Request, status int, v composeValues, errs map[string]string) {
	inst := r.PathValue("inst")
	tpls, err := h.svc.Templates(r.Context(), session.Principal(r), inst)
	if err != nil {
		h.views.NotFound(w, r)
		return
	}
	lim := h.svc.Limits.MaxAttachments
	if lim <= 0 {
		lim = 10
	}
	data := composePage{chrome: h.chrome(r), Institution: inst, V: v, Errors: errs, Templates: tpls, MaxFiles: lim,
		MaxSize: notification.SizeLabel(h.maxAttachment())}
	for i, p := range notification.PlaceholderNames() {
		if i > 0 {
			data.Placeholder += ", "
		}
		data.Placeholder += p
	}
	for _, c := range notification.Categories() {
		data.Categories = append(data.Categories, option{string(c), category(r, c)})
	}
	h.views.RenderStatus(w, r, status, "compose_form", data)
}

func (h *handler) maxAttachment() int64 {
	if h.svc.Limits.MaxAttachmentSize > 0 {
		return h.svc.Limits.MaxAttachmentSize
	}
	return 25 << 20
}
