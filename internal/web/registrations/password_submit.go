package registrations

import "net/http"

// passwordSubmit sets the first password: the account becomes active and
// the browser forgets the application.
func (h *handler) passwordSubmit(w http.ResponseWriter, r *http.Request) {
	ref, ok := h.ref(r)
	if !ok {
		redirect(w, r, "/registro")
		return
	}
	if _, err := h.svc.SetPassword(r.Context(), ref, r.PostFormValue("password"), r.PostFormValue("confirm")); err != nil {
		f := emptyForm()
		if !h.refuse(r, f, err, "password", "confirm") {
			h.views.ServerError(w, r, err)
			return
		}
		h.renderApplication(w, r, f, false)
		return
	}
	h.forget(w)
	redirect(w, r, "/registro/listo")
}
