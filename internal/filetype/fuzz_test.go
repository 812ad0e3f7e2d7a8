package filetype

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzDetect(f *testing.F) {
	for _, s := range []string{"%PDF-1.7\n", "\x89PNG\r\n\x1a\n", "PK\x03\x04", "<html>", "hola", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "\xef\xbb\xbf<svg"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := Detect(b)
		if again := Detect(bytes.Clone(b)); again != got {
			t.Fatalf("Detect is not deterministic: %s then %s", got, again)
		}
		if got == (Type{}) {
			t.Fatal("zero Type")
		}
		if Allowed(got) && got != Text && got != CSV && hasMarkup(b[:min(len(b), polyglotWindow)]) {
			t.Fatalf("%s accepted with markup in its head", got)
		}
	})
}

func FuzzDetectReader(f *testing.F) {
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add(oleFile("WordDocument"))
	f.Add([]byte("%PDF-1.4\n"))
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := DetectReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("error from an in-memory reader: %v", err)
		}
		if got == (Type{}) {
			t.Fatal("zero Type")
		}
		if len(b) == 0 && got != Empty {
			t.Fatalf("empty input is %s", got)
		}
		if Allowed(got) && got != Text && got != CSV && hasMarkup(b[:min(len(b), polyglotWindow)]) {
			t.Fatalf("%s accepted with markup in its head", got)
		}
		if _, err := DetectFile("x.csv", bytes.NewReader(b), int64(len(b))); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"Resolución.pdf", "../../x", "CON.txt", ".pdf", "a\u202eb", strings.Repeat("ñ", 90) + ".docx", "x. .y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := SafeName(in)
		switch {
		case got == "":
			t.Fatal("empty name")
		case len(got) > MaxNameBytes:
			t.Fatalf("%d bytes", len(got))
		case !utf8.ValidString(got):
			t.Fatalf("invalid UTF-8: %q", got)
		case strings.ContainsAny(got, "/\\<>:\"|?*"):
			t.Fatalf("forbidden character in %q", got)
		case strings.HasPrefix(got, ".") || strings.HasPrefix(got, " ") || strings.HasSuffix(got, ".") || strings.HasSuffix(got, " "):
			t.Fatalf("leading or trailing dot or space in %q", got)
		case isReserved(got[:len(got)-len(extOf(got))]):
			t.Fatalf("reserved device name %q", got)
		}
		for _, r := range got {
			if unicode.In(r, unicode.Cc, unicode.Cf) {
				t.Fatalf("control or format character %U in %q", r, got)
			}
		}
		if again := SafeName(got); again != got {
			t.Fatalf("not idempotent: %q → %q → %q", in, got, again)
		}
		cd := ContentDisposition(in)
		for i := 0; i < len(cd); i++ {
			if cd[i] < 0x20 || cd[i] >= 0x7f {
				t.Fatalf("non-ASCII or control byte in header %q", cd)
			}
		}
		if strings.Count(cd, `"`) != 2 {
			t.Fatalf("quote injected in header %q", cd)
		}
	})
}
