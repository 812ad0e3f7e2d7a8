package registrations

import (
	"net/http"

	"buzon/internal/registration"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// startSubmit checks the N.U.I. and the email, the registry and the
// eligibility, and sends the confirmation code; the browser keeps the
// application in a cookie.
func (h *handler) startSubmit(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "nui", "email")
	ref, err := h.svc.Start(r.Context(), registration.StartRequest{NUI: f.Values["nui"], Email: f.Values["email"],
		Lang: i18n.Lang(r), Client: session.Client(r)})
	if err != nil {
		if !h.refuse(r, f, err, "nui", "email") {
			h.views.ServerError(w, r, err)
			return
		}
		h.views.RenderStatus(w, r, http.StatusUnprocessableEntity, "start", h.startPage(r, f))
		return
	}
	h.keep(w, ref)
	redirect(w, r, "/registro/solicitud")
}
