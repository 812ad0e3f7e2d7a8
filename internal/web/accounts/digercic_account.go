package accounts

import (
	"net/http"

	"buzon/internal/web/session"
)

// digercicAccount shows an account by id, after an action.
func (h *handler) digercicAccount(w http.ResponseWriter, r *http.Request) {
	rec, err := h.ids.AccountRecord(r.Context(), session.Principal(r), r.PathValue("id"))
	if err != nil {
		h.notFoundOr(w, r, err)
		return
	}
	h.views.Render(w, r, "digercic_account", accountRecordPage{base: h.base(r), Record: rec, Form: emptyForm()})
}
