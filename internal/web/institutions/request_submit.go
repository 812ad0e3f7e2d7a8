package institutions

import (
	"net/http"

	"buzon/internal/institution"
)

// activationFields are the activation form's fields, files last.
var activationFields = []string{"name", "acronym", "ruc", "sector", "address", "website", "contact_phone", "contact_email",
	"requester_names", "requester_nui", "requester_position", "requester_email", "modality",
	"admin_names", "admin_nui", "admin_position", "admin_email", "admin_phone", "letter", "delegation"}

// requestSubmit files an activation request and sends the requester to its
// follow-up page; any refusal shows the form again with each message next
// to its field, and nothing is stored.
func (h *handler) requestSubmit(w http.ResponseWriter, r *http.Request) {
	perr := parseUpload(w, r, 2, h.svc.MaxDocumentSize())
	files, done := uploads(r, "letter", "delegation")
	defer done()
	f := newForm(r, activationFields[:len(activationFields)-2]...)
	page := h.requestPage(r, f)
	if perr != nil {
		h.fail(w, r, "request_new", page, f, perr, activationFields...)
		return
	}
	v := f.Values
	req, err := h.svc.Submit(r.Context(), institution.ActivationForm{
		Name: v["name"], Acronym: v["acronym"], RUC: v["ruc"], Sector: v["sector"], Address: v["address"],
		Website: v["website"], ContactPhone: v["contact_phone"], ContactEmail: v["contact_email"],
		RequesterNames: v["requester_names"], RequesterNUI: v["requester_nui"], RequesterPosition: v["requester_position"],
		RequesterEmail: v["requester_email"], Modality: v["modality"],
		Admin: institution.AdminForm{Names: v["admin_names"], NUI: v["admin_nui"], Position: v["admin_position"],
			Email: v["admin_email"], Phone: v["admin_phone"]},
		Letter: files["letter"], Delegation: files["delegation"],
	})
	if err != nil {
		h.fail(w, r, "request_new", page, f, err, activationFields...)
		return
	}
	h.sess.Flash(r.Context(), "institutions.request.flash.received")
	redirect(w, r, "/instituciones/solicitudes/"+req.Tracking)
}
