package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// codesPage shows recovery codes, once.
type codesPage struct {
	base
	Codes []string
	Next  string
}

// totpConfirm turns two-step verification on with a code from the app and
// shows the recovery codes.
func (h *handler) totpConfirm(w http.ResponseWriter, r *http.Request) {
	p := session.Principal(r)
	codes, err := h.ids.ConfirmTOTP(r.Context(), p, r.PostFormValue("code"))
	if err != nil {
		f := emptyForm()
		d, perr := h.totpPage(r, f)
		if perr != nil {
			h.views.ServerError(w, r, perr)
			return
		}
		h.fail(w, r, "totp", d, f, err, "code")
		return
	}
	p.TOTPEnabled = true
	// Staff finishing the set-up they were sent to go on to their console;
	// a citizen who chose it goes back to his account, where it now shows.
	next := session.Landing(p)
	if !p.IsStaff() {
		next = "/cuenta"
	}
	h.views.Render(w, r, "totp_codes", codesPage{base: h.base(r), Codes: codes, Next: next})
}
