package institutions

import (
	"net/http"

	"buzon/internal/institution"
	"buzon/internal/web/i18n"
)

// adminChangePage is the administrator change request form.
type adminChangePage struct {
	base
	Form    *form
	MaxSize string
}

func (h *handler) adminChangePage(r *http.Request, f *form) *adminChangePage {
	max := institution.SizeText(h.svc.MaxDocumentSize())
	if i18n.Lang(r) == i18n.English {
		max = institution.SizeTextEnglish(h.svc.MaxDocumentSize())
	}
	return &adminChangePage{base: h.base(r), Form: f, MaxSize: max}
}

// requestAdminChangeNew shows the service-desk request of a new
// Administrador Institucional.
func (h *handler) requestAdminChangeNew(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "request_admin_change", h.adminChangePage(r, emptyForm()))
}
