package notification

import (
	"strings"
	"testing"
	"time"
)

// The inbox cursor comes from the query string: anything decodes to a valid
// position or to none, and a position survives a round trip.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(true, time.UnixMicro(1_780_000_000_000_000), "01a21a55-4e28-7d1e-a4e7-c710d9c0c5be"))
	f.Add("")
	f.Add("bm9wZQ")
	f.Fuzz(func(t *testing.T, s string) {
		u, at, id, ok := decodeCursor(s)
		if !ok {
			return
		}
		if !ValidID(id) || at.IsZero() {
			t.Fatalf("%q decoded to %v %v %q", s, u, at, id)
		}
		if u2, at2, id2, ok2 := decodeCursor(encodeCursor(u, at, id)); !ok2 || u2 != u || !at2.Equal(at) || id2 != id {
			t.Fatalf("round trip of %q changed it", s)
		}
	})
}

// Subjects and bodies come from notifiers: expanding never panics, and a
// text that checks out expands without error.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"Hola {{nombres}}", "{{ cedula }}", "{{", "}}{{x}}", "{{apodo}}", "a{{fecha}}b{{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := placeholderValues{GivenNames: "Ana", Surnames: "Pérez", NUI: "1714307103"}
		out, err := expand(s, v)
		if (checkPlaceholders(s) == nil) != (err == nil) {
			t.Fatalf("check and expand disagree on %q", s)
		}
		if err == nil && !strings.Contains(s, "{{") && out != s {
			t.Fatalf("%q changed without placeholders: %q", s, out)
		}
	})
}
