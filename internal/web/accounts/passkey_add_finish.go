package accounts

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// passkeyAddFinish stores the new passkey under the name given in the
// query (?nombre=); the browser's answer is the body.
func (h *handler) passkeyAddFinish(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		h.jsonRefusal(w, r, identity.ErrPasskeyFailed)
		return
	}
	state := h.sess.PopCeremony(r.Context(), "register")
	if _, err := h.ids.FinishPasskeyRegistration(r.Context(), session.Principal(r), state, body, r.URL.Query().Get("nombre")); err != nil {
		h.jsonRefusal(w, r, err)
		return
	}
	h.sess.Flash(r.Context(), "accounts.passkeys.added")
	writeJSON(w, http.StatusOK, map[string]string{"redirect": "/cuenta/llaves"})
}
