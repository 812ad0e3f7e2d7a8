package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"buzon/internal/metrics"
)

// A layer between observe and the mux that replaces the request (as the
// session layer does) must not lose the route label.
func TestRouteLabelSurvivesARequestReplacingLayer(t *testing.T) {
	m := metrics.New()
	h := &handler{opts: Options{Metrics: m}, log: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /buzon/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	replace := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			type k struct{}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), k{}, 1)))
		})
	}
	h.observe(replace(recordRoute(mux))).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/buzon/123", nil))

	scrape := httptest.NewRecorder()
	m.Handler().ServeHTTP(scrape, httptest.NewRequest("GET", "/metrics", nil))
	want := `buzon_http_requests_total{method="GET",route="GET /buzon/{id}",status="200"} 1`
	if !strings.Contains(scrape.Body.String(), want) {
		t.Errorf("metrics lack %s", want)
	}
}
