package client_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"buzon/internal/client"
)

func sign(secret, id string, ts int64, body string) string {
	key, _ := base64.StdEncoding.DecodeString(secret[len("whsec_"):])
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "." + body))
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestVerifyWebhook(t *testing.T) {
	// The Standard Webhooks specification's published vector.
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	if got := sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, `{"test": 2432232314}`); got != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Fatalf("the test's signer disagrees with the specification: %s", got)
	}
	now := time.Unix(1614265330, 0)
	body := `{"type":"notification.opened","timestamp":"2021-02-25T15:02:10Z","data":{"id":"e1","type":"notification.opened","occurred_at":"2021-02-25T15:02:10Z"}}`
	h := http.Header{}
	h.Set("webhook-id", "e1")
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,AAAA "+sign(secret, "e1", 1614265330, body))
	m, err := client.VerifyWebhook(secret, h, []byte(body), now.Add(time.Minute))
	if err != nil || m.Type != "notification.opened" || m.Data.ID != "e1" {
		t.Fatalf("VerifyWebhook = %+v, %v", m, err)
	}
	bad := []struct {
		name string
		edit func(h http.Header) (string, time.Time)
	}{
		{"tampered body", func(http.Header) (string, time.Time) { return body + " ", now }},
		{"other id", func(h http.Header) (string, time.Time) { h.Set("webhook-id", "e2"); return body, now }},
		{"old", func(http.Header) (string, time.Time) { return body, now.Add(6 * time.Minute) }},
		{"future", func(http.Header) (string, time.Time) { return body, now.Add(-6 * time.Minute) }},
		{"no signature", func(h http.Header) (string, time.Time) { h.Del("webhook-signature"); return body, now }},
		{"v2 only", func(h http.Header) (string, time.Time) {
			h.Set("webhook-signature", "v2,"+sign(secret, "e1", 1614265330, body)[3:])
			return body, now
		}},
	}
	for _, b := range bad {
		h2 := h.Clone()
		body, at := b.edit(h2)
		if _, err := client.VerifyWebhook(secret, h2, []byte(body), at); !errors.Is(err, client.ErrSignature) {
			t.Errorf("%s: %v", b.name, err)
		}
	}
}

func FuzzVerifyWebhook(f *testing.F) {
	f.Add("e1", "1614265330", "v1,AAAA", `{}`)
	f.Add("", "x", "v1,", "")
	f.Add("msg", "-1", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1", `{"test": 2432232314}`)
	f.Fuzz(func(t *testing.T, id, ts, sig, body string) {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", sig)
		// Only a true signature verifies; nothing panics.
		const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		if _, err := client.VerifyWebhook(secret, h, []byte(body), time.Unix(1614265330, 0)); err == nil {
			n, perr := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
			want := sign(secret, h.Get("webhook-id"), n, body)
			if perr != nil || !strings.Contains(" "+h.Get("webhook-signature")+" ", " "+want+" ") {
				t.Fatalf("a forged webhook verified: %q %q %q", id, ts, sig)
			}
		}
	})
}
