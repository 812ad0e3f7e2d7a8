package notifications

import (
	"net/http"

	"buzon/internal/web/session"
)

// trackingDownload streams an attachment of one of the institution's
// notifications to its staff (audited; not a recipient's download).
func (h *handler) trackingDownload(w http.ResponseWriter, r *http.Request) {
	dl, err := h.svc.StaffDownload(r.Context(), session.Principal(r), r.PathValue("inst"), r.PathValue("id"), r.PathValue("att"))
	h.stream(w, r, dl, err)
}
