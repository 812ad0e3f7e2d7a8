package reliability_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"buzon/internal/config"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// TestDatabaseOutageAnswers503AndRecovers puts a TCP proxy between the
// server and PostgreSQL and cuts it under load: while the database is
// unreachable every request that needs it fails fast with 503 (never 500,
// never a hang), /readyz says why, and once the database is back the server
// serves again by itself, without a restart.
func TestDatabaseOutageAnswers503AndRecovers(t *testing.T) {
	buzon(t)
	t0 := time.Now()
	dbURL := storetest.URL(t, store.Postgres)
	data := t.TempDir()
	citizens := seed(t, data, dbURL)
	t.Logf("seeded in %v", time.Since(t0))

	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	secret := apiKey(t, data, dbURL)
	srv := startInProcess(t, &config.Config{Data: data, DatabaseURL: u.String(), Workers: 1, APIRateLimit: 1000000})

	c := browser(t)
	signIn(t, c, srv.URL, citizens[0].NUI)
	if code := status(t, c, srv.URL+"/buzon"); code != 200 {
		t.Fatalf("inbox before the outage: %d", code)
	}

	// Phases: 0 up, 1 down (the proxy is cut), 2 restored.
	var phase atomic.Int32
	type result struct {
		phase  int32
		api    bool
		status int
		err    string
		took   time.Duration
	}
	var (
		mu      sync.Mutex
		results []result
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	for w := range 6 {
		api := w%2 == 1 // half the clients read the inbox, half send through the API
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				ph := phase.Load()
				begin := time.Now()
				r := result{phase: ph, api: api}
				var resp *http.Response
				var err error
				if api {
					req, _ := http.NewRequest("POST", srv.URL+"/api/v1/notifications", strings.NewReader(
						`{"recipients":["`+citizens[0].NUI+`"],"subject":"Durante el corte","body":"Prueba."}`))
					req.Header.Set("Authorization", "Bearer "+secret)
					req.Header.Set("Idempotency-Key", uuid.NewString())
					req.Header.Set("Content-Type", "application/json")
					resp, err = c.Do(req)
				} else {
					resp, err = c.Get(srv.URL + "/buzon")
				}
				if err != nil {
					r.err = err.Error()
				} else {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					r.status = resp.StatusCode
				}
				r.took = time.Since(begin)
				// A request that began in one phase and ended in the next is
				// not counted in either.
				if phase.Load() == ph && ph >= 0 {
					mu.Lock()
					results = append(results, r)
					mu.Unlock()
				}
			}
		})
	}
	countPhase := func(ph int32) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, r := range results {
			if r.phase == ph {
				n++
			}
		}
		return n
	}
	eventually(t, 20*time.Second, "requests before the outage", func() bool { return countPhase(0) >= 30 })

	phase.Store(-1) // requests across a change of phase are not counted
	proxy.Cut()
	phase.Store(1)
	eventually(t, 20*time.Second, "requests during the outage", func() bool { return countPhase(1) >= 60 })
	if code, body := get(t, srv.URL+"/evidence/checkpoint"); code == http.StatusInternalServerError {
		t.Errorf("/evidence/checkpoint during the outage = 500 %q", body)
	}
	code, body := get(t, srv.URL+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "database unreachable") {
		t.Errorf("/readyz during the outage = %d %q, want 503 database unreachable", code, body)
	}

	phase.Store(-2)
	proxy.Restore()
	phase.Store(2)
	eventually(t, 20*time.Second, "/readyz after the outage", func() bool {
		code, _ := get(t, srv.URL+"/readyz")
		return code == http.StatusOK
	})
	eventually(t, 20*time.Second, "requests after the outage", func() bool { return countPhase(2) >= 30 })
	close(stop)
	wg.Wait()

	statuses := map[int32]map[int]int{0: {}, 1: {}, 2: {}}
	apiStatuses := map[int32]map[int]int{0: {}, 1: {}, 2: {}}
	var slowest time.Duration
	for _, r := range results {
		if r.err != "" {
			t.Errorf("phase %d: request failed without an answer (a hang?): %s", r.phase, r.err)
			continue
		}
		if r.api {
			apiStatuses[r.phase][r.status]++
			if r.status == http.StatusCreated {
				r.status = 200 // an accepted notification; the table counts successes as 200
			}
		}
		statuses[r.phase][r.status]++
		if r.phase == 1 {
			slowest = max(slowest, r.took)
		}
	}
	for ph, want := range map[int32]int{0: 200, 1: 503} {
		for s, n := range statuses[ph] {
			if s != want {
				t.Errorf("phase %d: %d answers %d, want only %d", ph, n, s, want)
			}
		}
	}
	// After the restore, pooled connections that died with the proxy are
	// found broken and replaced; the few requests that meet one first fail.
	// They should all be 503, but the store does not yet classify pgx's
	// "conn closed", nor a grouped transaction aborted by such a write, as
	// store.ErrUnavailable, so an occasional 500 remains (see
	// docs/RELIABILITY.md, "Known gaps"); more than a few is a failure.
	failedAfter := 0
	for s, n := range statuses[2] {
		switch s {
		case 200:
		case 500, 503:
			failedAfter += n
		default:
			t.Errorf("after the restore: %d answers %d", n, s)
		}
	}
	if statuses[2][200] == 0 || failedAfter > 3 {
		t.Errorf("after the restore: %v, want 200s and at most 3 failures while dead connections are replaced", statuses[2])
	}
	t.Logf("FIGURE database outage (PostgreSQL behind a cut proxy): before %v, during %v (slowest answer %v), after %v; of which API POSTs: before %v, during %v, after %v",
		statuses[0], statuses[1], slowest.Round(time.Millisecond), statuses[2], apiStatuses[0], apiStatuses[1], apiStatuses[2])
}

func status(t *testing.T, c *http.Client, u string) int {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 15 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
