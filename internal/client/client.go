// Package client is a Go client of Buzón's interconnection API, for
// institutions' systems (and the `buzon send` command).
//
//	c := client.New("https://buzon.example", os.Getenv("BUZON_API_KEY"))
//	res, err := c.SendNotification(ctx, client.NotificationRequest{
//		Recipients: []string{"1714307103"}, Subject: "Resolución", Body: "…"})
//
// Every POST carries an Idempotency-Key, drawn at random unless the context
// names one (WithIdempotencyKey). A request that fails on the way (no
// answer, 5xx, 409 while the first attempt is still running, 429 over the
// rate limit) is retried with the same key, waiting what Retry-After says,
// so a retry can never deposit twice. Errors from the API are *Problem.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls the API of one Buzón with one key. It is safe for
// concurrent use.
type Client struct {
	// BaseURL is the site's address, without /api/v1.
	BaseURL string
	// Key is the institution's API key, bzn_live_… or bzn_test_….
	Key string
	// HTTP sends the requests; nil means a client with a 2-minute timeout.
	HTTP *http.Client
	// MaxRetries bounds the retries of one call; negative means none,
	// zero means 4.
	MaxRetries int
	// MaxWait bounds the wait before one retry (default one minute): a
	// longer Retry-After makes the call fail instead.
	MaxWait time.Duration
	// UserAgent names the calling system in the server's logs.
	UserAgent string
	// Sleep waits before a retry; nil waits for real. Tests inject their own.
	Sleep func(ctx context.Context, d time.Duration) error
}

// New returns a client for baseURL with key.
func New(baseURL, key string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Key: key}
}

// Problem is an error the API answered (RFC 9457): Code is stable, Detail
// is in Spanish and DetailEN in English.
type Problem struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Code     string         `json:"code"`
	Detail   string         `json:"detail"`
	DetailEN string         `json:"detail_en"`
	Instance string         `json:"instance,omitempty"`
	Errors   []ProblemEntry `json:"errors,omitempty"`
	// RetryAfter is what the Retry-After header said, if anything.
	RetryAfter time.Duration `json:"-"`
}

// ProblemEntry is one problem of a refused request.
type ProblemEntry struct {
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	Detail   string `json:"detail"`
	DetailEN string `json:"detail_en"`
}

func (p *Problem) Error() string {
	s := fmt.Sprintf("buzon: %d %s: %s", p.Status, p.Code, p.Detail)
	for _, e := range p.Errors {
		if e.Field != "" {
			s += fmt.Sprintf(" [%s: %s]", e.Field, e.Detail)
		} else if e.Code != p.Code {
			s += fmt.Sprintf(" [%s]", e.Detail)
		}
	}
	return s
}

// IsCode reports whether err is a Problem with that code.
func IsCode(err error, code string) bool {
	var p *Problem
	return errors.As(err, &p) && p.Code == code
}

type idemKey struct{}

// WithIdempotencyKey makes the POST of ctx use key, so that a call repeated
// later (after a crash of the calling system, say) is recognised as the
// same request.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idemKey{}, key)
}

func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// request is one call: what to send, built again for each attempt.
type request struct {
	method, path string
	query        url.Values
	body         func() (io.Reader, string, error) // content and its type
}

