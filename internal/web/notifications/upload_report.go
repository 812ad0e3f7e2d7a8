package notifications

import (
	"errors"
	"net/http"

	"buzon/internal/notification"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// uploadReport downloads the per-recipient report of a large send as CSV:
// each row refused and why, each recipient deposited with his
// notification's id.
func (h *handler) uploadReport(w http.ResponseWriter, r *http.Request) {
	inst, id := r.PathValue("inst"), r.PathValue("id")
	p := session.Principal(r)
	if _, err := h.svc.Upload(r.Context(), p, inst, id); err != nil {
		if errors.Is(err, notification.ErrNotFound) || errors.Is(err, notification.ErrForbidden) {
			h.views.NotFound(w, r)
			return
		}
		h.views.ServerError(w, r, err)
		return
	}
	name := "informe-envio.csv"
	if english(r) {
		name = "send-report.csv"
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := h.svc.UploadReport(r.Context(), p, inst, id, i18n.Lang(r), w); err != nil {
		// Headers may be gone already: cut the download rather than send half a report as whole.
		panic(http.ErrAbortHandler)
	}
}
