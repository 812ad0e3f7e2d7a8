package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// resetRequestSubmit queues a reset link when the cédula has an active
// account, and says the same either way.
func (h *handler) resetRequestSubmit(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "nui")
	if err := h.ids.RequestPasswordReset(r.Context(), f.Values["nui"], session.Client(r)); err != nil {
		h.fail(w, r, "reset_request", resetRequestPage{base: h.base(r), Form: f}, f, err, "nui")
		return
	}
	h.views.Render(w, r, "reset_request", resetRequestPage{base: h.base(r), Form: f, Sent: true})
}
