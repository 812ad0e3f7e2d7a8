package institutions

import (
	"errors"
	"net/http"

	"buzon/internal/institution"
	"buzon/internal/web/session"
)

// mintelInstitutionResend sends an administrator who has not activated his
// account a fresh invitation.
func (h *handler) mintelInstitutionResend(w http.ResponseWriter, r *http.Request) {
	page, ok := h.mintelInstitutionPage(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	err := h.svc.ResendInvitation(r.Context(), session.Principal(r), id, r.PathValue("staff"))
	switch {
	case errors.Is(err, institution.ErrNotFound), errors.Is(err, institution.ErrForbidden):
		h.denied(w, r, err)
		return
	case err != nil:
		h.fail(w, r, "mintel_institution", page, page.StateForm, err)
		return
	}
	h.sess.Flash(r.Context(), "institutions.staff.flash.resent")
	redirect(w, r, "/mintel/instituciones/"+id)
}
