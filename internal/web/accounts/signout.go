package accounts

import "net/http"

// signout ends the session and shows the sign-in page with a confirmation.
func (h *handler) signout(w http.ResponseWriter, r *http.Request) {
	if err := h.sess.SignOut(r); err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	redirect(w, r, "/ingresar?salio=1")
}
