package web

import (
	"net/http"

	"buzon/internal/evidence"
)

// evidenceKeysJSON is the body of GET /evidence/keys.
type evidenceKeysJSON struct {
	Keys []evidence.PublicKey `json:"keys"`
}

// evidenceKeys lists every public key the platform signs or has signed
// evidence with (note verifier keys for checkpoints and JSON twins, PEM
// certificates for PDFs), the current ones marked: old keys stay listed so
// earlier constancias remain verifiable after a rotation.
func (h *handler) evidenceKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := h.opts.Evidence.PublicKeys(r.Context())
	if err != nil {
		h.evidenceError(w, r, err)
		return
	}
	writeEvidenceJSON(w, evidenceKeysJSON{Keys: keys}, false)
}
