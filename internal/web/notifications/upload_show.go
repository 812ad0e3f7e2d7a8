package notifications

import (
	"errors"
	"net/http"

	"buzon/internal/notification"
	"buzon/internal/web/session"
)

// refreshSeconds is how often a page of work under way reloads itself: a
// Refresh header, which needs no script and which the person can turn off
// (?actualizar=no) if it disturbs his reading.
const refreshSeconds = "2"

type uploadPage struct {
	chrome
	Institution string
	U           *notification.Upload
	Percent     int
	Refusal     string
	Running     bool   // checking or depositing
	Auto        bool   // the page reloads itself
	Self        string // this page's address, without the query
}

// uploadShow shows the deposit of a large recipients file: its progress
// while the job works, then what it did, with the per-recipient report.
func (h *handler) uploadShow(w http.ResponseWriter, r *http.Request) {
	inst, id := r.PathValue("inst"), r.PathValue("id")
	u, err := h.svc.Upload(r.Context(), session.Principal(r), inst, id)
	switch {
	case errors.Is(err, notification.ErrNotFound), errors.Is(err, notification.ErrForbidden):
		h.views.NotFound(w, r)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	if u.State == notification.UploadChecking || u.State == notification.UploadChecked || u.State == notification.UploadRefused {
		http.Redirect(w, r, "/institucion/"+inst+"/envios/"+id, http.StatusSeeOther)
		return
	}
	h.renderUpload(w, r, u)
}

// renderUpload writes the progress (or outcome) page of an upload.
func (h *handler) renderUpload(w http.ResponseWriter, r *http.Request, u *notification.Upload) {
	inst := r.PathValue("inst")
	data := uploadPage{chrome: h.chrome(r), Institution: inst, U: u, Percent: u.Percent(),
		Running: u.State == notification.UploadChecking || u.State == notification.UploadDepositing, Self: r.URL.Path}
	if u.Refusal != nil {
		data.Refusal = message(r, u.Refusal)
	}
	if data.Running && r.URL.Query().Get("actualizar") != "no" {
		data.Auto = true
		w.Header().Set("Refresh", refreshSeconds)
	}
	h.views.Render(w, r, "upload_show", data)
}
