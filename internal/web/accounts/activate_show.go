package accounts

import (
	"errors"
	"net/http"

	"buzon/internal/identity"
)

// tokenPage is a page reached by an emailed link: the account it is for and
// the password form.
type tokenPage struct {
	base
	Account *identity.Account
	Form    *form
}

// activateShow greets the person whose activation link this is and asks
// for his first password; a dead link gets its own page.
func (h *handler) activateShow(w http.ResponseWriter, r *http.Request) {
	h.tokenShow(w, r, identity.PurposeActivation, "activate")
}

// tokenShow renders page for a live link of purpose, or the dead-link page.
func (h *handler) tokenShow(w http.ResponseWriter, r *http.Request, purpose identity.Purpose, page string) {
	acc, err := h.ids.TokenAccount(r.Context(), purpose, r.PathValue("token"))
	if errors.Is(err, identity.ErrTokenInvalid) {
		h.linkInvalid(w, r)
		return
	}
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	h.views.Render(w, r, page, tokenPage{base: h.base(r), Account: acc, Form: emptyForm()})
}

// linkInvalid explains that an emailed link is used, expired or unknown.
func (h *handler) linkInvalid(w http.ResponseWriter, r *http.Request) {
	h.views.RenderStatus(w, r, http.StatusGone, "link_invalid", h.base(r))
}
