package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"

	"buzon/internal/evidence"
	"buzon/internal/store"
	"buzon/internal/web/request"
)

// EvidenceLog is what the public evidence endpoints read: the evidence log
// (*evidence.Log). They publish hashes, proofs, checkpoints and public keys,
// never a record: records hold N.U.I.s and only the parties to a
// notification get them, inside its constancia (docs/EVIDENCE.md).
type EvidenceLog interface {
	Latest(ctx context.Context) (*evidence.Checkpoint, error)
	InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error)
	ConsistencyProof(ctx context.Context, old, new int64) (tlog.TreeProof, error)
	LeafOfHash(ctx context.Context, h tlog.Hash) (int64, error)
	RecordHashAt(ctx context.Context, index int64) (tlog.Hash, error)
	PublicKeys(ctx context.Context) ([]evidence.PublicKey, error)
}

// evidenceRoutes registers the public verification endpoints under
// /evidence/, for auditors and their tools (plain text and JSON, no pages).
func (h *handler) evidenceRoutes() error {
	if h.opts.Evidence == nil {
		return nil
	}
	h.mux.HandleFunc("GET /evidence/checkpoint", h.evidenceCheckpoint)
	h.mux.HandleFunc("GET /evidence/proof/inclusion", h.evidenceInclusion)
	h.mux.HandleFunc("GET /evidence/proof/consistency", h.evidenceConsistency)
	h.mux.HandleFunc("GET /evidence/records/{index}", h.evidenceRecord)
	h.mux.HandleFunc("GET /evidence/keys", h.evidenceKeys)
	return nil
}

// evidenceError answers a failed evidence request in plain text, Spanish
// then English, since auditors' tools read these bodies as they are.
func (h *handler) evidenceError(w http.ResponseWriter, r *http.Request, err error) {
	status, es, en := http.StatusInternalServerError, "Error interno; intente más tarde.", "Internal error; try again later."
	var bad badParam
	switch {
	case errors.As(err, &bad):
		status, es, en = http.StatusBadRequest, "Parámetro no válido: "+bad.es, "Invalid parameter: "+bad.en
	case errors.Is(err, evidence.ErrNoCheckpoint):
		status, es, en = http.StatusNotFound, "El registro de evidencias aún no tiene un punto de control firmado.", "The evidence log has no signed checkpoint yet."
	case errors.Is(err, evidence.ErrOutOfRange):
		status, es, en = http.StatusNotFound, "El índice o el tamaño está fuera del último árbol firmado.", "The index or size is outside the latest signed tree."
	case errors.Is(err, evidence.ErrNotFound):
		status, es, en = http.StatusNotFound, "No hay ningún registro con ese hash.", "No record has that hash."
	case errors.Is(err, store.ErrUnavailable):
		status, es, en = http.StatusServiceUnavailable, "Servicio no disponible; intente en unos minutos.", "Service unavailable; try again in a few minutes."
		w.Header().Set("Retry-After", "30")
		h.log.WarnContext(r.Context(), "evidence endpoint: database unavailable", "err", err, "request_id", request.ID(r))
	default:
		h.log.ErrorContext(r.Context(), "evidence endpoint", "err", err, "path", r.URL.Path, "request_id", request.ID(r))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(es + "\n" + en + "\n"))
}

type badParam struct{ es, en string }

func (b badParam) Error() string { return b.en }

// evidenceInt reads a non-negative integer query parameter; a missing one
// is def (or an error when def < 0).
func evidenceInt(r *http.Request, name string, def int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		if def < 0 {
			return 0, badParam{"falta «" + name + "».", "missing " + name + "."}
		}
		return def, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, badParam{"«" + name + "» debe ser un número entero no negativo.", name + " must be a non-negative integer."}
	}
	return v, nil
}

// evidenceHeaders marks a public, read-only answer: any site may read it,
// and answers about a fixed tree size never change.
func evidenceHeaders(w http.ResponseWriter, contentType string, immutable bool) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if immutable {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
}

func writeEvidenceJSON(w http.ResponseWriter, v any, immutable bool) {
	evidenceHeaders(w, "application/json", immutable)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }
