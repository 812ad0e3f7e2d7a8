package privacy

import "net/http"

// noticeShow renders the privacy notice: who processes which data, why, on
// what legal basis, for how long, and how to exercise one's rights.
func (h *handler) noticeShow(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, "notice", nil)
}