func (c *Client) do(ctx context.Context, rq request, out any) error {
	var key string
	if rq.method == http.MethodPost {
		key, _ = ctx.Value(idemKey{}).(string)
		if key == "" {
			key = newKey()
		}
	}
	max := c.MaxRetries
	if max == 0 {
		max = 4
	}
	for attempt := 0; ; attempt++ {
		err := c.once(ctx, rq, key, out)
		wait, retry := c.retryable(err, attempt)
		if !retry || attempt >= max {
			return err
		}
		if err := c.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// retryable decides whether a failed attempt is worth another, and after
// how long.
func (c *Client) retryable(err error, attempt int) (time.Duration, bool) {
	if err == nil {
		return 0, false
	}
	backoff := time.Duration(1<<min(attempt, 5)) * time.Second
	maxWait := c.MaxWait
	if maxWait <= 0 {
		maxWait = time.Minute
	}
	var p *Problem
	if !errors.As(err, &p) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errDecode) {
			return 0, false
		}
		return backoff, true // no answer: the request may or may not have arrived
	}
	switch {
	case p.Status == http.StatusConflict && p.Code == "idempotency_key_in_progress",
		p.Status == http.StatusTooManyRequests && p.Code == "rate_limited",
		p.Status >= 500:
		if p.RetryAfter > 0 {
			backoff = p.RetryAfter
		}
		return backoff, backoff <= maxWait
	}
	return 0, false
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

var errDecode = errors.New("buzon: unexpected answer")

func (c *Client) once(ctx context.Context, rq request, key string, out any) error {
	u := c.BaseURL + "/api/v1" + rq.path
	if len(rq.query) > 0 {
		u += "?" + rq.query.Encode()
	}
	var body io.Reader
	var ctype string
	if rq.body != nil {
		var err error
		if body, ctype, err = rq.body(); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, u, body)
	if err != nil {
		return fmt.Errorf("buzon: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	req.Header.Set("Accept", "application/json")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	ua := "buzon-go-client/1"
	if c.UserAgent != "" {
		ua = c.UserAgent + " " + ua
	}
	req.Header.Set("User-Agent", ua)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("buzon: %s %s: %w", rq.method, rq.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("buzon: %s %s: read answer: %w", rq.method, rq.path, err)
	}
	if resp.StatusCode >= 400 {
		p := &Problem{Status: resp.StatusCode}
		if err := json.Unmarshal(data, p); err != nil || p.Code == "" {
			p = &Problem{Status: resp.StatusCode, Code: "http_" + strconv.Itoa(resp.StatusCode),
				Detail: strings.TrimSpace(string(data[:min(len(data), 200)]))}
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			p.RetryAfter = time.Duration(s) * time.Second
		}
		return p
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w from %s %s (%d): %v", errDecode, rq.method, rq.path, resp.StatusCode, err)
	}
	return nil
}

func jsonBody(v any) func() (io.Reader, string, error) {
	b, err := json.Marshal(v)
	return func() (io.Reader, string, error) {
		if err != nil {
			return nil, "", fmt.Errorf("buzon: encode request: %w", err)
		}
		return bytes.NewReader(b), "application/json", nil
	}
}

// SendNotification deposits a notification for its recipients and says
// what happened to each.
func (c *Client) SendNotification(ctx context.Context, n NotificationRequest) (*SubmissionResult, error) {
	var out SubmissionResult
	if err := c.do(ctx, request{method: http.MethodPost, path: "/notifications", body: jsonBody(n)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UploadFile uploads an attachment (read whole, so a retry can send it
// again) and returns its id for NotificationRequest.FileIDs.
func (c *Client) UploadFile(ctx context.Context, name string, r io.Reader) (*File, error) {
	content, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("buzon: read %s: %w", name, err)
	}
	body := func() (io.Reader, string, error) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			return nil, "", err
		}
		fw.Write(content)
		if err := mw.Close(); err != nil {
			return nil, "", err
		}
		return &buf, mw.FormDataContentType(), nil
	}
	var out File
	if err := c.do(ctx, request{method: http.MethodPost, path: "/files", body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SendBatch hands over up to 10 000 notifications at once; follow it with
// Batch.
func (c *Client) SendBatch(ctx context.Context, items []NotificationRequest) (*Batch, error) {
	var out Batch
	err := c.do(ctx, request{method: http.MethodPost, path: "/batches", body: jsonBody(map[string]any{"notifications": items})}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Batch returns a batch's progress and its items after position after
// (limit 0 means the server's default).
func (c *Client) Batch(ctx context.Context, id string, after, limit int) (*Batch, error) {
	q := url.Values{}
	if after > 0 {
		q.Set("after", strconv.Itoa(after))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out Batch
	if err := c.do(ctx, request{method: http.MethodGet, path: "/batches/" + url.PathEscape(id), query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Notification returns one notification with its attachments and timeline.
func (c *Client) Notification(ctx context.Context, id string) (*Notification, error) {
	var out Notification
	if err := c.do(ctx, request{method: http.MethodGet, path: "/notifications/" + url.PathEscape(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListOptions filter the list of notifications.
type ListOptions struct {
	Reference string
	State     string // deposited, opened, alert_failed, deadline_reached
	Since     time.Time
	Cursor    string
	Limit     int
}

// Notifications returns a page of the institution's notifications, oldest first.
func (c *Client) Notifications(ctx context.Context, o ListOptions) (*NotificationPage, error) {
	q := url.Values{}
	if o.Reference != "" {
		q.Set("reference", o.Reference)
	}
	if o.State != "" {
		q.Set("state", o.State)
	}
	if !o.Since.IsZero() {
		q.Set("since", o.Since.Format(time.RFC3339Nano))
	}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	var out NotificationPage
	if err := c.do(ctx, request{method: http.MethodGet, path: "/notifications", query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// HasBuzon reports whether a N.U.I. has an active buzón.
func (c *Client) HasBuzon(ctx context.Context, nui string) (bool, error) {
	var out struct {
		Active bool `json:"active"`
	}
	if err := c.do(ctx, request{method: http.MethodGet, path: "/recipients/" + url.PathEscape(nui)}, &out); err != nil {
		return false, err
	}
	return out.Active, nil
}

// Events returns the events after cursor ("" from the start).
func (c *Client) Events(ctx context.Context, cursor string, limit int) (*EventPage, error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out EventPage
	if err := c.do(ctx, request{method: http.MethodGet, path: "/events", query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Webhooks lists the institution's webhook endpoints.
func (c *Client) Webhooks(ctx context.Context) ([]Webhook, error) {
	var out struct {
		Webhooks []Webhook `json:"webhooks"`
	}
	if err := c.do(ctx, request{method: http.MethodGet, path: "/webhooks"}, &out); err != nil {
		return nil, err
	}
	return out.Webhooks, nil
}

// CreateWebhook registers an endpoint; keep the returned Secret to verify
// the events (VerifyWebhook).
func (c *Client) CreateWebhook(ctx context.Context, w WebhookRequest) (*Webhook, error) {
	var out Webhook
	if err := c.do(ctx, request{method: http.MethodPost, path: "/webhooks", body: jsonBody(w)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Webhook returns an endpoint with its latest deliveries.
func (c *Client) Webhook(ctx context.Context, id string) (*Webhook, error) {
	var out Webhook
	if err := c.do(ctx, request{method: http.MethodGet, path: "/webhooks/" + url.PathEscape(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteWebhook removes an endpoint.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: "/webhooks/" + url.PathEscape(id)}, nil)
}

// TestWebhook queues a test event for an endpoint.
func (c *Client) TestWebhook(ctx context.Context, id string) (*TestEvent, error) {
	var out TestEvent
	if err := c.do(ctx, request{method: http.MethodPost, path: "/webhooks/" + url.PathEscape(id) + "/test"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
