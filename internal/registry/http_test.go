package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/nui"
)

// fakeClock is a clock that moves only when the client sleeps or the test says so.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// registryServer serves the contract from people, failing the first failures requests
// with status failStatus. It counts requests and records the last Authorization header.
type registryServer struct {
	people     map[nui.NUI]Person
	failures   atomic.Int32
	failStatus int
	requests   atomic.Int32
	auth       atomic.Value
	body       string // when set, served instead of the person
}

func (s *registryServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.auth.Store(r.Header.Get("Authorization"))
	if s.failures.Add(-1) >= 0 {
		http.Error(w, "busy", s.failStatus)
		return
	}
	id := nui.NUI(r.PathValue("nui"))
	p, ok := s.people[id]
	if !ok {
		http.Error(w, `{"error":"no encontrado"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if s.body != "" {
		fmt.Fprint(w, s.body)
		return
	}
	b, _ := p.MarshalJSON()
	w.Write(b)
}

func newTestService(t *testing.T, srv *registryServer, opts HTTPOptions) (*HTTP, *fakeClock) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /api/personas/{nui}", srv)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	clock := newFakeClock()
	opts.Now, opts.Sleep = clock.Now, clock.Sleep
	c, err := NewHTTP(ts.URL+"/api/", opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, clock
}

func TestHTTPLookup(t *testing.T) {
	srv := &registryServer{people: map[nui.NUI]Person{maria.NUI: maria}}
	c, clock := newTestService(t, srv, HTTPOptions{Token: "s3cr3t"})
	ctx := context.Background()

	got, err := c.Lookup(ctx, maria.NUI)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(maria, got); diff != "" {
		t.Errorf("Lookup mismatch (-want +got):\n%s", diff)
	}
	if auth := srv.auth.Load(); auth != "Bearer s3cr3t" {
		t.Errorf("Authorization = %q, want the bearer token", auth)
	}
	if _, err := c.Lookup(ctx, "1700000001"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup of a stranger = %v, want ErrNotFound", err)
	}
	if n := srv.requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if s := clock.Sleeps(); len(s) != 0 {
		t.Errorf("slept %v without failures", s)
	}
}

func TestHTTPWithoutTokenSendsNoAuthorization(t *testing.T) {
	srv := &registryServer{people: map[nui.NUI]Person{maria.NUI: maria}}
	c, _ := newTestService(t, srv, HTTPOptions{})
	if _, err := c.Lookup(context.Background(), maria.NUI); err != nil {
		t.Fatal(err)
	}
	if auth := srv.auth.Load(); auth != "" {
		t.Errorf("Authorization = %q, want none", auth)
	}
}

func TestHTTPRetries(t *testing.T) {
	tests := []struct {
		name       string
		failures   int32
		failStatus int
		wantErr    error
		requests   int32
		sleeps     []time.Duration
	}{
		{"one 503 then success", 1, 503, nil, 2, []time.Duration{200 * time.Millisecond}},
		{"two 500 then success", 2, 500, nil, 3, []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}},
		{"429 is retried", 1, 429, nil, 2, []time.Duration{200 * time.Millisecond}},
		{"failures outlast the attempts", 5, 502, ErrUnavailable, 3, []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}},
		{"401 is not retried", 5, 401, ErrUnavailable, 1, nil},
		{"400 is not retried", 5, 400, ErrUnavailable, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &registryServer{people: map[nui.NUI]Person{maria.NUI: maria}, failStatus: tt.failStatus}
			srv.failures.Store(tt.failures)
			c, clock := newTestService(t, srv, HTTPOptions{})
			got, err := c.Lookup(context.Background(), maria.NUI)
			if tt.wantErr == nil {
				if err != nil || got.NUI != maria.NUI {
					t.Fatalf("Lookup = %v, %v; want María", got.NUI, err)
				}
			} else if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Lookup error = %v, want %v", err, tt.wantErr)
			}
			if n := srv.requests.Load(); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if diff := cmp.Diff(tt.sleeps, clock.Sleeps()); diff != "" {
				t.Errorf("backoff mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTTPBackoffIsCapped(t *testing.T) {
	srv := &registryServer{failStatus: 500}
	srv.failures.Store(100)
	c, clock := newTestService(t, srv, HTTPOptions{Attempts: 6, Backoff: time.Second, MaxBackoff: 3 * time.Second})
	if _, err := c.Lookup(context.Background(), maria.NUI); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Lookup error = %v, want ErrUnavailable", err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second}
	if diff := cmp.Diff(want, clock.Sleeps()); diff != "" {
		t.Errorf("backoff mismatch (-want +got):\n%s", diff)
	}
}

func TestHTTPStopsRetryingWhenTheContextEnds(t *testing.T) {
	srv := &registryServer{failStatus: 500}
	srv.failures.Store(100)
	c, _ := newTestService(t, srv, HTTPOptions{Attempts: 10})
	ctx, cancel := context.WithCancel(context.Background())
	c.opts.Sleep = func(ctx context.Context, d time.Duration) error {
		cancel() // the person gave up while we waited
		return ctx.Err()
	}
	_, err := c.Lookup(ctx, maria.NUI)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrUnavailable) {
		t.Errorf("Lookup error = %v, want context.Canceled and ErrUnavailable", err)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestHTTPNetworkErrorIsRetriedThenUnavailable(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	base := ts.URL
	ts.Close() // nothing listens any more
	clock := newFakeClock()
	c, err := NewHTTP(base, HTTPOptions{Now: clock.Now, Sleep: clock.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lookup(context.Background(), maria.NUI); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Lookup error = %v, want ErrUnavailable", err)
	}
	if n := len(clock.Sleeps()); n != 2 {
		t.Errorf("%d waits, want 2 (three attempts)", n)
	}
}

func TestHTTPAttemptTimeoutIsRetried(t *testing.T) {
	var requests atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		<-r.Context().Done() // never answers: the client must give up on its own
	}))
	defer ts.Close()
	clock := newFakeClock()
	c, err := NewHTTP(ts.URL, HTTPOptions{Timeout: 20 * time.Millisecond, Attempts: 2, Now: clock.Now, Sleep: clock.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Lookup(context.Background(), maria.NUI)
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Lookup error = %v, want ErrUnavailable caused by a deadline", err)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestHTTPRefusesBrokenAnswers(t *testing.T) {
	tests := []struct{ name, body string }{
		{"not JSON", "<html>Registro Civil</html>"},
		{"missing status", `{"nui":"1714307103","given_names":"A","surnames":"B","birth_date":"1990-05-17","nationality":"ECUATORIANA"}`},
		{"another person", `{"nui":"1700000001","given_names":"A","surnames":"B","birth_date":"1990-05-17","nationality":"ECUATORIANA","status":"vigente"}`},
		{"bad date", `{"nui":"1714307103","given_names":"A","surnames":"B","birth_date":"17/05/1990","nationality":"ECUATORIANA","status":"vigente"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &registryServer{people: map[nui.NUI]Person{maria.NUI: maria}, body: tt.body}
			c, _ := newTestService(t, srv, HTTPOptions{})
			if _, err := c.Lookup(context.Background(), maria.NUI); !errors.Is(err, ErrUnavailable) {
				t.Errorf("Lookup error = %v, want ErrUnavailable", err)
			}
			if n := srv.requests.Load(); n != 1 {
				t.Errorf("%d requests, want 1: a broken answer is not retried", n)
			}
			// A broken answer is not cached.
			c.Lookup(context.Background(), maria.NUI)
			if n := srv.requests.Load(); n != 2 {
				t.Errorf("%d requests after asking again, want 2", n)
			}
		})
	}
}

