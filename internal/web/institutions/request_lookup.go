package institutions

import (
	"net/http"
)

// lookupPage asks for a tracking number.
type lookupPage struct {
	base
	Form *form
}

// requestLookup finds a request by the tracking number typed (?numero=)
// and sends the person to its follow-up page; without a number it shows
// the form, with an unknown one the form and the refusal.
func (h *handler) requestLookup(w http.ResponseWriter, r *http.Request) {
	f := emptyForm()
	page := &lookupPage{base: h.base(r), Form: f}
	number := trimmed(r, "numero")
	if number == "" {
		if _, asked := r.URL.Query()["numero"]; asked {
			f.add("numero", h.views.T(r, "institutions.lookup.empty"))
			h.views.RenderStatus(w, r, http.StatusUnprocessableEntity, "request_lookup", page)
			return
		}
		h.views.Render(w, r, "request_lookup", page)
		return
	}
	f.Values["numero"] = number
	st, err := h.svc.Status(r.Context(), number)
	if err != nil {
		h.fail(w, r, "request_lookup", page, f, err, "numero")
		return
	}
	http.Redirect(w, r, "/instituciones/solicitudes/"+st.Tracking, http.StatusSeeOther)
}
