// Package apikey holds the credentials of the interconnection API: keys an
// institution's administrator creates in the console for the institution's
// own systems, which present them as "Authorization: Bearer <key>".
//
// A key reads "bzn_live_" or "bzn_test_" followed by 32 characters of
// lowercase base32 (160 random bits). It is shown once, when created; the
// platform keeps only its SHA-256 (a key is random, so a fast hash is as
// safe as a slow one and costs nothing per request) and its visible prefix,
// "bzn_live_" plus the first 8 characters, which finds the row and lets the
// console and the logs name a key without revealing it.
//
// Test keys are a sandbox: the API validates and answers their requests
// like live ones, but nothing reaches a citizen and nothing counts against
// the institution's quota.
package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"time"
)

// Mode says whether a key acts for real or in the sandbox. The values are
// stored and appear in the keys themselves.
type Mode string

// The modes.
const (
	Live Mode = "live"
	Test Mode = "test"
)

// ParseMode reads a stored or submitted mode.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case Live, Test:
		return Mode(s), nil
	}
	return "", ErrModeUnknown
}

// Spanish names the mode as the console does.
func (m Mode) Spanish() string {
	if m == Test {
		return "Pruebas (sandbox)"
	}
	return "Producción"
}

// English names the mode in English.
func (m Mode) English() string {
	if m == Test {
		return "Test (sandbox)"
	}
	return "Live"
}

const (
	keyPrefix    = "bzn_"
	secretLen    = 32 // base32 characters of 20 random bytes
	visibleChars = 8  // of the secret, in the prefix
)

var encoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Generate returns a new key of mode m, its visible prefix and its hash.
func Generate(m Mode) (key, prefix string, hash []byte) {
	var b [20]byte
	rand.Read(b[:])
	key = keyPrefix + string(m) + "_" + encoding.EncodeToString(b[:])
	prefix, _, _ = Parse(key)
	return key, prefix, Hash(key)
}

// Parse checks a presented key's shape and returns its prefix and mode;
// ok is false for anything that cannot be a key.
func Parse(key string) (prefix string, m Mode, ok bool) {
	rest, found := strings.CutPrefix(key, keyPrefix)
	if !found {
		return "", "", false
	}
	mode, secret, found := strings.Cut(rest, "_")
	if !found || (Mode(mode) != Live && Mode(mode) != Test) || len(secret) != secretLen {
		return "", "", false
	}
	for i := 0; i < len(secret); i++ {
		c := secret[i]
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return "", "", false
		}
	}
	return keyPrefix + mode + "_" + secret[:visibleChars], Mode(mode), true
}

// Hash is what the platform keeps of a key.
func Hash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// Key is an API key as the console lists it: never the secret itself.
type Key struct {
	ID            string
	InstitutionID string
	Name          string
	Mode          Mode
	// Prefix is the key's visible beginning, e.g. "bzn_live_k3j9x2ab".
	Prefix     string
	CreatedBy  string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: valid
}

// Revoked reports whether the key no longer works.
func (k *Key) Revoked() bool { return !k.RevokedAt.IsZero() }

// Credential is who an API request acts for: the key it presented, the
// institution and the mode.
type Credential struct {
	KeyID           string
	KeyPrefix       string
	InstitutionID   string
	InstitutionName string
	Mode            Mode
}

// Test reports whether the request runs in the sandbox.
func (c *Credential) Test() bool { return c.Mode == Test }
