package accounts

import (
	"net/http"

	"buzon/internal/identity"
)

// passkeySecondOptions starts the second step with a passkey.
func (h *handler) passkeySecondOptions(w http.ResponseWriter, r *http.Request) {
	id, ok := h.sess.PendingSecondFactor(r)
	if !ok {
		h.jsonRefusal(w, r, identity.ErrSecondFactorExpired)
		return
	}
	options, state, err := h.ids.BeginPasskeySecondFactor(r.Context(), id)
	if err != nil {
		h.jsonRefusal(w, r, err)
		return
	}
	h.sess.PutCeremony(r.Context(), "second", state)
	writeOptions(w, options)
}
