package web

import (
	"encoding/base64"
	"net/http"

	"golang.org/x/mod/sumdb/tlog"

	"buzon/internal/evidence"
)

// evidenceInclusion proves a record is in the tree: by leaf index
// (?index=N) or by record hash (?hash=base64), in the tree of ?size=M (the
// latest signed size when absent).
func (h *handler) evidenceInclusion(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	size, err := evidenceInt(r, "size", 0)
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
	var index int64
	if s := r.URL.Query().Get("hash"); s != "" {
		b, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil {
			b, err = base64.URLEncoding.Strict().DecodeString(s)
		}
		if err != nil || len(b) != tlog.HashSize {
			h.evidenceError(w, r, badParam{"«hash» debe ser un SHA-256 en base64.", "hash must be a base64 SHA-256."})
			return
		}
		if index, err = h.opts.Evidence.LeafOfHash(ctx, tlog.Hash(b)); err != nil {
			h.evidenceError(w, r, err)
			return
		}
	} else if index, err = evidenceInt(r, "index", -1); err != nil {
		h.evidenceError(w, r, err)
		return
	}
	proof, err := h.opts.Evidence.InclusionProof(ctx, index, size)
	if err != nil {
		h.evidenceError(w, r, err)
		return
	}
	leaf, err := h.opts.Evidence.RecordHashAt(ctx, index)
	if err != nil {
		h.evidenceError(w, r, err)
		return
	}
	writeEvidenceJSON(w, evidence.InclusionProofJSON{Index: index, Size: size, RecordHash: b64(leaf), Proof: evidence.EncodeHashes(proof)}, fixed)
}
