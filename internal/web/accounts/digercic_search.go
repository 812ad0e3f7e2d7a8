package accounts

import (
	"net/http"
	"strings"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// accountRecordPage is an account as the DIGERCIC console shows it, with
// its action forms.
type accountRecordPage struct {
	base
	Record *identity.AccountRecord
	Form   *form
	// Action is the form that was refused, to keep its values and errors.
	Action string
}

// digercicSearch finds the account of a cédula (the search is audited).
func (h *handler) digercicSearch(w http.ResponseWriter, r *http.Request) {
	f := emptyForm()
	f.Values["nui"] = strings.TrimSpace(r.URL.Query().Get("nui"))
	rec, err := h.ids.FindAccount(r.Context(), session.Principal(r), f.Values["nui"])
	if err != nil {
		h.fail(w, r, "digercic_home", formPage{base: h.base(r), Form: f}, f, err, "nui")
		return
	}
	h.views.Render(w, r, "digercic_account", accountRecordPage{base: h.base(r), Record: rec, Form: emptyForm()})
}
