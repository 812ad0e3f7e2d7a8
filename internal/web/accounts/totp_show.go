package accounts

import (
	"html/template"
	"net/http"
	"strings"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// totpPage is two-step verification: its setup (QR code, secret, code) when
// off; its state, new recovery codes and turning it off when on.
type totpPage struct {
	base
	Setup *identity.TOTPSetup
	// QRCode is Setup.QRCode, a data: URI the template may use as an
	// image source (html/template refuses data: URIs it is not told are safe).
	QRCode        template.URL
	RecoveryCodes int
	// Required is true for staff, who must have it and cannot turn it off.
	Required bool
	Form     *form
}

// totpShow shows the setup or the state of two-step verification.
func (h *handler) totpShow(w http.ResponseWriter, r *http.Request) {
	d, err := h.totpPage(r, emptyForm())
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	h.views.Render(w, r, "totp", d)
}

func (h *handler) totpPage(r *http.Request, f *form) (totpPage, error) {
	p := session.Principal(r)
	d := totpPage{base: h.base(r), Required: p.IsStaff(), Form: f}
	var err error
	if p.TOTPEnabled {
		d.RecoveryCodes, err = h.ids.RecoveryCodesLeft(r.Context(), p)
	} else {
		d.Setup, err = h.ids.BeginTOTP(r.Context(), p)
		if err == nil && strings.HasPrefix(d.Setup.QRCode, "data:image/png;base64,") {
			d.QRCode = template.URL(d.Setup.QRCode) // made by the identity package, not by a person
		}
	}
	return d, err
}
