package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"buzon/internal/nui"
)

// HTTP is a client for a civil registry web service, safe for concurrent use. The contract
// (also in CONTRACT.md beside this file):
//
//	GET {base}/personas/{nui}
//	Accept: application/json
//	Authorization: Bearer {token}            (only when a token is configured)
//
//	200 OK        {"nui": "1714307103", "given_names": "María José",
//	               "surnames": "Guamán Ortiz", "birth_date": "1990-05-17",
//	               "nationality": "ECUATORIANA", "status": "vigente"}
//	404 Not Found the registry has no such person (the body is ignored)
//
// Every field of the 200 body is required, unknown fields are refused, "birth_date" is
// YYYY-MM-DD and "status" is one of "vigente", "fallecido", "cancelado"; the "nui" must be
// the one asked for. A 429, a 5xx or a network error is retried with exponential backoff,
// within the caller's context; anything else, or retries running out, gives an error
// matching ErrUnavailable. Answers are cached briefly, not-found answers more briefly, so
// a form submitted twice does not ask twice.
type HTTP struct {
	base    string
	opts    HTTPOptions
	cacheMu sync.Mutex
	cache   map[nui.NUI]cacheEntry
}

// HTTPOptions tunes an HTTP registry client. Zero fields take the defaults given.
type HTTPOptions struct {
	Token       string        // bearer token; none is sent when empty
	Client      *http.Client  // default: a client on http.DefaultTransport
	Timeout     time.Duration // for each attempt; default 5s
	Attempts    int           // attempts in all, first included; default 3
	Backoff     time.Duration // wait before the second attempt, doubled after; default 200ms
	MaxBackoff  time.Duration // cap on a single wait; default 2s
	CacheTTL    time.Duration // how long a found person is reused; default 5m, negative: never
	NotFoundTTL time.Duration // how long a not-found answer is reused; default 30s, negative: never
	CacheSize   int           // most answers kept; default 10000

	// Now and Sleep are the clock, replaceable by tests; Sleep must return early with
	// the context's error when it is done. Defaults: time.Now and a timer.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

type cacheEntry struct {
	person  Person
	found   bool
	expires time.Time
}

// NewHTTP returns a client for the registry service at base (e.g. "https://rc.example/api/v1").
func NewHTTP(base string, opts HTTPOptions) (*HTTP, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("registry service URL %q: want an absolute http or https URL", base)
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	setDefault(&opts.Timeout, 5*time.Second)
	setDefault(&opts.Attempts, 3)
	setDefault(&opts.Backoff, 200*time.Millisecond)
	setDefault(&opts.MaxBackoff, 2*time.Second)
	setDefault(&opts.CacheTTL, 5*time.Minute)
	setDefault(&opts.NotFoundTTL, 30*time.Second)
	setDefault(&opts.CacheSize, 10000)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	return &HTTP{
		base:  strings.TrimRight(base, "/"),
		opts:  opts,
		cache: map[nui.NUI]cacheEntry{},
	}, nil
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Lookup asks the service who holds id, answering from the cache when it can. A malformed
// id is refused with its nui error without asking.
func (c *HTTP) Lookup(ctx context.Context, id nui.NUI) (Person, error) {
	id, err := nui.Parse(string(id))
	if err != nil {
		return Person{}, err
	}
	if p, found, ok := c.cached(id); ok {
		if !found {
			return Person{}, ErrNotFound
		}
		return p, nil
	}
	p, err := c.fetch(ctx, id)
	switch {
	case err == nil:
		c.remember(id, p, true)
	case errors.Is(err, ErrNotFound):
		c.remember(id, Person{}, false)
	}
	return p, err
}

func (c *HTTP) fetch(ctx context.Context, id nui.NUI) (Person, error) {
	var lastErr error
	wait := c.opts.Backoff
	for attempt := 1; attempt <= c.opts.Attempts; attempt++ {
		if attempt > 1 {
			if err := c.opts.Sleep(ctx, wait); err != nil {
				return Person{}, fmt.Errorf("registry lookup of %s: %w: %w (after %v)", id.Masked(), ErrUnavailable, err, lastErr)
			}
			wait = min(2*wait, c.opts.MaxBackoff)
		}
		p, retry, err := c.once(ctx, id)
		if err == nil || !retry {
			return p, err
		}
		lastErr = err
		if ctx.Err() != nil {
			return Person{}, fmt.Errorf("registry lookup of %s: %w: %w (after %v)", id.Masked(), ErrUnavailable, ctx.Err(), lastErr)
		}
	}
	return Person{}, fmt.Errorf("registry lookup of %s: %w: %d attempts, last: %w", id.Masked(), ErrUnavailable, c.opts.Attempts, lastErr)
}

// once makes one request, saying whether a failure is worth retrying.
func (c *HTTP) once(ctx context.Context, id nui.NUI) (p Person, retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/personas/"+url.PathEscape(string(id)), nil)
	if err != nil {
		return Person{}, false, fmt.Errorf("registry lookup: %w: %w", ErrUnavailable, err)
	}
	req.Header.Set("Accept", "application/json")
	if c.opts.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.opts.Token)
	}
	resp, err := c.opts.Client.Do(req)
	if err != nil {
		return Person{}, true, err
	}
	defer func() {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		resp.Body.Close()
	}()
	switch {
	case resp.StatusCode == http.StatusOK:
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return Person{}, true, fmt.Errorf("read answer: %w", err)
		}
		if err := p.UnmarshalJSON(body); err != nil {
			return Person{}, false, fmt.Errorf("registry lookup of %s: %w: invalid answer: %w", id.Masked(), ErrUnavailable, err)
		}
		if p.NUI != id {
			return Person{}, false, fmt.Errorf("registry lookup of %s: %w: answer is about %s", id.Masked(), ErrUnavailable, p.NUI.Masked())
		}
		return p, false, nil
	case resp.StatusCode == http.StatusNotFound:
		return Person{}, false, ErrNotFound
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return Person{}, true, fmt.Errorf("status %s", resp.Status)
	default:
		return Person{}, false, fmt.Errorf("registry lookup of %s: %w: unexpected status %s", id.Masked(), ErrUnavailable, resp.Status)
	}
}

func (c *HTTP) cached(id nui.NUI) (p Person, found, ok bool) {
	c.cacheMu.Lock()
	defer c.cacheMu.Unlock()
	e, ok := c.cache[id]
	if !ok {
		return Person{}, false, false
	}
	if !c.opts.Now().Before(e.expires) {
		delete(c.cache, id)
		return Person{}, false, false
	}
	return e.person, e.found, true
}

func (c *HTTP) remember(id nui.NUI, p Person, found bool) {
	ttl := c.opts.CacheTTL
	if !found {
		ttl = c.opts.NotFoundTTL
	}
	if ttl < 0 {
		return
	}
	c.cacheMu.Lock()
	defer c.cacheMu.Unlock()
	now := c.opts.Now()
	if len(c.cache) >= c.opts.CacheSize {
		for k, e := range c.cache {
			if !now.Before(e.expires) {
				delete(c.cache, k)
			}
		}
	}
	for k := range c.cache { // still full: drop any one
		if len(c.cache) < c.opts.CacheSize {
			break
		}
		delete(c.cache, k)
	}
	c.cache[id] = cacheEntry{person: p, found: found, expires: now.Add(ttl)}
}
