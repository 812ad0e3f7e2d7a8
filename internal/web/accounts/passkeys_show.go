package accounts

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// passkeysPage lists the person's passkeys and adds new ones.
type passkeysPage struct {
	base
	Passkeys []identity.PasskeyInfo
}

// passkeysShow shows the passkeys page.
func (h *handler) passkeysShow(w http.ResponseWriter, r *http.Request) {
	keys, err := h.ids.Passkeys(r.Context(), session.Principal(r))
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	h.views.Render(w, r, "passkeys", passkeysPage{base: h.base(r), Passkeys: keys})
}
