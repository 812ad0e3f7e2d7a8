package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// spec is the OpenAPI 3.1 document of the API: the contract, served as is.
//
//go:embed openapi.json
var spec []byte

// Spec returns the OpenAPI document, for the reference page and the client.
func Spec() []byte { return spec }

func loadSpec() (map[string]any, error) {
	var doc map[string]any
	if err := json.Unmarshal(spec, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	return doc, nil
}

// openAPI serves the OpenAPI document; it needs no key.
func (h *API) openAPI(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "public, max-age=300")
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Content-Length", strconv.Itoa(len(spec)))
	w.WriteHeader(http.StatusOK)
	w.Write(spec)
}
