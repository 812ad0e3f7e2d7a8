package accounts

import (
	"net/http"
)

// passkeySigninOptions starts a passwordless sign-in.
func (h *handler) passkeySigninOptions(w http.ResponseWriter, r *http.Request) {
	options, state, err := h.ids.BeginPasskeySignIn(r.Context())
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	h.sess.PutCeremony(r.Context(), "signin", state)
	writeOptions(w, options)
}
