package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// Purpose says what an emailed token is for; a token of one purpose cannot
// be used for another. The values are stored.
type Purpose string

// The token purposes and how long each token lives.
const (
	PurposeActivation  Purpose = "activacion"
	PurposeReset       Purpose = "restablecer"
	PurposeEmailChange Purpose = "cambio_correo"
)

// Lifetimes of emailed tokens.
const (
	ActivationLifetime  = 72 * time.Hour
	ResetLifetime       = time.Hour
	EmailChangeLifetime = 24 * time.Hour
)

// newToken returns a random 32-byte token, URL-safe, and its SHA-256: the
// token goes into the email, only the hash into the database.
func newToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

// hashToken is the SHA-256 of a token as received. Tokens are random, so a
// plain hash (no salt, no stretching) cannot be reversed.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// wellFormedToken rejects input that cannot be one of our tokens before
// touching the database.
func wellFormedToken(token string) bool {
	// The decoder skips line breaks: a token holding one is not well formed.
	if len(token) != 43 || strings.ContainsAny(token, "\r\n") {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil
}
