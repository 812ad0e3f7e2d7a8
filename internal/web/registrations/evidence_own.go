package registrations

import (
	"errors"
	"net/http"

	"buzon/internal/registration"
	"buzon/internal/web/session"
)

// evidencePage is the record of a virtual registration: the application,
// the accepted signature and certificate, every attempt, and the files.
type evidencePage struct {
	base
	Ev *registration.Evidence
	// Staff is true on the DIGERCIC console's page.
	Staff bool
	// Files is where the downloads live (the page's own path).
	Files    string
	NUI      string
	Attempts []attemptRow
	// Applications are the other online applications with the cédula
	// (DIGERCIC's page only).
	Applications []applicationRow
}

// evidenceOwn shows the signed-in citizen the evidence of his registration,
// or that his account was registered another way.
func (h *handler) evidenceOwn(w http.ResponseWriter, r *http.Request) {
	p := session.Principal(r)
	ev, err := h.svc.OwnEvidence(r.Context(), p)
	if d, ok := h.evidencePage(w, r, ev, err, false, string(p.NUI), "/cuenta/registro"); ok {
		h.views.Render(w, r, "evidence", d)
	}
}

// evidencePage prepares the evidence page, or its "registered another way"
// form when there is none; on another error it answers and reports false.
func (h *handler) evidencePage(w http.ResponseWriter, r *http.Request, ev *registration.Evidence, err error, staff bool, nui, files string) (evidencePage, bool) {
	d := evidencePage{base: h.base(r), Staff: staff, Files: files, NUI: nui}
	switch {
	case errors.Is(err, registration.ErrNoEvidence):
	case err != nil:
		h.denied(w, r, err)
		return d, false
	default:
		d.Ev = ev
		d.Attempts = h.attemptRows(r, ev.Application.Attempts, false)
	}
	return d, true
}
