package institutions

import (
	"net/http"
	"strings"

	"buzon/internal/institution"
	"buzon/internal/web/session"
)

// mintelRequestDecide approves or rejects a request with its mandatory
// reason. A refusal (no choice, no reason, decided meanwhile, a cédula the
// civil registry refuses) shows the request again with the message.
func (h *handler) mintelRequestDecide(w http.ResponseWriter, r *http.Request) {
	p := session.Principal(r)
	req, err := h.svc.Request(r.Context(), p, r.PathValue("id"))
	if err != nil {
		h.denied(w, r, err)
		return
	}
	f := newForm(r, "decision", "reason")
	page := h.requestShowPage(r, req, f)
	decision := f.Values["decision"]
	if decision != "aprobar" && decision != "rechazar" {
		f.add("decision", h.views.T(r, "institutions.decision.required"))
		if strings.TrimSpace(f.Values["reason"]) == "" {
			h.refuse(r, f, institution.ErrReasonRequired, "reason")
		}
		h.views.RenderStatus(w, r, http.StatusUnprocessableEntity, "mintel_request", page)
		return
	}
	inst, err := h.svc.Decide(r.Context(), p, req.ID, institution.Decision{Approve: decision == "aprobar", Reason: f.Values["reason"]})
	if err != nil {
		h.fail(w, r, "mintel_request", page, f, err, "decision", "reason")
		return
	}
	if inst != nil {
		h.sess.Flash(r.Context(), "institutions.decision.flash.approved")
		redirect(w, r, "/mintel/instituciones/"+inst.ID)
		return
	}
	h.sess.Flash(r.Context(), "institutions.decision.flash.rejected")
	redirect(w, r, "/mintel/solicitudes/"+req.ID)
}
