package api

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Cursors are opaque to clients: base64url of a short text that says where
// the previous page ended.

func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "|")))
}

func decodeCursor(s string, n int) ([]string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 200 {
		return nil, false
	}
	parts := strings.Split(string(b), "|")
	return parts, len(parts) == n
}

// listCursor is the last row of a page of notifications: (time, id).
func listCursor(at time.Time, id string) string {
	return encodeCursor("n1", strconv.FormatInt(at.UnixMicro(), 10), id)
}

func parseListCursor(s string) (time.Time, string, bool) {
	parts, ok := decodeCursor(s, 3)
	if !ok || parts[0] != "n1" {
		return time.Time{}, "", false
	}
	us, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || us < 0 {
		return time.Time{}, "", false
	}
	return time.UnixMicro(us).UTC(), parts[2], true
}

// eventCursor is the leaf index of the last event seen.
func eventCursor(leaf int64) string { return encodeCursor("e1", strconv.FormatInt(leaf, 10)) }

func parseEventCursor(s string) (int64, bool) {
	parts, ok := decodeCursor(s, 2)
	if !ok || parts[0] != "e1" {
		return 0, false
	}
	leaf, err := strconv.ParseInt(parts[1], 10, 64)
	return leaf, err == nil && leaf >= -1
}
