package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// totpDisable turns two-step verification off (citizens only), with the
// password.
func (h *handler) totpDisable(w http.ResponseWriter, r *http.Request) {
	if err := h.ids.DisableTOTP(r.Context(), session.Principal(r), r.PostFormValue("current")); err != nil {
		f := emptyForm()
		d, perr := h.totpPage(r, f)
		if perr != nil {
			h.views.ServerError(w, r, perr)
			return
		}
		h.fail(w, r, "totp", d, f, err, "current")
		return
	}
	h.sess.Flash(r.Context(), "accounts.totp.disabled")
	redirect(w, r, "/cuenta")
}
