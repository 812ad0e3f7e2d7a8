package institution

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"
)

// trackingAlphabet is Crockford's base32: no I, L, O or U, so a number read
// over the phone or copied by hand is not mistaken.
const trackingAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// trackingRandom is how many random characters a tracking number has: 40
// bits, so that numbers cannot be guessed to read other requests' state.
const trackingRandom = 8

// newTracking returns a fresh tracking number, "SOL-2026-7KQ4M9XA": the year
// it was filed (in Ecuador) and eight random characters.
func newTracking(now time.Time) string {
	b := make([]byte, trackingRandom)
	rand.Read(b)
	for i := range b {
		b[i] = trackingAlphabet[int(b[i])%len(trackingAlphabet)]
	}
	return fmt.Sprintf("SOL-%d-%s", now.In(ecuador).Year(), b)
}

// ecuador is mainland Ecuador's time (UTC−5, no daylight saving).
var ecuador = time.FixedZone("ECT", -5*60*60)

// ParseTracking reads a tracking number as a person types it: case, spaces
// and the letters people confuse (O for 0, I and L for 1) are forgiven.
// Anything that cannot be one is ErrTrackingNotFound.
func ParseTracking(s string) (string, error) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	parts := strings.Split(s, "-")
	if len(parts) != 3 || parts[0] != "SOL" || len(parts[1]) != 4 || len(parts[2]) != trackingRandom {
		return "", ErrTrackingNotFound
	}
	for _, c := range parts[1] {
		if c < '0' || c > '9' {
			return "", ErrTrackingNotFound
		}
	}
	code := []byte(parts[2])
	for i, c := range code {
		switch c {
		case 'O':
			code[i] = '0'
		case 'I', 'L':
			code[i] = '1'
		}
		if !strings.ContainsRune(trackingAlphabet, rune(code[i])) {
			return "", ErrTrackingNotFound
		}
	}
	return "SOL-" + parts[1] + "-" + string(code), nil
}
