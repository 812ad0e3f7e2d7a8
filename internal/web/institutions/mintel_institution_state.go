package institutions

import (
	"net/http"

	"buzon/internal/institution"
	"buzon/internal/web/session"
)

// mintelInstitutionState suspends or reactivates an institution, with the
// mandatory reason. Suspension stops its sending at once.
func (h *handler) mintelInstitutionState(w http.ResponseWriter, r *http.Request) {
	page, ok := h.mintelInstitutionPage(w, r)
	if !ok {
		return
	}
	f := newFormAs(r, "reason", "state_reason")
	page.StateForm = f
	p, id := session.Principal(r), r.PathValue("id")
	var err error
	flash := "institutions.state.flash.suspended"
	if page.Institution.State == institution.StateSuspended {
		err = h.svc.Reactivate(r.Context(), p, id, f.Values["reason"])
		flash = "institutions.state.flash.reactivated"
	} else {
		err = h.svc.Suspend(r.Context(), p, id, f.Values["reason"])
	}
	if err != nil {
		h.fail(w, r, "mintel_institution", page, f, err, "state_reason")
		return
	}
	h.sess.Flash(r.Context(), flash)
	redirect(w, r, "/mintel/instituciones/"+id)
}
