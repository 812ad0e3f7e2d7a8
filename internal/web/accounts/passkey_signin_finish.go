package accounts

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// passkeySigninFinish checks the passkey's answer and opens the session.
func (h *handler) passkeySigninFinish(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		h.jsonRefusal(w, r, identity.ErrPasskeyFailed)
		return
	}
	state := h.sess.PopCeremony(r.Context(), "signin")
	acc, err := h.ids.FinishPasskeySignIn(r.Context(), state, body, session.Client(r))
	if err != nil {
		h.jsonRefusal(w, r, err)
		return
	}
	to, err := h.openSession(r, acc.ID, identity.MethodPasskey)
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"redirect": to})
}
