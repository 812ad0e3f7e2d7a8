// Package request holds the values the web shell attaches to every request
// before any handler runs, so handlers in every area can read them without
// importing the shell.
package request

import (
	"context"
	"crypto/rand"
	"net/http"
)

// IDHeader carries the request id in and out: a proxy's id is kept when
// valid, and every response echoes the id the logs use.
const IDHeader = "X-Request-Id"

type idKey struct{}

// WithID returns a context carrying the request id.
func WithID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, idKey{}, id)
}

// ID returns the request's id, or "" outside the web shell.
func ID(r *http.Request) string {
	id, _ := r.Context().Value(idKey{}).(string)
	return id
}

// NewID returns a fresh random id (26 characters of base32, 130 bits).
func NewID() string { return rand.Text() }

// ValidID reports whether an incoming id may be trusted into our logs and
// headers: 1 to 128 letters, digits, '-', '_' or '.'. Anything else (spaces,
// quotes, control characters that could forge log lines) is replaced.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}
