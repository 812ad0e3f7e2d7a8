package web

import "net/http"

// evidenceCheckpoint serves the latest signed checkpoint, as the signed
// note's text: what an auditor keeps a copy of.
func (h *handler) evidenceCheckpoint(w http.ResponseWriter, r *http.Request) {
	cp, err := h.opts.Evidence.Latest(r.Context())
	if err != nil {
		h.evidenceError(w, r, err)
		return
	}
	evidenceHeaders(w, "text/plain; charset=utf-8", false)
	_, _ = w.Write(cp.Note)
}
