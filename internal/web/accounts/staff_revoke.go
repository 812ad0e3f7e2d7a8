package accounts

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// staffRevoke takes a platform role away, with a reason.
func (h *handler) staffRevoke(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "role", "reason")
	err := h.ids.RevokeStaffRole(r.Context(), session.Principal(r), r.PathValue("id"), identity.Role(f.Values["role"]), f.Values["reason"])
	if err != nil {
		d, perr := h.staffPage(r, emptyForm())
		if perr != nil {
			h.views.ServerError(w, r, perr)
			return
		}
		// The page has a revoke form per row: the refusal goes in the summary.
		h.fail(w, r, "staff", d, d.Form, err)
		return
	}
	h.sess.Flash(r.Context(), "accounts.staff.revoked")
	redirect(w, r, "/admin/personal")
}
