package institutions

import (
	"net/http"

	"buzon/internal/institution"
	"buzon/internal/web/i18n"
)

// requestPage is the activation request form.
type requestPage struct {
	base
	Form       *form
	Sectors    []option
	Modalities []option
	// MaxSize is the limit of each PDF, as people read it ("10 MB").
	MaxSize string
}

func (h *handler) requestPage(r *http.Request, f *form) *requestPage {
	lang := i18n.Lang(r)
	max := institution.SizeText(h.svc.MaxDocumentSize())
	if lang == i18n.English {
		max = institution.SizeTextEnglish(h.svc.MaxDocumentSize())
	}
	return &requestPage{base: h.base(r), Form: f, Sectors: sectorOptions(lang), Modalities: modalityOptions(h, r), MaxSize: max}
}

// requestNew shows the activation request form, for an institution's
// highest authority or delegate.
func (h *handler) requestNew(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "request_new", h.requestPage(r, emptyForm()))
}
