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

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	for _, loc := range []string{dir + "/a", "file://" + dir + "/b"} {
		s, err := Open(loc)
		if err != nil {
			t.Fatalf("Open(%q): %v", loc, err)
		}
		if _, ok := s.(*FS); !ok {
			t.Errorf("Open(%q) = %T, want *FS", loc, s)
		}
	}
	s, err := Open("s3://AKIA:secreto@minio.internal:9000/anexos?tls=false")
	if err != nil {
		t.Fatal(err)
	}
	if s3, ok := s.(*S3); !ok || s3.bucket != "anexos" {
		t.Errorf("Open(s3 URL) = %#v", s)
	}
	if _, err := Open("s3://minio.internal/anexos"); err == nil {
		t.Error("S3 URL without credentials accepted")
	}
	if _, err := Open(""); err == nil {
		t.Error("empty location accepted")
	}
}
