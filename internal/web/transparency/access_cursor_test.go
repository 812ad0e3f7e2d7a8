package transparency

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/store"
)

func TestAccessCursor(t *testing.T) {
	at := time.Date(2026, 11, 2, 15, 0, 0, 123456000, time.UTC)
	id := "019abcde-0000-7000-8000-000000000001"
	tests := []struct {
		in     string
		want   accessCursor
		wantOK bool
	}{
		{accessCursor{At: at, ID: id}.String(), accessCursor{At: at, ID: id}, true},
		{"", accessCursor{}, false},
		{"1762095600123456", accessCursor{}, false},
		{"-5." + id, accessCursor{}, false},
		{"0." + id, accessCursor{}, false},
		{"12x." + id, accessCursor{}, false},
		{"1762095600123456.", accessCursor{}, false},
		{"1762095600123456.<script>", accessCursor{}, false},
		{"99999999999999999999." + id, accessCursor{}, false},
	}
	for _, tt := range tests {
		got, ok := parseAccessCursor(tt.in)
		if ok != tt.wantOK || !cmp.Equal(got, tt.want) {
			t.Errorf("parseAccessCursor(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestAccessCursorSkipsWhatWasShown(t *testing.T) {
	at := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
	rows := []store.AuditEntry{{ID: "c", At: at}, {ID: "b", At: at}, {ID: "a", At: at}, {ID: "z", At: at.Add(-time.Second)}}
	var got []string
	for _, r := range (accessCursor{At: at, ID: "b"}).after(rows) {
		got = append(got, r.ID)
	}
	if d := cmp.Diff([]string{"a", "z"}, got); d != "" {
		t.Errorf("after (-want +got):\n%s", d)
	}
}

func FuzzParseAccessCursor(f *testing.F) {
	f.Add("1762095600123456.019abcde-0000-7000-8000-000000000001")
	f.Add("")
	f.Add("1.a")
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := parseAccessCursor(s)
		if !ok {
			return
		}
		again, ok := parseAccessCursor(c.String())
		if !ok || !again.At.Equal(c.At) || again.ID != c.ID {
			t.Errorf("%q → %v does not round-trip: %v %v", s, c, again, ok)
		}
	})
}
