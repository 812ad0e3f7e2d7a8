package devmail

import (
	"errors"
	"net/http"

	"buzon/internal/store"
)

// show shows one message: its headers, its text part and the source of its
// HTML part. The HTML is shown escaped, never rendered: the site's
// Content-Security-Policy would block its styles anyway, and a message must
// not run anything in the site's origin.
func (h *handler) show(w http.ResponseWriter, r *http.Request) {
	m, err := h.mailbox.DevMail(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.views.NotFound(w, r)
		return
	case err != nil:
		h.views.ServerError(w, r, err)
		return
	}
	h.views.Render(w, r, "show", m)
}
