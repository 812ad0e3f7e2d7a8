package notifications

import (
	"errors"
	"net/http"

	"buzon/internal/notification"
	"buzon/internal/web/session"
)

// trackingExport downloads the filtered list as CSV.
func (h *handler) trackingExport(w http.ResponseWriter, r *http.Request) {
	inst := r.PathValue("inst")
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="notificaciones.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	err := h.svc.ExportCSV(r.Context(), session.Principal(r), inst, trackFilter(r.URL.Query()), w)
	switch {
	case errors.Is(err, notification.ErrForbidden):
		w.Header().Del("Content-Disposition")
		h.sm.Forbidden(w, r)
	case err != nil:
		panic(http.ErrAbortHandler)
	}
}
