package accounts

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// staffPage lists the platform's staff roles and grants new ones.
type staffPage struct {
	base
	Staff []identity.StaffMember
	Roles []identity.Role
	// CanGrant is true for platform administrators (auditors only read).
	CanGrant bool
	Form     *form
}

// staffShow shows who holds the platform's roles.
func (h *handler) staffShow(w http.ResponseWriter, r *http.Request) {
	d, err := h.staffPage(r, emptyForm())
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	h.views.Render(w, r, "staff", d)
}

func (h *handler) staffPage(r *http.Request, f *form) (staffPage, error) {
	p := session.Principal(r)
	staff, err := h.ids.StaffList(r.Context(), p)
	return staffPage{base: h.base(r), Staff: staff, Roles: identity.ConsoleRoles, CanGrant: p.Has(identity.RolePlatformAdmin), Form: f}, err
}
