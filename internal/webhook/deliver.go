package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/outbox"
	"buzon/internal/store"
)

// DeliveryKind is the job kind that posts one message to one endpoint.
const DeliveryKind = "webhook.delivery"

type deliveryJob struct {
	DeliveryID string `json:"delivery_id"`
}

// schedule is the wait before each retry, after the Standard Webhooks
// recommendation, stretched so that the last attempt comes about 24 hours
// after the first.
var schedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
	8 * time.Hour, 8*time.Hour + 25*time.Minute}

// MaxAttempts is how many times a message is tried: once, and once after
// each wait of the schedule.
var MaxAttempts = len(schedule) + 1

// Backoff is the wait before the next attempt after n failures.
func Backoff(failures int) time.Duration {
	i := min(max(failures-1, 0), len(schedule)-1)
	return schedule[i]
}

// RetryWindow is how long a message is retried: the sum of the schedule.
func RetryWindow() time.Duration {
	var d time.Duration
	for _, w := range schedule {
		d += w
	}
	return d
}

// Job returns the job kind that delivers messages.
func (s *Service) Job() jobs.Kind {
	return jobs.Kind{Name: DeliveryKind, MaxAttempts: MaxAttempts, Timeout: time.Minute, Backoff: Backoff, Handler: s.deliver}
}

const userAgent = "Buzon-Webhooks/1.0"

// deliver posts a delivery's message once and records the attempt.
func (s *Service) deliver(ctx context.Context, j *store.Job) error {
	var p deliveryJob
	if err := jobs.Decode(j, &p); err != nil {
		return err
	}
	r := s.DB.Reader()
	d, err := r.WebhookDelivery(ctx, p.DeliveryID)
	if errors.Is(err, store.ErrNotFound) {
		return jobs.Permanent(fmt.Errorf("webhook delivery %s: %w", p.DeliveryID, err))
	}
	if err != nil {
		return err
	}
	if d.State == store.DeliveryDelivered || d.State == store.DeliveryFailed {
		return nil // an earlier run finished it and then lost its lease
	}
	now := s.now()
	test := d.EventType == string(Test)
	w, err := r.Webhook(ctx, "", d.WebhookID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && w.State != store.WebhookActive && !test) {
		reason := "el webhook fue eliminado / the webhook was deleted"
		if err == nil {
			reason = "el webhook está desactivado / the webhook is disabled"
		}
		if werr := s.DB.Write(ctx, func(tx *store.Tx) error {
			return tx.RecordWebhookAttempt(ctx, &store.WebhookAttempt{DeliveryID: d.ID, Attempt: j.Attempts, At: now, Error: reason}, store.DeliveryFailed)
		}); werr != nil {
			return werr
		}
		return jobs.Permanent(errors.New(reason))
	}
	if err != nil {
		return err
	}
	secret, err := s.Keys.Open(w.SecretSealed, []byte("webhook:"+w.ID))
	if err != nil {
		return jobs.Permanent(fmt.Errorf("webhook %s: open secret: %w", w.ID, err))
	}
	key, err := SecretKey(string(secret))
	if err != nil {
		return jobs.Permanent(fmt.Errorf("webhook %s: %w", w.ID, err))
	}

	status, excerpt, took, postErr := s.post(ctx, w.URL, key, d.MessageID, now, d.Payload)
	ok := postErr == nil && status >= 200 && status < 300
	last := j.Attempts >= j.MaxAttempts
	var failure error
	switch {
	case ok:
	case postErr != nil:
		failure = postErr
	default:
		failure = fmt.Errorf("the endpoint answered %d", status)
	}
	state := store.DeliveryDelivered
	if !ok {
		state = store.DeliveryRetrying
		if last {
			state = store.DeliveryFailed
		}
	}
	errText := ""
	if failure != nil {
		errText = truncate(failure.Error(), 300)
	}
	disabled := false
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.RecordWebhookAttempt(ctx, &store.WebhookAttempt{DeliveryID: d.ID, Attempt: j.Attempts, At: now, Status: status,
			Duration: took, Error: errText, Response: excerpt}, state); err != nil {
			return err
		}
		if test {
			return nil // a test says nothing about the real traffic's health
		}
		if ok {
			return tx.WebhookSucceeded(ctx, w.ID)
		}
		since, err := tx.WebhookFailed(ctx, w.ID, now)
		if err != nil || !last {
			return err
		}
		// The endpoint has not accepted anything since this message's first
		// attempt, about a day ago: stop sending and tell the administrators.
		first, err := firstAttempt(ctx, tx, d.ID, now)
		if err != nil || since.After(first) {
			return err
		}
		disabled = true
		return s.disable(ctx, tx, w, now)
	})
	if err != nil {
		return err
	}
	if disabled {
		s.logger().Warn("webhook disabled after failing for a day", "webhook", w.ID, "institution", w.InstitutionID, "url", w.URL)
	}
	if ok {
		return nil
	}
	if last {
		return jobs.Permanent(failure)
	}
	return failure
}

