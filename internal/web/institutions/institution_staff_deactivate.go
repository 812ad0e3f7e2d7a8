package institutions

import (
	"errors"
	"net/http"

	"buzon/internal/institution"
)

// institutionStaffDeactivate ends a notifier's appointment with the
// mandatory reason; his sessions end at once.
func (h *handler) institutionStaffDeactivate(w http.ResponseWriter, r *http.Request) {
	page, ok := h.staffPage(w, r)
	if !ok {
		return
	}
	id := r.PathValue("staff")
	f := newForm(r, "reason").withID("reason", "reason-"+id)
	page.Deactivate, page.DeactivateID = f, id
	err := h.svc.DeactivateNotifier(r.Context(), page.Me, page.Institution.ID, page.DeactivateID, f.Values["reason"])
	switch {
	case errors.Is(err, institution.ErrNotFound), errors.Is(err, institution.ErrForbidden):
		h.denied(w, r, err)
		return
	case err != nil:
		h.fail(w, r, "institution_staff", page, f, err, "reason-"+id)
		return
	}
	h.sess.Flash(r.Context(), "institutions.staff.flash.deactivated")
	redirect(w, r, "/institucion/"+page.Institution.ID+"/personal")
}
