package accounts

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// staffGrant names a DIGERCIC operator or an auditor.
func (h *handler) staffGrant(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "nui", "email", "role", "reason")
	_, err := h.ids.GrantStaffRole(r.Context(), session.Principal(r), f.Values["nui"], f.Values["email"], identity.Role(f.Values["role"]), f.Values["reason"])
	if err != nil {
		d, perr := h.staffPage(r, f)
		if perr != nil {
			h.views.ServerError(w, r, perr)
			return
		}
		h.fail(w, r, "staff", d, f, err, "nui", "email", "role", "reason")
		return
	}
	h.sess.Flash(r.Context(), "accounts.staff.granted")
	redirect(w, r, "/admin/personal")
}
