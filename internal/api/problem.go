package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"buzon/internal/apikey"
	"buzon/internal/blob"
	"buzon/internal/calendar"
	"buzon/internal/filetype"
	"buzon/internal/notification"
	"buzon/internal/store"
	"buzon/internal/webhook"
)

// problemMediaType is RFC 9457's media type for errors.
const problemMediaType = "application/problem+json"

// Problem is an error response (RFC 9457) with a stable machine-readable
// Code, the Spanish Detail for people and its English twin. Errors lists
// the problems of a request refused as a whole, each with its field.
type Problem struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Code     string         `json:"code"`
	Detail   string         `json:"detail"`
	DetailEN string         `json:"detail_en"`
	Instance string         `json:"instance,omitempty"`
	Errors   []ProblemEntry `json:"errors,omitempty"`
}

// ProblemEntry is one problem of a request: its code, where, and what to do.
type ProblemEntry struct {
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	Detail   string `json:"detail"`
	DetailEN string `json:"detail_en"`
}

// coded is what the domain packages' refusals offer.
type coded interface {
	error
	Code() string
	English() string
}

// fielded is a refusal that names the field it is about.
type fielded interface {
	Field() string
}

// problemTypeBase starts every problem's type URI: the API reference's
// section about the code.
const problemTypeBase = "/desarrolladores/api#error-"

// titles are short Spanish summaries of each status.
var titles = map[int]string{
	400: "Solicitud mal formada",
	401: "No autenticado",
	403: "Prohibido",
	404: "No encontrado",
	405: "Método no permitido",
	409: "Conflicto",
	413: "Contenido demasiado grande",
	415: "Tipo de contenido no admitido",
	422: "No se puede procesar",
	429: "Demasiadas solicitudes",
	500: "Error interno",
	503: "Servicio no disponible",
}

func newProblem(status int, code, es, en string) *Problem {
	return &Problem{Type: problemTypeBase + code, Title: titles[status], Status: status, Code: code, Detail: es, DetailEN: en}
}

// Problems the API itself answers, before or around the domain's.
var (
	probKeyMissing = func() *Problem {
		return newProblem(401, "api_key_missing", "Falta la clave de API: envíe el encabezado Authorization: Bearer <clave>.",
			"The API key is missing: send the header Authorization: Bearer <key>.")
	}
	probNotFound = func() *Problem {
		return newProblem(404, "not_found", "El recurso no existe.", "The resource does not exist.")
	}
	probMethod = func() *Problem {
		return newProblem(405, "method_not_allowed", "El método HTTP no se admite en esta ruta.", "The HTTP method is not allowed on this path.")
	}
	probTooLarge = func(limit int64) *Problem {
		return newProblem(413, "body_too_large", "El contenido supera el tamaño máximo de "+strconv.FormatInt(limit, 10)+" bytes.",
			"The body exceeds the maximum size of "+strconv.FormatInt(limit, 10)+" bytes.")
	}
	probMediaType = func(want string) *Problem {
		return newProblem(415, "unsupported_media_type", "Envíe el contenido como "+want+".", "Send the body as "+want+".")
	}
	probMalformed = func(es, en string) *Problem { return newProblem(400, "malformed_json", es, en) }
	probInternal  = func() *Problem {
		return newProblem(500, "internal_error", "Ocurrió un error interno; intente de nuevo. Si persiste, informe el identificador de la solicitud.",
			"An internal error occurred; try again. If it persists, report the request id.")
	}
	probUnavailable = func() *Problem {
		return newProblem(503, "unavailable", "El servicio no está disponible en este momento; intente de nuevo en unos minutos.",
			"The service is unavailable right now; try again in a few minutes.")
	}
)

// statusOf maps a domain refusal's code to its HTTP status.
func statusOf(code string) int {
	switch code {
	case "api_key_invalid", "api_key_revoked":
		return http.StatusUnauthorized
	case "institution_suspended", "institution_not_interconnection", "forbidden":
		return http.StatusForbidden
	case "not_found":
		return http.StatusNotFound
	case "quota_exceeded":
		return http.StatusTooManyRequests
	case "attachment_too_large":
		return http.StatusRequestEntityTooLarge
	case "cursor_invalid", "since_invalid", "state_invalid", "limit_invalid", "reference_invalid", "after_invalid":
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}

// problemOf turns an error of the domain packages into a Problem, and
// reports false for anything else (a failure, answered 500 or 503).
func problemOf(err error) (*Problem, bool) {
	if inv := (*notification.Invalid)(nil); errors.As(err, &inv) {
		p := newProblem(422, "validation_failed", "La solicitud tiene datos que no son válidos: corríjalos y envíela de nuevo.",
			"The request has invalid data: correct it and send it again.")
		for _, e := range inv.Problems {
			p.Errors = append(p.Errors, entryOf(e))
		}
		return p, true
	}
	var c coded
	if !errors.As(err, &c) {
		return nil, false
	}
	switch c.(type) {
	case *notification.Error, *apikey.Error, *webhook.Error, *filetype.Error, *requestError:
	default:
		return nil, false
	}
	status := statusOf(c.Code())
	p := newProblem(status, c.Code(), c.Error(), c.English())
	if status == http.StatusUnprocessableEntity {
		p.Errors = []ProblemEntry{entryOf(c)}
	}
	return p, true
}

func entryOf(c coded) ProblemEntry {
	e := ProblemEntry{Code: c.Code(), Detail: c.Error(), DetailEN: c.English()}
	if f, ok := c.(fielded); ok {
		e.Field = f.Field()
	}
	return e
}

// requestError is a refusal of the API layer about the request's content
// (a file id that does not exist, a parameter out of range).
type requestError struct {
	code, field, es, en string
}

func (e *requestError) Error() string   { return e.es }
func (e *requestError) Code() string    { return e.code }
func (e *requestError) English() string { return e.en }
func (e *requestError) Field() string   { return e.field }

// writeProblem writes p, with the request id as its instance.
func writeProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	if p.Instance == "" {
		if id := w.Header().Get("X-Request-Id"); id != "" {
			p.Instance = "urn:buzon:request:" + id
		}
	}
	body, _ := json.Marshal(p)
	h := w.Header()
	h.Set("Content-Type", problemMediaType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(p.Status)
	w.Write(body)
}

// fail answers err: a domain refusal as its problem, an unreachable
// database as 503, anything else as 500 (logged with its cause).
func (h *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if p, ok := problemOf(err); ok {
		if p.Code == "quota_exceeded" {
			w.Header().Set("Retry-After", strconv.Itoa(secondsToMidnight(h.now())))
		}
		writeProblem(w, r, p)
		return
	}
	if errors.Is(err, store.ErrUnavailable) || blob.Unwritable(err) {
		h.log.WarnContext(r.Context(), "api unavailable", "err", err, "method", r.Method, "path", r.URL.Path)
		w.Header().Set("Retry-After", "30")
		writeProblem(w, r, probUnavailable())
		return
	}
	h.log.ErrorContext(r.Context(), "api error", "err", err, "method", r.Method, "path", r.URL.Path,
		"request_id", w.Header().Get("X-Request-Id"))
	writeProblem(w, r, probInternal())
}

// secondsToMidnight is how long until the next day in Ecuador, when daily
// quotas start again.
func secondsToMidnight(now time.Time) int {
	d := calendar.DateOf(now)
	next := d.AddDays(1).Time()
	return max(int(next.Sub(now).Seconds())+1, 1)
}
