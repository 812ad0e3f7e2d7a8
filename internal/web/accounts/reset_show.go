package accounts

import (
	"net/http"

	"buzon/internal/identity"
)

// resetShow asks for a new password, for a live reset link.
func (h *handler) resetShow(w http.ResponseWriter, r *http.Request) {
	h.tokenShow(w, r, identity.PurposeReset, "reset")
}
