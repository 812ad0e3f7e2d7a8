package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// readJSON reads a JSON body of at most limit bytes into v: the Content-Type
// must be JSON, unknown fields are refused (a typo must not pass silently),
// and nothing may follow the value. It returns the problem to answer, or nil.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) *Problem {
	if p := requireMediaType(r, "application/json"); p != nil {
		return p
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return probTooLarge(limit)
		}
		return probMalformed("No se pudo leer el contenido de la solicitud.", "The request body could not be read.")
	}
	return decodeStrict(body, v)
}

// decodeStrict decodes one JSON value, refusing unknown fields and trailing data.
func decodeStrict(body []byte, v any) *Problem {
	if len(bytes.TrimSpace(body)) == 0 {
		return probMalformed("El contenido está vacío: envíe un objeto JSON.", "The body is empty: send a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return probMalformed("Hay contenido después del objeto JSON.", "There is content after the JSON object.")
	}
	return nil
}

// jsonProblem explains a decoding error: where, and what was wrong.
func jsonProblem(err error) *Problem {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return probMalformed(fmt.Sprintf("El JSON no es válido (cerca del byte %d).", syn.Offset),
			fmt.Sprintf("The JSON is not valid (near byte %d).", syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return probMalformed("El contenido debe ser un objeto JSON.", "The body must be a JSON object.")
		}
		p := probMalformed(fmt.Sprintf("El campo %q tiene un tipo incorrecto: se esperaba %s.", field, jsonType(typ.Type.Kind().String())),
			fmt.Sprintf("The field %q has the wrong type: %s was expected.", field, typ.Type.Kind().String()))
		p.Errors = []ProblemEntry{{Code: "wrong_type", Field: field, Detail: p.Detail, DetailEN: p.DetailEN}}
		return p
	case errors.Is(err, io.ErrUnexpectedEOF):
		return probMalformed("El JSON está incompleto.", "The JSON is incomplete.")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		p := newProblem(http.StatusBadRequest, "unknown_field", fmt.Sprintf("El campo %q no existe en esta operación.", name),
			fmt.Sprintf("The field %q does not exist in this operation.", name))
		p.Errors = []ProblemEntry{{Code: "unknown_field", Field: name, Detail: p.Detail, DetailEN: p.DetailEN}}
		return p
	}
	return probMalformed("El JSON no es válido.", "The JSON is not valid.")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "un texto"
	case "slice", "array":
		return "una lista"
	case "struct", "map", "ptr":
		return "un objeto"
	case "bool":
		return "verdadero o falso"
	case "int", "int64", "int32", "float64":
		return "un número"
	}
	return kind
}

// requireMediaType checks the request's Content-Type.
func requireMediaType(r *http.Request, want string) *Problem {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != want {
		return probMediaType(want)
	}
	return nil
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Our own types always encode; this is a programming error.
		panic(fmt.Sprintf("api: encode response: %v", err))
	}
	writeBody(w, status, body)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
