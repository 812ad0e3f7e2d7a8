package accounts

import (
	"net/http"

	"buzon/internal/identity"
)

// emailConfirmShow shows the new address of a live confirmation link with a
// button: the change happens on POST, so a mail scanner opening the link
// changes nothing.
func (h *handler) emailConfirmShow(w http.ResponseWriter, r *http.Request) {
	h.tokenShow(w, r, identity.PurposeEmailChange, "email_confirm")
}
