package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"buzon/internal/store"
)

// Limiter counts an institution's requests in fixed windows.
//
// The API answers every authenticated request with the RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset fields of the IETF draft
// "RateLimit header fields for HTTP" (Reset in seconds), plus
// RateLimit-Policy; a request over the limit gets 429 and Retry-After.
type Limiter interface {
	Allow(ctx context.Context, institutionID string, now time.Time) (Decision, error)
}

// Decision is a limiter's answer for one request.
type Decision struct {
	Allowed   bool
	Limit     int
	Remaining int
	Window    time.Duration
	Reset     time.Duration // until the window ends
}

func (d Decision) resetSeconds() int {
	s := int((d.Reset + time.Second - 1) / time.Second)
	return max(s, 1)
}

func (d Decision) setHeaders(h http.Header) {
	h.Set("RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(d.resetSeconds()))
	h.Set("RateLimit-Policy", strconv.Itoa(d.Limit)+";w="+strconv.Itoa(int(d.Window/time.Second)))
}

func decide(count, limit int, window time.Duration, start, now time.Time) Decision {
	return Decision{Allowed: count <= limit, Limit: limit, Remaining: max(limit-count, 0), Window: window,
		Reset: start.Add(window).Sub(now)}
}

// StoreLimiter keeps the counters in the database, so the limit holds for
// an institution across every node of a cluster. It costs one small write
// per request.
type StoreLimiter struct {
	DB     *store.DB
	Limit  int
	Window time.Duration
}

// Allow counts one request.
func (l *StoreLimiter) Allow(ctx context.Context, institutionID string, now time.Time) (Decision, error) {
	start := now.Truncate(l.Window)
	var n int
	err := l.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountAPIRequest(ctx, institutionID, start, start.Add(-10*l.Window))
		return err
	})
	if err != nil {
		return Decision{}, err
	}
	return decide(n, l.Limit, l.Window, start, now), nil
}

// MemoryLimiter keeps the counters in this process: exact for a single
// node (the SQLite deployment), and per node otherwise — with N nodes
// behind a balancer an institution gets up to N times Limit, so set Limit
// to the total divided by N.
type MemoryLimiter struct {
	Limit  int
	Window time.Duration

	mu      sync.Mutex
	windows map[string]memWindow
}

type memWindow struct {
	start time.Time
	count int
}

// Allow counts one request.
func (l *MemoryLimiter) Allow(_ context.Context, institutionID string, now time.Time) (Decision, error) {
	start := now.Truncate(l.Window)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.windows == nil {
		l.windows = map[string]memWindow{}
	}
	w := l.windows[institutionID]
	if !w.start.Equal(start) {
		if len(l.windows) > 10_000 {
			for k, v := range l.windows {
				if v.start.Before(start) {
					delete(l.windows, k)
				}
			}
		}
		w = memWindow{start: start}
	}
	w.count++
	l.windows[institutionID] = w
	return decide(w.count, l.Limit, l.Window, start, now), nil
}
