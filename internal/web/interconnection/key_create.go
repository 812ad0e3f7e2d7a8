package interconnection

import (
	"net/http"

	"buzon/internal/apikey"
)

// keyCreate creates a key and shows it, once: the page says to copy it
// now, since only its hash is kept.
func (h *handler) keyCreate(w http.ResponseWriter, r *http.Request) {
	page, ok := h.keysPage(w, r)
	if !ok {
		return
	}
	f := page.Form
	f.Values["name"], f.Values["mode"] = r.PostFormValue("name"), r.PostFormValue("mode")
	secret, _, err := h.deps.Keys.Create(r.Context(), page.Me, page.Institution.ID, f.Values["name"], apikey.Mode(f.Values["mode"]))
	if err != nil {
		if !refuse(r, f, err, "name", "mode") {
			h.denied(w, r, err)
			return
		}
		h.views.RenderStatus(w, r, http.StatusUnprocessableEntity, "keys", page)
		return
	}
	if page.Keys, err = h.deps.Keys.List(r.Context(), page.Me, page.Institution.ID); err != nil {
		h.denied(w, r, err)
		return
	}
	page.NewKey = secret
	page.Form = emptyForm()
	page.Form.Values["mode"] = string(apikey.Test)
	w.Header().Set("Cache-Control", "no-store")
	h.views.Render(w, r, "keys", page)
}
