package interconnection

import (
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// referencePage is the API reference.
type referencePage struct {
	*reference
	Me      *identity.Principal
	English bool
}

// referenceShow is the human-readable API reference, generated from the
// OpenAPI document; it needs no sign-in.
func (h *handler) referenceShow(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "reference", &referencePage{reference: h.ref, Me: session.Principal(r),
		English: i18n.Lang(r) == i18n.English})
}
