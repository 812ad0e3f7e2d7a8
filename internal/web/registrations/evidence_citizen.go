package registrations

import (
	"errors"
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/nui"
	"buzon/internal/registration"
	"buzon/internal/web/session"
)

// evidenceCitizen shows a DIGERCIC operator (or an auditor) the evidence
// of a citizen's virtual registration; the domain audits the view.
// Below the evidence (or in its place, when the cédula has no account or
// was registered another way) it lists the online applications made with
// the cédula, with every attempt, for the help desk.
func (h *handler) evidenceCitizen(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("nui")
	p := session.Principal(r)
	apps, err := h.svc.CitizenApplications(r.Context(), p, id)
	if err != nil {
		h.denied(w, r, err)
		return
	}
	ev, err := h.svc.CitizenEvidence(r.Context(), p, id, "evidencia de registro virtual")
	if errors.Is(err, identity.ErrNotFound) {
		err = registration.ErrNoEvidence // no account: the applications still show
	}
	d, ok := h.evidencePage(w, r, ev, err, true, id, "/digercic/ciudadanos/"+id+"/registro")
	if !ok {
		return
	}
	for _, a := range apps {
		if ev != nil && a.ID == ev.Application.ID {
			continue // shown above as the evidence
		}
		state := h.views.T(r, stateKeys[a.State])
		if a.Expired {
			state = h.views.T(r, "registrations.state.expired")
		}
		d.Applications = append(d.Applications, applicationRow{App: a, State: state, Attempts: h.attemptRows(r, a.Attempts, false)})
	}
	h.views.Render(w, r, "evidence", d)
}

// applicationRow is one online application in DIGERCIC's list.
type applicationRow struct {
	App      *registration.Application
	State    string
	Attempts []attemptRow
	// Files is empty: only the account's evidence offers downloads.
	Files string
}

// stateKeys name the application states for people.
var stateKeys = map[registration.State]string{
	registration.StateEmailPending:      "registrations.state.email_pending",
	registration.StateAwaitingSignature: "registrations.state.awaiting_signature",
	registration.StateVerified:          "registrations.state.verified",
	registration.StateActivated:         "registrations.state.activated",
	registration.StateCancelled:         "registrations.state.cancelled",
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
