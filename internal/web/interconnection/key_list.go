package interconnection

import (
	"net/http"

	"buzon/internal/apikey"
)

// keysPage lists an institution's API keys; NewKey is set once, right
// after a key was created, to show it.
type keysPage struct {
	*consolePage
	Keys   []apikey.Key
	NewKey string
	Modes  []apikey.Mode
}

// ModeLabel names a mode in the page's language.
func (p *keysPage) ModeLabel(m apikey.Mode) string {
	if p.English() {
		return m.English()
	}
	return m.Spanish()
}

func (h *handler) keysPage(w http.ResponseWriter, r *http.Request) (*keysPage, bool) {
	c, ok := h.console(w, r, "api")
	if !ok {
		return nil, false
	}
	keys, err := h.deps.Keys.List(r.Context(), c.Me, c.Institution.ID)
	if err != nil {
		h.denied(w, r, err)
		return nil, false
	}
	return &keysPage{consolePage: c, Keys: keys, Modes: []apikey.Mode{apikey.Live, apikey.Test}}, true
}

// keyList shows the institution's API keys and the form to create one.
func (h *handler) keyList(w http.ResponseWriter, r *http.Request) {
	page, ok := h.keysPage(w, r)
	if !ok {
		return
	}
	page.Form.Values["mode"] = string(apikey.Test)
	h.views.Render(w, r, "keys", page)
}
