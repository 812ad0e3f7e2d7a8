package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// totpCodes replaces the recovery codes, with the password, and shows the
// new ones.
func (h *handler) totpCodes(w http.ResponseWriter, r *http.Request) {
	p := session.Principal(r)
	codes, err := h.ids.NewRecoveryCodes(r.Context(), p, r.PostFormValue("codes_current"))
	if err != nil {
		f := emptyForm()
		d, perr := h.totpPage(r, f)
		if perr != nil {
			h.views.ServerError(w, r, perr)
			return
		}
		if !h.refuse(r, f, err) {
			h.views.ServerError(w, r, err)
			return
		}
		// The password field of this form is codes_current.
		if len(f.Summary) > 0 && f.Summary[len(f.Summary)-1].Field == "" {
			f.Summary[len(f.Summary)-1].Field = "codes_current"
			f.Errors["codes_current"] = f.Summary[len(f.Summary)-1].Message
		}
		h.views.RenderStatus(w, r, http.StatusUnprocessableEntity, "totp", d)
		return
	}
	h.views.Render(w, r, "totp_codes", codesPage{base: h.base(r), Codes: codes, Next: "/cuenta"})
}
