package registrations

import "net/http"

// codeSubmit checks the code sent to the email; when it is right the
// registration document is issued and the page moves to the signing step.
func (h *handler) codeSubmit(w http.ResponseWriter, r *http.Request) {
	ref, ok := h.ref(r)
	if !ok {
		redirect(w, r, "/registro")
		return
	}
	f := newForm(r, "code")
	if err := h.svc.ConfirmEmail(r.Context(), ref, f.Values["code"]); err != nil {
		if !h.refuse(r, f, err, "code") {
			h.views.ServerError(w, r, err)
			return
		}
		h.renderApplication(w, r, f, false)
		return
	}
	redirect(w, r, "/registro/solicitud")
}
