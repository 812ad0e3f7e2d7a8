package institutions

import (
	"net/http"

	"buzon/internal/institution"
)

var adminChangeFields = []string{"ruc", "admin_names", "admin_nui", "admin_position", "admin_email", "admin_phone", "delegation"}

// requestAdminChangeSubmit files an administrator change request.
func (h *handler) requestAdminChangeSubmit(w http.ResponseWriter, r *http.Request) {
	perr := parseUpload(w, r, 1, h.svc.MaxDocumentSize())
	files, done := uploads(r, "delegation")
	defer done()
	f := newForm(r, adminChangeFields[:len(adminChangeFields)-1]...)
	page := h.adminChangePage(r, f)
	if perr != nil {
		h.fail(w, r, "request_admin_change", page, f, perr, adminChangeFields...)
		return
	}
	v := f.Values
	req, err := h.svc.SubmitAdminChange(r.Context(), institution.AdminChangeForm{RUC: v["ruc"],
		Admin: institution.AdminForm{Names: v["admin_names"], NUI: v["admin_nui"], Position: v["admin_position"],
			Email: v["admin_email"], Phone: v["admin_phone"]},
		Delegation: files["delegation"]})
	if err != nil {
		h.fail(w, r, "request_admin_change", page, f, err, adminChangeFields...)
		return
	}
	h.sess.Flash(r.Context(), "institutions.request.flash.received")
	redirect(w, r, "/instituciones/solicitudes/"+req.Tracking)
}
