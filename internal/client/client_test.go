package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/client"
)

// fake is an API that answers each POST with the next scripted answer and
// records the Idempotency-Key of every attempt.
type fake struct {
	mu      sync.Mutex
	answers []answer
	keys    []string
	auth    []string
}

type answer struct {
	status     int
	body       string
	retryAfter string
}

func (f *fake) serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		f.mu.Lock()
		f.keys = append(f.keys, r.Header.Get("Idempotency-Key"))
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		a := answer{status: 201, body: `{"mode":"live","deposited_at":"2026-03-02T15:00:00Z","deposited":1,"refused":0,"results":[{"position":1,"recipient":"1714307103","status":"deposited","notification_id":"n1"}]}`}
		if len(f.answers) > 0 {
			a, f.answers = f.answers[0], f.answers[1:]
		}
		f.mu.Unlock()
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		if a.status >= 400 {
			w.Header().Set("Content-Type", "application/problem+json")
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func problem(status int, code string) string {
	b, _ := json.Marshal(map[string]any{"type": "/x", "title": "t", "status": status, "code": code, "detail": "detalle", "detail_en": "detail"})
	return string(b)
}

func newClient(url string, waits *[]time.Duration) *client.Client {
	c := client.New(url+"/", "bzn_test_"+strings.Repeat("a", 32))
	c.Sleep = func(_ context.Context, d time.Duration) error { *waits = append(*waits, d); return nil }
	return c
}

func TestRetriesKeepTheIdempotencyKey(t *testing.T) {
	f := &fake{answers: []answer{
		{status: 503, body: problem(503, "unavailable"), retryAfter: "7"},
		{status: 409, body: problem(409, "idempotency_key_in_progress"), retryAfter: "1"},
		{status: 429, body: problem(429, "rate_limited"), retryAfter: "3"},
	}}
	srv := f.serve(t)
	var waits []time.Duration
	c := newClient(srv.URL, &waits)
	res, err := c.SendNotification(context.Background(), client.NotificationRequest{Recipients: []string{"1714307103"}, Subject: "s", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Results[0].Deposited() || res.Results[0].NotificationID != "n1" {
		t.Errorf("result = %+v", res)
	}
	if len(f.keys) != 4 || f.keys[0] == "" || f.keys[1] != f.keys[0] || f.keys[3] != f.keys[0] {
		t.Errorf("idempotency keys of the attempts = %q, want one key four times", f.keys)
	}
	if diff := cmp.Diff([]time.Duration{7 * time.Second, time.Second, 3 * time.Second}, waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if f.auth[0] != "Bearer bzn_test_"+strings.Repeat("a", 32) {
		t.Errorf("Authorization = %q", f.auth[0])
	}
	// A second call draws a new key; a key from the context is used as is.
	c.SendNotification(context.Background(), client.NotificationRequest{})
	c.SendNotification(client.WithIdempotencyKey(context.Background(), "pedido-42"), client.NotificationRequest{})
	if f.keys[4] == f.keys[0] || f.keys[5] != "pedido-42" {
		t.Errorf("keys = %q", f.keys)
	}
}

func TestRefusalsAreNotRetried(t *testing.T) {
	for _, code := range []struct {
		status int
		code   string
		after  string
	}{{422, "validation_failed", ""}, {429, "quota_exceeded", "50000"}, {401, "api_key_revoked", ""}, {429, "rate_limited", "3600"}} {
		f := &fake{answers: []answer{{status: code.status, body: problem(code.status, code.code), retryAfter: code.after}}}
		srv := f.serve(t)
		var waits []time.Duration
		_, err := newClient(srv.URL, &waits).SendNotification(context.Background(), client.NotificationRequest{})
		var p *client.Problem
		if !errors.As(err, &p) || p.Code != code.code || p.Status != code.status || p.Detail != "detalle" || !client.IsCode(err, code.code) {
			t.Errorf("%s: err = %v", code.code, err)
		}
		if len(f.keys) != 1 || len(waits) != 0 {
			t.Errorf("%s was retried %d times", code.code, len(f.keys)-1)
		}
	}
}

func TestGivingUpAfterTheRetries(t *testing.T) {
	f := &fake{}
	for range 10 {
		f.answers = append(f.answers, answer{status: 502, body: "<html>bad gateway</html>"})
	}
	srv := f.serve(t)
	var waits []time.Duration
	c := newClient(srv.URL, &waits)
	c.MaxRetries = 2
	_, err := c.Notification(context.Background(), "x")
	if !client.IsCode(err, "http_502") || len(f.keys) != 3 {
		t.Errorf("err = %v after %d attempts", err, len(f.keys))
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second}, waits); diff != "" {
		t.Errorf("backoff (-want +got):\n%s", diff)
	}
	if f.keys[0] != "" {
		t.Error("a GET carried an Idempotency-Key")
	}
}
