// Package api is Buzón's interconnection API: the REST interface through
// which institutions' own systems send notifications and follow them,
// mounted under /api/v1 (DESIGN §7 "API"). Its OpenAPI 3.1 document,
// embedded here, is served at /api/v1/openapi.json and is the contract the
// tests check every response against.
//
// Handlers are thin, one per file: they authenticate the key (auth.go),
// count the request against the institution's rate limit (ratelimit.go),
// decode strictly (decode.go: unknown fields are refused), call the domain
// packages (notification, apikey, webhook) and answer JSON, or RFC 9457
// problems with a stable code and a Spanish detail (problem.go).
//
// Every POST carries an Idempotency-Key (idempotency.go). The key is first
// claimed in a short transaction; then the request's work — the deposit,
// its evidence and jobs — and the stored response are written by one
// function over one *store.Tx, so a crash cannot separate them, and so
// that concurrent requests can later share a transaction (group commit)
// by running several such functions in one.
//
// Test keys (apikey.Test) work in a sandbox: a notification is deposited
// inside a savepoint and rolled back, so it is validated and answered
// exactly like a live one but nothing reaches a citizen or counts against
// the quota; what it "sent" is kept apart so it can be read back.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"buzon/internal/apikey"
	"buzon/internal/notification"
	"buzon/internal/store"
	"buzon/internal/webhook"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

// Options is what the API needs. DB and Keys are required; a nil
// Notifications or Webhooks leaves their endpoints answering 404.
type Options struct {
	DB            *store.DB
	Keys          *apikey.Service
	Notifications *notification.Service
	Webhooks      *webhook.Service
	// Limiter counts requests per institution; nil means a StoreLimiter
	// of RateLimit requests per RateWindow, shared by every node.
	Limiter    Limiter
	RateLimit  int           // default 600
	RateWindow time.Duration // default one minute
	// MaxJSON bounds a JSON body (default 1 MiB); MaxBatchJSON a batch's
	// (default 64 MiB); files are bounded by the notification limits.
	MaxJSON      int64
	MaxBatchJSON int64
	// MaxBatchItems bounds the notifications of one batch (default 10 000).
	MaxBatchItems int
	// Wake, if set, is called after a request queued jobs, so an idle
	// runner starts them at once.
	Wake func()
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// API serves the interconnection API and runs its background jobs.
type API struct {
	o     Options
	log   *slog.Logger
	limit Limiter
	mux   *http.ServeMux
	// write runs one transaction; it is DB.Write, and the seam where
	// concurrent requests' work functions can be grouped into one commit.
	write func(ctx context.Context, fn func(tx *store.Tx) error) error
	root  http.Handler
}

// New builds the API, an http.Handler to be mounted at Prefix+"/".
func New(o Options) (*API, error) {
	if o.DB == nil || o.Keys == nil {
		return nil, fmt.Errorf("api: a database and the API key service are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RateLimit <= 0 {
		o.RateLimit = 600
	}
	if o.RateWindow <= 0 {
		o.RateWindow = time.Minute
	}
	if o.MaxJSON <= 0 {
		o.MaxJSON = 1 << 20
	}
	if o.MaxBatchJSON <= 0 {
		o.MaxBatchJSON = 64 << 20
	}
	if o.MaxBatchItems <= 0 {
		o.MaxBatchItems = 10_000
	}
	h := &API{o: o, log: o.Logger, limit: o.Limiter, mux: http.NewServeMux(), write: o.DB.Write}
	if h.limit == nil {
		h.limit = &StoreLimiter{DB: o.DB, Limit: o.RateLimit, Window: o.RateWindow}
	}
	if _, err := loadSpec(); err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	h.routes()
	h.root = h.recoverer(h.mux)
	return h, nil
}

// ServeHTTP answers an API request.
func (h *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.root.ServeHTTP(w, r) }

func (h *API) now() time.Time {
	if h.o.Now != nil {
		return h.o.Now().UTC()
	}
	return time.Now().UTC()
}

func (h *API) wake() {
	if h.o.Wake != nil {
		h.o.Wake()
	}
}

// routes lists every route of the API. A path's method-less pattern
// answers the methods it does not have with 405.
func (h *API) routes() {
	m := h.mux
	m.HandleFunc("GET "+Prefix+"/openapi.json", h.openAPI)

	m.Handle("POST "+Prefix+"/files", h.authed(h.fileCreate))
	m.Handle("POST "+Prefix+"/notifications", h.authed(h.notificationCreate))
	m.Handle("GET "+Prefix+"/notifications", h.authed(h.notificationList))
	m.Handle("GET "+Prefix+"/notifications/{id}", h.authed(h.notificationGet))
	m.Handle("POST "+Prefix+"/batches", h.authed(h.batchCreate))
	m.Handle("GET "+Prefix+"/batches/{id}", h.authed(h.batchGet))
	m.Handle("GET "+Prefix+"/recipients/{nui}", h.authed(h.recipientGet))
	m.Handle("GET "+Prefix+"/events", h.authed(h.eventList))
	m.Handle("GET "+Prefix+"/webhooks", h.authed(h.webhookList))
	m.Handle("POST "+Prefix+"/webhooks", h.authed(h.webhookCreate))
	m.Handle("GET "+Prefix+"/webhooks/{id}", h.authed(h.webhookGet))
	m.Handle("DELETE "+Prefix+"/webhooks/{id}", h.authed(h.webhookDelete))
	m.Handle("POST "+Prefix+"/webhooks/{id}/test", h.authed(h.webhookTestEvent))

	for _, p := range []string{"/openapi.json", "/files", "/notifications", "/notifications/{id}", "/batches", "/batches/{id}",
		"/recipients/{nui}", "/events", "/webhooks", "/webhooks/{id}", "/webhooks/{id}/test"} {
		m.HandleFunc(Prefix+p, h.methodNotAllowed)
	}
	m.HandleFunc(Prefix+"/", h.notFound)
}

func (h *API) notFound(w http.ResponseWriter, r *http.Request) { writeProblem(w, r, probNotFound()) }

func (h *API) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, r, probMethod())
}

// recoverer answers a panic with a 500 problem (if nothing was written
// yet) and logs it, so API clients never get an HTML page.
func (h *API) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &started{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.ErrorContext(r.Context(), "api panic", "panic", fmt.Sprint(v), "method", r.Method, "path", r.URL.Path,
				"request_id", w.Header().Get("X-Request-Id"))
			if !rec.wrote {
				writeProblem(w, r, probInternal())
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// started remembers whether a response has begun.
type started struct {
	http.ResponseWriter
	wrote bool
}

func (s *started) WriteHeader(code int) {
	if code >= 200 {
		s.wrote = true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *started) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *started) Unwrap() http.ResponseWriter { return s.ResponseWriter }
