package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"buzon/internal/notification"
)

// The scenarios drive a running server over HTTP on loopback, as an
// institution's system and as citizens' browsers would.

func newHTTPClient(conns int, jar http.CookieJar) *http.Client {
	return &http.Client{
		Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute,
			DisableCompression: true},
		Jar:     jar,
		Timeout: 5 * time.Minute,
		// A redirect is an answer to check (a sign-in page instead of the inbox), not to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// notificationBody is a 1 KiB notification body.
var notificationBody = strings.Repeat("Se le notifica la resolución administrativa que consta en el expediente. ", 14)[:1024]

type notificationJSON struct {
	Recipients []string `json:"recipients"`
	Subject    string   `json:"subject"`
	Body       string   `json:"body"`
	Category   string   `json:"category,omitempty"`
	Reference  string   `json:"reference,omitempty"`
}

// post sends JSON with an API key and a fresh Idempotency-Key and returns
// the status and body.
func post(ctx context.Context, c *http.Client, target, key string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", newKey())
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// singleIngest: Clients concurrent clients each POST /api/v1/notifications
// for one recipient with a 1 KiB body, over and over; each 201 is a
// notification deposited and committed with its evidence and alert job.
// Requests go round the institutions' keys, as many systems would send.
func (e *env) singleIngest(ctx context.Context, base string) (Figure, error) {
	c := newHTTPClient(e.cfg.Clients, nil)
	defer c.CloseIdleConnections()
	var n atomic.Int64
	target := base + "/api/v1/notifications"
	f, err := drive(e.cfg.Clients, e.cfg.warm(), e.cfg.Duration, func(int) error {
		i := n.Add(1)
		inst := e.insts[int(i)%len(e.insts)]
		who := e.citizens[int(i*7919)%len(e.citizens)]
		body, _ := json.Marshal(notificationJSON{Recipients: []string{who.NUI}, Subject: "Resolución de prueba de carga",
			Body: notificationBody, Category: "resolucion", Reference: fmt.Sprintf("BENCH-%d", i)})
		status, resp, err := post(ctx, c, target, inst.Key, body)
		if err != nil {
			return err
		}
		if status != http.StatusCreated {
			return fmt.Errorf("POST /api/v1/notifications: %d %s", status, firstLine(resp))
		}
		return nil
	})
	return f, err
}

// bulkIngest sends one batch of BulkRecipients recipients (items of 100
// recipients each) through POST /api/v1/batches and waits until the
// server has deposited all of them; the figure runs from the request to
// the answer that shows the batch completed (polled every 25 ms: the
// batch's completed_at is the time its last chunk began, too early).
func (e *env) bulkIngest(ctx context.Context, base string) (Figure, error) {
	const perItem = 100
	n := min(e.cfg.BulkRecipients, len(e.citizens))
	items := make([]notificationJSON, 0, (n+perItem-1)/perItem)
	for start := 0; start < n; start += perItem {
		var rs []string
		for _, c := range e.citizens[start:min(start+perItem, n)] {
			rs = append(rs, c.NUI)
		}
		items = append(items, notificationJSON{Recipients: rs, Subject: "Aviso masivo de prueba de carga", Body: notificationBody,
			Category: "informativa", Reference: fmt.Sprintf("BULK-%d", start/perItem+1)})
	}
	body, err := json.Marshal(map[string]any{"notifications": items})
	if err != nil {
		return Figure{}, err
	}
	c := newHTTPClient(2, nil)
	defer c.CloseIdleConnections()
	key := e.insts[0].Key
	t0 := time.Now()
	status, resp, err := post(ctx, c, base+"/api/v1/batches", key, body)
	if err != nil {
		return Figure{}, err
	}
	if status != http.StatusAccepted {
		return Figure{}, fmt.Errorf("POST /api/v1/batches: %d %s", status, firstLine(resp))
	}
	var b struct {
		ID          string     `json:"id"`
		State       string     `json:"state"`
		Deposited   int        `json:"deposited"`
		Failed      int        `json:"failed"`
		CompletedAt *time.Time `json:"completed_at"`
	}
	if err := json.Unmarshal(resp, &b); err != nil {
		return Figure{}, fmt.Errorf("batch answer: %w", err)
	}
	var done time.Time
	for b.State != "completed" {
		// Often at first (a quick run's batch takes a second), then within
		// the institution's rate limit (600 a minute by default).
		wait := 25 * time.Millisecond
		if time.Since(t0) > 2*time.Second {
			wait = 250 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return Figure{}, ctx.Err()
		case <-time.After(wait):
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/batches/"+b.ID, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		r, err := c.Do(req)
		if err != nil {
			return Figure{}, err
		}
		raw, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return Figure{}, err
		}
		if r.StatusCode == http.StatusTooManyRequests {
			continue
		}
		if r.StatusCode != http.StatusOK {
			return Figure{}, fmt.Errorf("GET /api/v1/batches/%s: %d %s", b.ID, r.StatusCode, firstLine(raw))
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			return Figure{}, err
		}
		done = time.Now()
	}
	if b.CompletedAt == nil {
		return Figure{}, errors.New("a completed batch without completed_at")
	}
	if done.IsZero() {
		done = time.Now()
	}
	f := Figure{Ops: int64(b.Deposited), Errors: int64(b.Failed), Elapsed: done.Sub(t0)}
	if b.Deposited != n {
		return f, fmt.Errorf("the batch deposited %d notifications of %d", b.Deposited, n)
	}
	return f, nil
}

// inboxUsers are the heavy citizens the inbox clients sign in as.
func (e *env) inboxUsers() []citizen {
	return e.heavy[:min(e.cfg.Readers, len(e.heavy))]
}

// signIn signs the inbox users in, one browser (cookie jar) each, one
// after another as people do. The sessions live in the database, so the
// browsers stay signed in with another server process.
func (e *env) signIn(ctx context.Context, base string) ([]*http.Client, error) {
	users := e.inboxUsers()
	clients := make([]*http.Client, len(users))
	for i, u := range users {
		jar, _ := cookiejar.New(nil)
		clients[i] = newHTTPClient(1, jar)
		form := url.Values{"nui": {u.NUI}, "password": {Password}}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/ingresar", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := clients[i].Do(req)
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		clients[i].CloseIdleConnections()
		if resp.StatusCode != http.StatusSeeOther {
			return nil, fmt.Errorf("sign in as %s: %d, want 303", u.NUI, resp.StatusCode)
		}
	}
	return clients, nil
}

// inbox has each signed-in browser load its inbox page over and over:
// HTML, a full page of notification.PageSize (25) notifications, more than
// the 20 of the raw query it is compared with.
func (e *env) inbox(base string, clients []*http.Client) (Figure, error) {
	defer func() {
		for _, c := range clients {
			c.CloseIdleConnections()
		}
	}()
	return drive(len(clients), e.cfg.warm(), e.cfg.Duration, func(w int) error {
		req, _ := http.NewRequest(http.MethodGet, base+"/buzon", nil)
		resp, err := clients[w].Do(req)
		if err != nil {
			return err
		}
		page, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /buzon: %d", resp.StatusCode)
		}
		if n := bytes.Count(page, []byte(`class="inbox-subject"`)); n != notification.PageSize {
			return fmt.Errorf("GET /buzon showed %d notifications, want a full page of %d", n, notification.PageSize)
		}
		return nil
	})
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}
