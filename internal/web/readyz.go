package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"buzon/internal/web/request"
)

// readyTimeout bounds /readyz: a load balancer must get an answer before its
// own timeout even when the database hangs.
const readyTimeout = 3 * time.Second

// readyz says whether this node should receive traffic, by asking
// Options.Ready; 503 with a one-line reason otherwise.
func (h *handler) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if h.opts.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := h.opts.Ready(ctx); err != nil {
			reason := err.Error()
			if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
				reason = "readiness check timed out"
			}
			h.log.WarnContext(r.Context(), "not ready", "err", err, "request_id", request.ID(r))
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: " + oneLine(reason, 200) + "\n"))
			return
		}
	}
	_, _ = w.Write([]byte("ready\n"))
}

// oneLine keeps the first line of s, at most n bytes of it.
func oneLine(s string, n int) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > n {
		s = s[:n]
	}
	return s
}
