package privacy

import "net/http"

// exportShow explains what the archive of one's data holds and offers it.
func (h *handler) exportShow(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "export", nil)
}
