package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// secretPrefix starts every signing secret, as Standard Webhooks does.
const secretPrefix = "whsec_"

// NewSecret returns a fresh signing secret: "whsec_" and 32 random bytes in
// standard base64.
func NewSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return secretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// ErrSecret answers a secret that is not "whsec_<base64>" of 24 to 64 bytes.
var ErrSecret = errors.New("webhook: malformed signing secret")

// SecretKey returns the HMAC key a secret stands for.
func SecretKey(secret string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(b) < 24 || len(b) > 64 {
		return nil, ErrSecret
	}
	return b, nil
}

// Sign returns the webhook-signature value of a message:
// "v1,<base64 HMAC-SHA256 of id.timestamp.body>".
func Sign(key []byte, msgID string, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID))
	mac.Write([]byte{'.'})
	mac.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SetHeaders sets the three Standard Webhooks headers of a request.
func SetHeaders(h http.Header, key []byte, msgID string, ts time.Time, body []byte) {
	h.Set("webhook-id", msgID)
	h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	h.Set("webhook-signature", Sign(key, msgID, ts, body))
}
