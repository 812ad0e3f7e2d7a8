package registration_test

import (
	"strings"
	"testing"

	"buzon/internal/registration"
)

func TestParseEmailCode(t *testing.T) {
	for _, c := range []struct {
		raw, want string
		err       error
	}{
		{"123456", "123456", nil},
		{" 123 456 ", "123456", nil},
		{"123-456", "123456", nil},
		{"", "", registration.ErrCodeEmpty},
		{"   ", "", registration.ErrCodeEmpty},
		{"12345", "", registration.ErrCodeMalformed},
		{"1234567", "", registration.ErrCodeMalformed},
		{"12345a", "", registration.ErrCodeMalformed},
		{"١٢٣٤٥٦", "", registration.ErrCodeMalformed}, // Arabic-Indic digits are not ASCII digits
	} {
		got, err := registration.ParseEmailCode(c.raw)
		if got != c.want || err != c.err {
			t.Errorf("ParseEmailCode(%q) = %q, %v; want %q, %v", c.raw, got, err, c.want, c.err)
		}
	}
}

func TestParseRef(t *testing.T) {
	good := registration.Ref{ID: "0190c5e2-0000-7000-8000-000000000001", Secret: strings.Repeat("A", 43)}
	if got, ok := registration.ParseRef(good.String()); !ok || got != good {
		t.Errorf("round trip: %v %v", got, ok)
	}
	for _, bad := range []string{"", ".", good.ID, good.ID + "." + strings.Repeat("A", 42), good.ID + "." + strings.Repeat("*", 43), "x" + good.String()} {
		if _, ok := registration.ParseRef(bad); ok {
			t.Errorf("ParseRef(%q) accepted", bad)
		}
	}
}

// FuzzParseEmailCode: whatever is typed, an accepted code is six ASCII digits.
func FuzzParseEmailCode(f *testing.F) {
	for _, s := range []string{"123456", "123 456", "", "abc", "12345678901234567890", "1\x002\x003\x004\x005\x006"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		code, err := registration.ParseEmailCode(raw)
		if err != nil {
			if code != "" {
				t.Errorf("refused %q but returned %q", raw, code)
			}
			return
		}
		if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
			t.Errorf("accepted %q as %q", raw, code)
		}
	})
}

// FuzzParseRef: the cookie is outside input; an accepted one re-encodes to itself.
func FuzzParseRef(f *testing.F) {
	f.Add("0190c5e2-0000-7000-8000-000000000001." + strings.Repeat("A", 43))
	f.Add("")
	f.Add("a.b")
	f.Fuzz(func(t *testing.T, raw string) {
		ref, ok := registration.ParseRef(raw)
		if !ok {
			return
		}
		if ref.String() != raw || len(ref.ID) != 36 || len(ref.Secret) != 43 {
			t.Errorf("ParseRef(%q) = %+v", raw, ref)
		}
	})
}
