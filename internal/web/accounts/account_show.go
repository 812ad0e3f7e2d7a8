package accounts

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// accountPage is the person's account: profile, security, sessions and
// sign-in history.
type accountPage struct {
	base
	Account       *identity.Account
	Roles         []identity.Grant
	Sessions      []identity.Session
	SignIns       []identity.SignInRecord
	Passkeys      int
	RecoveryCodes int
}

// accountShow shows the account page.
func (h *handler) accountShow(w http.ResponseWriter, r *http.Request) {
	p := session.Principal(r)
	ctx := r.Context()
	d := accountPage{base: h.base(r), Roles: p.Roles}
	var err error
	if d.Account, err = h.ids.Account(ctx, p.ID); err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	if d.Sessions, err = h.ids.Sessions(ctx, p); err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	if d.SignIns, err = h.ids.SignInHistory(ctx, p.ID, 10); err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	if d.Passkeys, err = h.ids.PasskeyCount(ctx, p.ID); err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	if p.TOTPEnabled {
		if d.RecoveryCodes, err = h.ids.RecoveryCodesLeft(ctx, p); err != nil {
			h.views.ServerError(w, r, err)
			return
		}
	}
	h.views.Render(w, r, "account", d)
}