func TestHTTPRefusesMalformedCedulaWithoutAsking(t *testing.T) {
	srv := &registryServer{}
	c, _ := newTestService(t, srv, HTTPOptions{})
	if _, err := c.Lookup(context.Background(), "../admin"); !errors.Is(err, nui.ErrNotDigits) {
		t.Errorf("Lookup(../admin) = %v, want nui.ErrNotDigits", err)
	}
	if n := srv.requests.Load(); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}

func TestHTTPCache(t *testing.T) {
	srv := &registryServer{people: map[nui.NUI]Person{maria.NUI: maria}}
	c, clock := newTestService(t, srv, HTTPOptions{CacheTTL: 5 * time.Minute, NotFoundTTL: 30 * time.Second})
	ctx := context.Background()
	const stranger nui.NUI = "1700000001"
	steps := []struct {
		advance  time.Duration
		id       nui.NUI
		requests int32
	}{
		{0, maria.NUI, 1},                              // asked
		{time.Minute, maria.NUI, 1},                    // cached
		{0, stranger, 2},                               // asked
		{29 * time.Second, stranger, 2},                // not-found cached
		{time.Second, stranger, 3},                     // not-found expired at 30s
		{3*time.Minute + 29*time.Second, maria.NUI, 3}, // 4m59s: still cached
		{time.Second, maria.NUI, 4},                    // 5m: expired
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		_, err := c.Lookup(ctx, s.id)
		if s.id == stranger && !errors.Is(err, ErrNotFound) || s.id == maria.NUI && err != nil {
			t.Fatalf("step %d: Lookup(%s) = %v", i, s.id, err)
		}
		if n := srv.requests.Load(); n != s.requests {
			t.Fatalf("step %d: %d requests, want %d", i, n, s.requests)
		}
	}
}

func TestHTTPCacheCanBeDisabledAndIsBounded(t *testing.T) {
	srv := &registryServer{people: map[nui.NUI]Person{maria.NUI: maria}}
	c, _ := newTestService(t, srv, HTTPOptions{CacheTTL: -1, NotFoundTTL: -1})
	for range 3 {
		c.Lookup(context.Background(), maria.NUI)
		c.Lookup(context.Background(), "1700000001")
	}
	if n := srv.requests.Load(); n != 6 {
		t.Errorf("%d requests with the cache off, want 6", n)
	}

	srv = &registryServer{people: map[nui.NUI]Person{}}
	c, _ = newTestService(t, srv, HTTPOptions{CacheSize: 3})
	for _, serial := range []int{1, 2, 3, 4, 5, 6, 7} {
		id, _ := nui.New(17, serial)
		c.Lookup(context.Background(), id)
		if len(c.cache) > 3 {
			t.Fatalf("cache holds %d answers, more than 3", len(c.cache))
		}
	}
}

func TestHTTPConcurrentLookups(t *testing.T) {
	srv := &registryServer{people: map[nui.NUI]Person{maria.NUI: maria}}
	c, _ := newTestService(t, srv, HTTPOptions{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if _, err := c.Lookup(context.Background(), maria.NUI); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestNewHTTPRefusesBadURLs(t *testing.T) {
	for _, base := range []string{"", "registro.example/api", "ftp://registro.example", "http://", "://x"} {
		if _, err := NewHTTP(base, HTTPOptions{}); err == nil {
			t.Errorf("NewHTTP(%q) accepted", base)
		}
	}
}
