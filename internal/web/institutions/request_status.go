package institutions

import (
	"errors"
	"net/http"

	"buzon/internal/institution"
	"buzon/internal/web/i18n"
)

// statusPage is the follow-up page of a request.
type statusPage struct {
	base
	Status *institution.Status
	Kind   string
	State  string
}

// requestStatus shows where a request stands to whoever holds its
// tracking number: no personal data, only the state and MINTEL's reason.
func (h *handler) requestStatus(w http.ResponseWriter, r *http.Request) {
	st, err := h.svc.Status(r.Context(), r.PathValue("tracking"))
	if errors.Is(err, institution.ErrTrackingNotFound) {
		h.views.NotFound(w, r)
		return
	}
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	lang := i18n.Lang(r)
	h.views.Render(w, r, "request_status", &statusPage{base: h.base(r), Status: st, Kind: label(lang, st.Kind), State: label(lang, st.State)})
}
