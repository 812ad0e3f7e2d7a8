package registrations

import (
	"errors"
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/nui"
	"buzon/internal/web/session"
)

// evidenceCitizen shows a DIGERCIC operator (or an auditor) the evidence
// of a citizen's virtual registration; the domain audits the view.
func (h *handler) evidenceCitizen(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("nui")
	ev, err := h.svc.CitizenEvidence(r.Context(), session.Principal(r), id, "evidencia de registro virtual")
	h.renderEvidence(w, r, ev, err, true, id, "/digercic/ciudadanos/"+id+"/registro")
}

// denied answers a refusal of an evidence page: 404 for an unknown or
// malformed N.U.I. (nothing to tell), 403 for a missing role, 500 otherwise.
func (h *handler) denied(w http.ResponseWriter, r *http.Request, err error) {
	var ne *nui.Error
	switch {
	case errors.Is(err, identity.ErrNotFound), errors.As(err, &ne):
		h.views.NotFound(w, r)
	case errors.Is(err, identity.ErrForbidden):
		h.sess.Forbidden(w, r)
	default:
		h.views.ServerError(w, r, err)
	}
}
