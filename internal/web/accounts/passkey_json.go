package accounts

import (
	"encoding/json"
	"io"
	"net/http"

	"buzon/internal/web/session"
)

// maxPasskeyBody bounds a browser's WebAuthn answer.
const maxPasskeyBody = 64 << 10

// writeJSON answers the passkey script.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeOptions sends ceremony options as they came from the domain.
func writeOptions(w http.ResponseWriter, options []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(options)
}

// jsonRefusal answers a refusal as {"error": sentence}, or 500 for an
// unexpected error.
func (h *handler) jsonRefusal(w http.ResponseWriter, r *http.Request, err error) {
	msg, ok := session.Message(r, err)
	if !ok {
		h.views.ServerError(w, r, err)
		return
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": msg})
}

func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(nil, r.Body, maxPasskeyBody))
}
