package institutions

import (
	"errors"
	"net/http"

	"buzon/internal/institution"
)

// institutionStaffResend sends a notifier who has not activated his
// account a fresh invitation.
func (h *handler) institutionStaffResend(w http.ResponseWriter, r *http.Request) {
	page, ok := h.staffPage(w, r)
	if !ok {
		return
	}
	err := h.svc.ResendInvitation(r.Context(), page.Me, page.Institution.ID, r.PathValue("staff"))
	switch {
	case errors.Is(err, institution.ErrNotFound), errors.Is(err, institution.ErrForbidden):
		h.denied(w, r, err)
		return
	case err != nil:
		h.fail(w, r, "institution_staff", page, page.Form, err)
		return
	}
	h.sess.Flash(r.Context(), "institutions.staff.flash.resent")
	redirect(w, r, "/institucion/"+page.Institution.ID+"/personal")
}
