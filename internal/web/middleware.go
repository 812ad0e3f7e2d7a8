package web

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"buzon/internal/web/i18n"
	"buzon/internal/web/request"
)

// middleware wraps the routes, outermost first:
//
//  1. context: the request id and the language go into the request's
//     context.
//  2. observe: access log and metrics, read after the mux has run. Inner
//     layers (sessions) may replace *http.Request, so the mux's r.Pattern is
//     copied back through a holder in the context by recordRoute.
//  3. headers: security headers, set before anything can write, so every
//     response carries them: pages, static files, errors, operations.
//  4. recoverer: a panic becomes the 500 page and a log line.
func (h *handler) middleware(next http.Handler, hsts bool) http.Handler {
	return h.context(h.observe(securityHeaders(h.recoverer(next), hsts)))
}

// context attaches the request id (the caller's if valid, else a new one,
// echoed in X-Request-Id) and the negotiated language.
func (h *handler) context(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(request.IDHeader)
		if !request.ValidID(id) {
			id = request.NewID()
		}
		w.Header().Set(request.IDHeader, id)
		ctx := request.WithID(r.Context(), id)
		ctx = i18n.WithLang(ctx, i18n.Negotiate(r))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// unmatched labels requests no route claimed (the catch-all 404, the mux's
// own redirects), keeping the metrics' label set small.
const unmatched = "unmatched"

// observe writes one access log line per request and counts it by route
// pattern, never by raw path, so the metrics stay bounded.
func (h *handler) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		var matched string
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, &matched))
		defer func() {
			d := time.Since(start)
			route := matched
			if route == "" {
				route = r.Pattern // set here by crossOriginDenied, which runs before the inner layers
			}
			if route == "" || route == "/" {
				route = unmatched
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			if h.opts.Metrics != nil {
				h.opts.Metrics.ObserveHTTP(route, r.Method, status, d)
			}
			h.log.LogAttrs(r.Context(), levelFor(status), "http request",
				slog.String("method", r.Method), slog.String("route", route), slog.String("path", r.URL.Path),
				slog.Int("status", status), slog.Duration("duration", d), slog.Int64("bytes", rec.bytes),
				slog.String("request_id", request.ID(r)), slog.String("remote_addr", r.RemoteAddr))
		}()
		next.ServeHTTP(rec, r)
	})
}

type routeKey struct{}

// recordRoute wraps the mux and copies the pattern it matched into the holder
// observe put in the context: the request the mux saw may not be the one
// observe holds, since the session layer replaces it.
func recordRoute(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p, ok := r.Context().Value(routeKey{}).(*string); ok {
				*p = r.Pattern
			}
		}()
		mux.ServeHTTP(w, r)
	})
}

// recoverer turns a panic into the 500 page (if nothing was written yet) and
// an error log with the request id and the stack; the person sees only the
// page and the id.
func (h *handler) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err := fmt.Errorf("panic: %v\n%s", v, debug.Stack())
			if rec, ok := w.(*recorder); ok && rec.status != 0 {
				// The response has begun: log it, the connection is all that can be cut.
				h.log.ErrorContext(r.Context(), "server error", "err", err, "request_id", request.ID(r),
					"method", r.Method, "path", r.URL.Path)
				return
			}
			h.views.ServerError(w, r, err)
		}()
		next.ServeHTTP(w, r)
	})
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flush).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes through for handlers that stream.
func (w *recorder) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes through for protocols that take over the connection.
func (w *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// levelFor logs server errors as errors, everything else as information.
func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}
