package accounts

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// passkeySecondFinish checks the passkey and opens the session.
func (h *handler) passkeySecondFinish(w http.ResponseWriter, r *http.Request) {
	id, ok := h.sess.PendingSecondFactor(r)
	if !ok {
		h.jsonRefusal(w, r, identity.ErrSecondFactorExpired)
		return
	}
	body, err := readBody(r)
	if err != nil {
		h.jsonRefusal(w, r, identity.ErrPasskeyFailed)
		return
	}
	state := h.sess.PopCeremony(r.Context(), "second")
	method, err := h.ids.FinishPasskeySecondFactor(r.Context(), id, state, body, session.Client(r))
	if err != nil {
		h.jsonRefusal(w, r, err)
		return
	}
	to, err := h.openSession(r, id, method)
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"redirect": to})
}
