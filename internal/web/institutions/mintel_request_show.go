package institutions

import (
	"net/http"

	"buzon/internal/institution"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// requestShowPage is one request under review, with its documents and the
// decision form.
type requestShowPage struct {
	base
	Request                            *institution.Request
	KindLabel, StateLabel, SectorLabel string
	ModalityLabel, RUCKindLabel        string
	Documents                          []documentRow
	Form                               *form
}

type documentRow struct {
	institution.Document
	Label, Size string
}

func (h *handler) requestShowPage(r *http.Request, req *institution.Request, f *form) *requestShowPage {
	lang := i18n.Lang(r)
	page := &requestShowPage{base: h.base(r), Request: req, KindLabel: label(lang, req.Kind), StateLabel: label(lang, req.State),
		Form: f}
	page.RUCKindLabel = h.rucKind(r, req.RUCKind)
	if req.Sector != "" {
		page.SectorLabel = label(lang, req.Sector)
	}
	if req.Modality != "" {
		page.ModalityLabel = label(lang, req.Modality)
	}
	for _, d := range req.Documents {
		size := institution.SizeText(d.Size)
		if lang == i18n.English {
			size = institution.SizeTextEnglish(d.Size)
		}
		page.Documents = append(page.Documents, documentRow{Document: d, Label: label(lang, d.Kind), Size: size})
	}
	return page
}

// mintelRequestShow shows a request to MINTEL (an audited access: it holds
// personal data) with the decision form while it is pending.
func (h *handler) mintelRequestShow(w http.ResponseWriter, r *http.Request) {
	req, err := h.svc.Request(r.Context(), session.Principal(r), r.PathValue("id"))
	if err != nil {
		h.denied(w, r, err)
		return
	}
	h.views.Render(w, r, "mintel_request", h.requestShowPage(r, req, emptyForm()))
}

// rucKind names the kind of taxpayer a RUC belongs to.
func (h *handler) rucKind(r *http.Request, kind string) string {
	switch kind {
	case "public":
		return h.views.T(r, "institutions.ruc_kind.public")
	case "company":
		return h.views.T(r, "institutions.ruc_kind.company")
	case "natural":
		return h.views.T(r, "institutions.ruc_kind.natural")
	}
	return kind
}
