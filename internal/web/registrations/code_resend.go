package registrations

import "net/http"

// codeResend sends a new confirmation code; the previous one stops working.
func (h *handler) codeResend(w http.ResponseWriter, r *http.Request) {
	ref, ok := h.ref(r)
	if !ok {
		redirect(w, r, "/registro")
		return
	}
	if err := h.svc.ResendCode(r.Context(), ref); err != nil {
		f := emptyForm()
		if !h.refuse(r, f, err) {
			h.views.ServerError(w, r, err)
			return
		}
		h.renderApplication(w, r, f, false)
		return
	}
	redirect(w, r, "/registro/solicitud?enviado=1")
}
