package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// passkeyAddOptions starts adding a passkey.
func (h *handler) passkeyAddOptions(w http.ResponseWriter, r *http.Request) {
	options, state, err := h.ids.BeginPasskeyRegistration(r.Context(), session.Principal(r))
	if err != nil {
		h.jsonRefusal(w, r, err)
		return
	}
	h.sess.PutCeremony(r.Context(), "register", state)
	writeOptions(w, options)
}
