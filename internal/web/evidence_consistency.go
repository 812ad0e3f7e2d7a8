package web

import (
	"net/http"

	"buzon/internal/evidence"
)

// evidenceConsistency proves that the tree of ?old=N records is a prefix of
// the tree of ?new=M (the latest signed size when absent): that nothing an
// auditor saw in an older checkpoint was changed, removed or reordered.
func (h *handler) evidenceConsistency(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	old, err := evidenceInt(r, "old", -1)
	if err != nil {
		h.evidenceError(w, r, err)
		return
	}
	size, err := evidenceInt(r, "new", 0)
	if err != nil {
		h.evidenceError(w, r, err)
		return
	}
	fixed := size > 0
	if !fixed {
		cp, err := h.opts.Evidence.Latest(ctx)
		if err != nil {
			h.evidenceError(w, r, err)
			return
		}
		size = cp.Size
	}
	proof, err := h.opts.Evidence.ConsistencyProof(ctx, old, size)
	if err != nil {
		h.evidenceError(w, r, err)
		return
	}
	writeEvidenceJSON(w, evidence.ConsistencyProofJSON{Old: old, New: size, Proof: evidence.EncodeHashes(proof)}, fixed)
}
