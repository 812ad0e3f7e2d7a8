package request

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestValidID(t *testing.T) {
	tests := map[string]bool{
		"":                        false,
		"abc":                     true,
		"0f8c2a9e-1b2c-4d5e.v1_x": true,
		strings.Repeat("a", 128):  true,
		strings.Repeat("a", 129):  false,
		"a b":                     false,
		"a\nb":                    false,
		`a"b`:                     false,
		"ñ":                       false,
	}
	for in, want := range tests {
		if got := ValidID(in); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzValidID(f *testing.F) {
	for _, s := range []string{"abc", "a b", "x\r\ny", strings.Repeat("z", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if !ValidID(id) {
			return
		}
		if len(id) > 128 || strings.ContainsAny(id, " \t\r\n\"'=<>\\") {
			t.Fatalf("ValidID accepted %q", id)
		}
	})
}

func TestIDs(t *testing.T) {
	a, b := NewID(), NewID()
	if a == b || !ValidID(a) || len(a) != 26 {
		t.Errorf("NewID gave %q and %q", a, b)
	}
	r := httptest.NewRequest("GET", "/", nil)
	if ID(r) != "" {
		t.Errorf("ID outside the shell = %q", ID(r))
	}
	if got := ID(r.WithContext(WithID(r.Context(), a))); got != a {
		t.Errorf("ID = %q, want %q", got, a)
	}
}
