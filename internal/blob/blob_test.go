package blob

import (
	"errors"
	"strings"
	"testing"
)

func TestValidKey(t *testing.T) {
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"a", true},
		{"anexos/2026/0190c5e2-7d3a-7b4c-9f00-1a2b3c4d5e6f", true},
		{"0-9/a-z", true},
		{"", false},
		{"/etc/passwd", false},
		{"../secreto", false},
		{"a/../b", false},
		{"a/./b", false},
		{".tmp-123", false},
		{"a//b", false},
		{"a/", false},
		{"A", false},
		{"a\\b", false},
		{"a b", false},
		{"a\x00b", false},
		{"ñ", false},
		{"a%2fb", false},
		{strings.Repeat("a", MaxKeyLen), true},
		{strings.Repeat("a", MaxKeyLen+1), false},
	} {
		err := ValidKey(tc.key)
		if (err == nil) != tc.ok {
			t.Errorf("ValidKey(%q) = %v, want ok=%v", tc.key, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ValidKey(%q) = %v, not ErrInvalidKey", tc.key, err)
		}
	}
}
