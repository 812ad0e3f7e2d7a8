package calendar

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// d is a short constructor for tests; it panics on a date that does not exist
// so a typo in a table cannot pass silently.
func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-12-15", NewDate(2026, time.December, 15), true},
		{"2028-02-29", NewDate(2028, time.February, 29), true},
		{"0001-01-01", NewDate(1, time.January, 1), true},
		{"2026-02-29", Date{}, false}, // not a leap year
		{"2100-02-29", Date{}, false}, // centuries are not, unless divisible by 400
		{"2026-13-01", Date{}, false},
		{"2026-00-10", Date{}, false},
		{"2026-04-31", Date{}, false},
		{"0000-01-01", Date{}, false},
		{"2026-1-15", Date{}, false},
		{"15/12/2026", Date{}, false},
		{"2026-12-15T00:00", Date{}, false},
		{" 2026-12-15", Date{}, false},
		{"+026-12-15", Date{}, false},
		{"", Date{}, false},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidDate) {
			t.Errorf("ParseDate(%q) error %v is not ErrInvalidDate", tt.in, err)
		}
	}
}

func TestNewDateNormalisesLikeTimeDate(t *testing.T) {
	for _, c := range []struct {
		y, m, d int
	}{
		{2026, 2, 30}, {2026, 13, 1}, {2026, 0, 0}, {2026, -11, 31}, {2028, 2, 29},
		{2024, 3, 0}, {1900, 2, 29}, {2000, 2, 29}, {2026, 1, 400}, {2026, 1, -400},
	} {
		got := NewDate(c.y, time.Month(c.m), c.d)
		want := DateOf(time.Date(c.y, time.Month(c.m), c.d, 12, 0, 0, 0, Zone))
		if got != want {
			t.Errorf("NewDate(%d, %d, %d) = %v, want %v", c.y, c.m, c.d, got, want)
		}
	}
}

func TestDayArithmeticMatchesTimePackage(t *testing.T) {
	start := time.Date(1899, time.December, 25, 12, 0, 0, 0, Zone)
	first := DateOf(start)
	for i := 0; i < 200*366; i += 7 {
		tm := start.AddDate(0, 0, i)
		got := first.AddDays(i)
		if want := DateOf(tm); got != want {
			t.Fatalf("%v + %d days = %v, want %v", first, i, got, want)
		}
		if got.Weekday() != tm.Weekday() {
			t.Fatalf("%v.Weekday() = %v, want %v", got, got.Weekday(), tm.Weekday())
		}
		if n := first.DaysUntil(got); n != i {
			t.Fatalf("DaysUntil(%v) = %d, want %d", got, n, i)
		}
	}
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-15", 1, "2026-02-15"},
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"}, // leap year
		{"2026-03-31", 1, "2026-04-30"},
		{"2026-03-31", -1, "2026-02-28"},
		{"2026-12-31", 2, "2027-02-28"},
		{"2026-01-31", 13, "2027-02-28"},
		{"2028-02-29", 12, "2029-02-28"},
		{"2026-11-30", 3, "2027-02-28"},
		{"2026-06-15", -18, "2024-12-15"},
		{"2026-08-31", 0, "2026-08-31"},
	}
	for _, tt := range tests {
		if got := d(tt.from).AddMonths(tt.n); got != d(tt.want) {
			t.Errorf("%s + %d months = %v, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestDateOfUsesEcuadorTime(t *testing.T) {
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, time.January, 1, 4, 59, 59, 0, time.UTC), "2025-12-31"},
		{time.Date(2026, time.January, 1, 5, 0, 0, 0, time.UTC), "2026-01-01"},
		{time.Date(2026, time.July, 1, 23, 59, 0, 0, Zone), "2026-07-01"},
		// Madrid in summer is UTC+2: 03:00 there is 20:00 the day before in Quito.
		{time.Date(2026, time.July, 2, 3, 0, 0, 0, time.FixedZone("CEST", 2*3600)), "2026-07-01"},
	}
	for _, tt := range tests {
		if got := DateOf(tt.at); got != d(tt.want) {
			t.Errorf("DateOf(%v) = %v, want %s", tt.at, got, tt.want)
		}
	}
	if got, want := d("2026-07-01").Time(), time.Date(2026, time.July, 1, 5, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Time() = %v, want %v", got, want)
	}
}

func TestDateCompare(t *testing.T) {
	a, b := d("2026-02-28"), d("2026-03-01")
	if !a.Before(b) || a.After(b) || !b.After(a) || a.Compare(a) != 0 || b.Compare(a) != 1 {
		t.Errorf("ordering of %v and %v is wrong", a, b)
	}
	if d("2025-12-31").Compare(d("2026-01-01")) != -1 {
		t.Error("years are not compared first")
	}
}

func TestDateText(t *testing.T) {
	type doc struct {
		Due  Date `json:"due"`
		None Date `json:"none"`
	}
	in := doc{Due: d("2026-12-15")}
	b, err := in.Due.MarshalText()
	if err != nil || string(b) != "2026-12-15" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	if (Date{}).String() != "" || !(Date{}).IsZero() || d("2026-12-15").IsZero() {
		t.Error("the zero Date is not the empty date")
	}
	var out Date
	if err := out.UnmarshalText([]byte("2026-12-15")); err != nil || out != in.Due {
		t.Errorf("UnmarshalText = %v, %v", out, err)
	}
	if err := out.UnmarshalText([]byte("")); err != nil || !out.IsZero() {
		t.Errorf("UnmarshalText(\"\") = %v, %v", out, err)
	}
	if err := out.UnmarshalText([]byte("2026-02-30")); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("UnmarshalText(2026-02-30) error = %v", err)
	}
	if diff := cmp.Diff("2026-01-05", d("2026-01-05").String()); diff != "" {
		t.Error(diff)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-15", "2028-02-29", "0001-01-01", "9999-12-31", "2026-02-30", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseDate(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDate) {
				t.Fatalf("ParseDate(%q) error %v is not ErrInvalidDate", s, err)
			}
			return
		}
		if v.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, v.String())
		}
		if NewDate(v.Year(), v.Month(), v.Day()) != v {
			t.Fatalf("ParseDate(%q) = %v is not normalised", s, v)
		}
	})
}
