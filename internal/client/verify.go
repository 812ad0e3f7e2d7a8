package client

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrSignature answers a webhook whose signature, timestamp or secret does
// not check out: drop it.
var ErrSignature = errors.New("buzon: webhook signature does not verify")

// WebhookTolerance is how far from now a webhook's timestamp may be.
const WebhookTolerance = 5 * time.Minute

// VerifyWebhook checks a webhook request Buzón posted to an institution's
// endpoint, as Standard Webhooks specifies (the HMAC-SHA256 of
// "webhook-id.webhook-timestamp.body" under the whsec_ secret, a timestamp
// within WebhookTolerance of now), and returns its message. Keep the
// message's Data.ID: a retry carries the same id.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time) (*WebhookMessage, error) {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return nil, ErrSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, ErrSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > WebhookTolerance || d < -WebhookTolerance {
		return nil, ErrSignature
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return nil, ErrSignature
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		v, sig, ok := strings.Cut(s, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			var m WebhookMessage
			if err := json.Unmarshal(body, &m); err != nil {
				return nil, ErrSignature
			}
			return &m, nil
		}
	}
	return nil, ErrSignature
}
