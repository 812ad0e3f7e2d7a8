package institutions

import (
	"net/http"

	"buzon/internal/institution"
)

var inviteFields = []string{"nui", "email", "position"}

// institutionStaffInvite names a notifier by cédula and institutional
// email; he receives the invitation by email.
func (h *handler) institutionStaffInvite(w http.ResponseWriter, r *http.Request) {
	page, ok := h.staffPage(w, r)
	if !ok {
		return
	}
	f := newForm(r, inviteFields...)
	page.Form = f
	_, err := h.svc.InviteNotifier(r.Context(), page.Me, page.Institution.ID, institution.NotifierForm{
		NUI: f.Values["nui"], Email: f.Values["email"], Position: f.Values["position"]})
	if err != nil {
		h.fail(w, r, "institution_staff", page, f, err, inviteFields...)
		return
	}
	h.sess.Flash(r.Context(), "institutions.staff.flash.invited")
	redirect(w, r, "/institucion/"+page.Institution.ID+"/personal")
}