// post sends one signed request and returns the status, the start of the
// response body and how long it took.
func (s *Service) post(ctx context.Context, url string, key []byte, msgID string, now time.Time, body []byte) (int, string, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	SetHeaders(req.Header, key, msgID, now, body)
	start := time.Now()
	resp, err := s.httpClient().Do(req)
	took := time.Since(start)
	if err != nil {
		return 0, "", took, fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	return resp.StatusCode, truncate(strings.ToValidUTF8(string(b), "?"), 500), took, nil
}

func firstAttempt(ctx context.Context, tx *store.Tx, deliveryID string, now time.Time) (time.Time, error) {
	as, err := tx.WebhookAttempts(ctx, []string{deliveryID})
	if err != nil {
		return time.Time{}, err
	}
	if len(as) == 0 {
		return now, nil
	}
	return as[0].At, nil
}

// disable turns an endpoint off and emails the institution's administrators.
func (s *Service) disable(ctx context.Context, tx *store.Tx, w *store.Webhook, now time.Time) error {
	reason := "Desactivado automáticamente: no aceptó ningún evento durante 24 horas."
	if err := tx.SetWebhookState(ctx, w.InstitutionID, w.ID, store.WebhookDisabled, reason, now); err != nil {
		return err
	}
	inst, err := tx.InstitutionByID(ctx, w.InstitutionID)
	if err != nil {
		return err
	}
	admins, err := tx.RoleHolders(ctx, "admin_institucional", w.InstitutionID)
	if err != nil {
		return err
	}
	for _, a := range admins {
		id, err := tx.IdentityByID(ctx, a.IdentityID)
		if err != nil {
			return err
		}
		if id.Email == "" {
			continue
		}
		m := disabledMail(s.MailFrom, id.Email, inst.Name, w.URL, s.ConsoleURL)
		if err := outbox.Enqueue(ctx, tx, m, now, jobs.Options{UniqueKey: "webhook-disabled:" + w.ID + ":" + id.ID + ":" + now.Format(time.RFC3339)}); err != nil {
			return err
		}
	}
	return nil
}

func disabledMail(from, to, institution, url, console string) *mail.Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Buzón dejó de enviar eventos al webhook de %s:\n\n  %s\n\n", institution, url)
	b.WriteString("Durante 24 horas no aceptó ningún evento (respondió con error o no respondió), así que lo desactivamos.\n")
	b.WriteString("Revise el sistema que recibe los eventos, envíe un evento de prueba desde la consola y reactívelo.\n")
	b.WriteString("Mientras tanto, su sistema puede leer los eventos con GET /api/v1/events.\n")
	if console != "" {
		fmt.Fprintf(&b, "\nConsola: %s\n", console)
	}
	b.WriteString("\n---\n\n")
	fmt.Fprintf(&b, "Buzón stopped sending events to %s's webhook:\n\n  %s\n\n", institution, url)
	b.WriteString("It accepted no event for 24 hours (it answered with an error or did not answer), so we disabled it.\n")
	b.WriteString("Check the receiving system, send a test event from the console and enable it again.\n")
	b.WriteString("Meanwhile, your system can read the events with GET /api/v1/events.\n")
	return &mail.Message{From: from, To: to, Subject: "Webhook desactivado / Webhook disabled — Buzón", Text: b.String(),
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
