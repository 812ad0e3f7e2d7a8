package registrations

import (
	"net/http"

	"buzon/internal/registration"
)

// startPage is the channel's first page: the steps, the requirements and
// the first form, or a way back to an application in progress.
type startPage struct {
	base
	Form       *form
	Configured bool
	// InProgress is the application this browser already holds, if any.
	InProgress *registration.Application
	Lifetime   int // days
}

func (h *handler) startPage(r *http.Request, f *form) startPage {
	d := startPage{base: h.base(r), Form: f, Configured: h.svc.Configured(), Lifetime: int(h.svc.Lifetime().Hours() / 24)}
	if ref, ok := h.ref(r); ok {
		if a, err := h.svc.Application(r.Context(), ref); err == nil && !a.Expired &&
			a.State != registration.StateCancelled && a.State != registration.StateActivated {
			d.InProgress = a
		}
	}
	return d
}

// startShow explains the virtual channel and asks for the N.U.I. and the
// habitual email.
func (h *handler) startShow(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "start", h.startPage(r, emptyForm()))
}
