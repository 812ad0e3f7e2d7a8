package web

import (
	"net/http"
	"strconv"
)

// evidenceRecordJSON is the body of GET /evidence/records/{index}.
type evidenceRecordJSON struct {
	Index      int64  `json:"index"`
	RecordHash string `json:"record_hash"`
}

// evidenceRecord publishes the leaf at an index: the record's hash only.
// The record itself names a citizen and stays with the parties, inside
// the constancia; with the hash an auditor can ask for proofs and check a
// record a party shows him.
func (h *handler) evidenceRecord(w http.ResponseWriter, r *http.Request) {
	index, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil || index < 0 {
		h.evidenceError(w, r, badParam{"el índice debe ser un número entero no negativo.", "the index must be a non-negative integer."})
		return
	}
	leaf, err := h.opts.Evidence.RecordHashAt(r.Context(), index)
	if err != nil {
		h.evidenceError(w, r, err)
		return
	}
	writeEvidenceJSON(w, evidenceRecordJSON{Index: index, RecordHash: b64(leaf)}, true)
}
