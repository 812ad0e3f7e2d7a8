package calendar

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestICSGolden(t *testing.T) {
	got := ICS(
		"0190f6e2-7c1a-7b3e-9a51-3c2d1e0f4a5b@buzon.example",
		"Plazo: Resolución SRI-2026-0042, pago de la obligación tributaria",
		"Notificación de la Dirección Zonal 9; vence el 15 de diciembre de 2026.\nVea el detalle en su buzón.",
		d("2026-12-15"),
		time.Date(2026, time.December, 1, 10, 4, 5, 0, Zone),
	)
	golden := filepath.Join("testdata", "deadline.ics")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("ICS differs from %s (-want +got), rerun with -update if intended:\n%s", golden, diff)
	}
}

func TestICSStructure(t *testing.T) {
	b := ICS("u1", "s", "", d("2027-12-31"), time.Date(2027, time.December, 31, 23, 0, 0, 0, Zone))
	s := string(b)
	for _, want := range []string{
		"DTSTAMP:20280101T040000Z\r\n", // UTC, whatever the zone of now
		"DTSTART;VALUE=DATE:20271231\r\n",
		"DTEND;VALUE=DATE:20280101\r\n", // all day: the end is exclusive
	} {
		if !strings.Contains(s, want) {
			t.Errorf("ICS lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "DESCRIPTION") {
		t.Error("an empty description is written")
	}
	if strings.Count(s, "\n") != strings.Count(s, "\r\n") {
		t.Error("a line does not end in CRLF")
	}
}

func TestEscapeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a,b;c\\d", `a\,b\;c\\d`},
		{"uno\ndos\r\ntres\rcuatro", `uno\ndos\ntres\ncuatro`},
		{"tab\tok, bell\a gone\x7f", "tab\tok\\, bell gone"},
		{"año \xff", "año \uFFFD"},
		{`\n is not a newline`, `\\n is not a newline`},
	}
	for _, tt := range tests {
		if got := escapeText(tt.in); got != tt.want {
			t.Errorf("escapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFolding(t *testing.T) {
	for _, value := range []string{
		strings.Repeat("a", 74),
		strings.Repeat("a", 75),
		strings.Repeat("a", 76),
		strings.Repeat("a", 300),
		strings.Repeat("ñ", 100),         // two octets each
		"x" + strings.Repeat("€", 80),    // three octets, starting off the boundary
		strings.Repeat("🇪🇨", 30) + "fin", // four octets
	} {
		var b bytes.Buffer
		writeFolded(&b, "SUMMARY:"+value)
		out := b.String()
		if !strings.HasSuffix(out, "\r\n") {
			t.Fatalf("folded line does not end in CRLF: %q", out)
		}
		physical := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
		for i, p := range physical {
			if len(p) > 75 {
				t.Errorf("line %d has %d octets", i, len(p))
			}
			if i > 0 && !strings.HasPrefix(p, " ") {
				t.Errorf("continuation line %d does not start with a space: %q", i, p)
			}
			if !utf8.ValidString(p) {
				t.Errorf("line %d splits a character: %q", i, p)
			}
		}
		// Unfolding (RFC 5545 §3.1) gives back the content line.
		if got := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", ""); got != "SUMMARY:"+value {
			t.Errorf("unfolded %q, want %q", got, "SUMMARY:"+value)
		}
		if len("SUMMARY:"+value) <= 75 && len(physical) != 1 {
			t.Errorf("a line of %d octets was folded", len("SUMMARY:"+value))
		}
	}
}
