package institutions

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/institution"
)

// staffPage lists the institution's notifiers and administrators, with the
// invitation form and, for each current notifier, the deactivation form.
type staffPage struct {
	*consolePage
	Current []institution.StaffMember
	Past    []institution.StaffMember
	Form    *form
	// Deactivate is the form of the notifier being deactivated, and
	// DeactivateID its appointment, when that form was refused.
	Deactivate   *form
	DeactivateID string
}

func (h *handler) staffPage(w http.ResponseWriter, r *http.Request) (*staffPage, bool) {
	c, ok := h.console(w, r, "staff")
	if !ok {
		return nil, false
	}
	staff, err := h.svc.Staff(r.Context(), c.Me, c.Institution.ID)
	if err != nil {
		h.denied(w, r, err)
		return nil, false
	}
	page := &staffPage{consolePage: c, Form: emptyForm(), Deactivate: emptyForm()}
	for _, m := range staff {
		if m.Current() {
			page.Current = append(page.Current, m)
		} else {
			page.Past = append(page.Past, m)
		}
	}
	return page, true
}

// institutionStaff shows the institution's staff.
func (h *handler) institutionStaff(w http.ResponseWriter, r *http.Request) {
	page, ok := h.staffPage(w, r)
	if !ok {
		return
	}
	h.views.Render(w, r, "institution_staff", page)
}

// IsNotifier reports whether an appointment is a notifier's, for the template.
func (p *staffPage) IsNotifier(m institution.StaffMember) bool {
	return m.Role == identity.RoleNotifier
}

// RoleLabel names an appointment's role in the page's language.
func (p *staffPage) RoleLabel(m institution.StaffMember) string { return label(p.Lang, m.Role) }
