package calendar

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// at returns an instant on day s in Ecuador, at hh:mm.
func at(s string, hh, mm int) time.Time {
	return d(s).Time().Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

func TestDue(t *testing.T) {
	decreed, err := New([]Override{{Date: d("2026-03-16"), Kind: Feriado, Name: "Decreto"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		cal      *Calendar
		notified time.Time
		deadline Deadline
		want     string
	}{
		// Términos: counting starts the business day after notification.
		{"término within a week", Ecuador(), at("2026-03-02", 10, 0), BusinessDays(3), "2026-03-05"},
		{"término over a weekend", Ecuador(), at("2026-03-05", 10, 0), BusinessDays(3), "2026-03-10"},
		{"término notified on the Friday before Carnival", Ecuador(), at("2026-02-13", 9, 0), BusinessDays(3), "2026-02-20"},
		{"término notified on a Saturday starts Monday", Ecuador(), at("2026-03-07", 9, 0), BusinessDays(1), "2026-03-09"},
		{"término notified on a holiday", Ecuador(), at("2026-02-16", 9, 0), BusinessDays(1), "2026-02-18"},
		{"término over Good Friday", Ecuador(), at("2026-03-30", 9, 0), BusinessDays(10), "2026-04-14"},
		{"término over the 2027 year end", Ecuador(), at("2027-12-20", 9, 0), BusinessDays(10), "2028-01-05"},
		{"término over a decreed holiday", decreed, at("2026-03-13", 9, 0), BusinessDays(1), "2026-03-17"},
		{"late evening is still that day in Ecuador", Ecuador(), time.Date(2026, 3, 3, 4, 30, 0, 0, time.UTC), BusinessDays(1), "2026-03-03"},
		// Plazos in days: day 1 is the first business day after notification.
		{"plazo from a Monday", Ecuador(), at("2026-03-02", 9, 0), CalendarDays(10), "2026-03-12"},
		{"plazo ending on a Saturday moves to Monday", Ecuador(), at("2026-03-02", 9, 0), CalendarDays(5), "2026-03-09"},
		{"plazo from a Friday starts Monday", Ecuador(), at("2026-03-06", 9, 0), CalendarDays(10), "2026-03-18"},
		{"plazo from before Carnival starts Wednesday", Ecuador(), at("2026-02-13", 9, 0), CalendarDays(5), "2026-02-23"},
		{"plazo ending on a holiday moves to the next business day", Ecuador(), at("2026-10-29", 9, 0), CalendarDays(5), "2026-11-04"},
		{"plazo ending on a decreed holiday", decreed, at("2026-03-10", 9, 0), CalendarDays(5), "2026-03-17"},
		// Plazos in months: date to date, last day of a shorter month.
		{"one month", Ecuador(), at("2026-03-10", 9, 0), Months(1), "2026-04-10"},
		{"31 January + 1 month is Saturday 28 February, so Monday", Ecuador(), at("2026-01-31", 9, 0), Months(1), "2026-03-02"},
		{"31 January 2028 + 1 month is 29 February, Carnival that year", Ecuador(), at("2028-01-31", 9, 0), Months(1), "2028-03-01"},
		{"31 January 2036 + 1 month is Friday 29 February", Ecuador(), at("2036-01-31", 9, 0), Months(1), "2036-02-29"},
		{"30 November + 3 months", Ecuador(), at("2026-11-30", 9, 0), Months(3), "2027-03-01"}, // 28 Feb 2027 is a Sunday
		{"months ending on Christmas Eve 2027, a holiday", Ecuador(), at("2027-10-24", 9, 0), Months(2), "2027-12-27"},
		// A date the institution fixed is kept.
		{"fixed date", Ecuador(), at("2026-03-02", 9, 0), Until(d("2026-12-15")), "2026-12-15"},
		{"fixed date on a Sunday", Ecuador(), at("2026-03-02", 9, 0), Until(d("2026-03-15")), "2026-03-15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.cal.Due(tt.notified, tt.deadline)
			if !ok || got != d(tt.want) {
				t.Errorf("Due(%v, %v) = %v, %v; want %s", tt.notified, tt.deadline, got, ok, tt.want)
			}
		})
	}
}

func TestDueWithoutDeadline(t *testing.T) {
	now := at("2026-03-02", 9, 0)
	for _, dl := range []Deadline{
		{},
		BusinessDays(0),
		BusinessDays(-3),
		BusinessDays(MaxTermino + 1),
		Months(MaxPlazoMonths + 1),
		Until(Date{}),
		{Kind: Termino, Count: 3, Date: d("2026-03-05")},
		{Kind: 99, Count: 1},
	} {
		if got, ok := Ecuador().Due(now, dl); ok {
			t.Errorf("Due(%+v) = %v, true; want no due date", dl, got)
		}
	}
	if _, ok := Ecuador().Due(time.Time{}, BusinessDays(3)); ok {
		t.Error("Due with no notification time gives a date")
	}
}

func TestDeadlineValidate(t *testing.T) {
	for _, dl := range []Deadline{{}, BusinessDays(1), BusinessDays(MaxTermino), CalendarDays(MaxPlazoDays), Months(1), Until(d("2026-12-15"))} {
		if err := dl.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", dl, err)
		}
	}
	for _, dl := range []Deadline{{Count: 3}, CalendarDays(0), CalendarDays(MaxPlazoDays + 1), Months(-1), Until(Date{}), {Kind: FixedDate, Count: 1, Date: d("2026-12-15")}} {
		if err := dl.Validate(); !errors.Is(err, ErrInvalidDeadline) {
			t.Errorf("Validate(%+v) = %v, want ErrInvalidDeadline", dl, err)
		}
	}
}

func TestDeadlineFormat(t *testing.T) {
	tests := []struct {
		d      Deadline
		es, en string
	}{
		{BusinessDays(10), "10 días hábiles", "10 business days"},
		{BusinessDays(1), "1 día hábil", "1 business day"},
		{CalendarDays(30), "30 días calendario", "30 calendar days"},
		{CalendarDays(1), "1 día calendario", "1 calendar day"},
		{Months(2), "2 meses", "2 months"},
		{Months(1), "1 mes", "1 month"},
		{Until(d("2026-12-15")), "hasta el 15 de diciembre de 2026", "by December 15, 2026"},
		{Deadline{}, "sin plazo", "no deadline"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.es {
			t.Errorf("String() = %q, want %q", got, tt.es)
		}
		if got := tt.d.Format("en-US"); got != tt.en {
			t.Errorf("Format(en-US) = %q, want %q", got, tt.en)
		}
	}
}

func TestDeadlineJSON(t *testing.T) {
	tests := []struct {
		d    Deadline
		json string
	}{
		{BusinessDays(10), `{"kind":"termino","count":10}`},
		{Months(2), `{"kind":"plazo_months","count":2}`},
		{CalendarDays(30), `{"kind":"plazo_days","count":30}`},
		{Until(d("2026-12-15")), `{"kind":"date","date":"2026-12-15"}`},
		{Deadline{}, `{"kind":"none"}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.d)
		if err != nil || string(b) != tt.json {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", tt.d, b, err, tt.json)
		}
		var back Deadline
		if err := json.Unmarshal(b, &back); err != nil || back != tt.d {
			t.Errorf("Unmarshal(%s) = %+v, %v", b, back, err)
		}
	}
	var k DeadlineKind
	if err := k.UnmarshalText([]byte("plazo")); !errors.Is(err, ErrInvalidDeadline) {
		t.Errorf("UnmarshalText(plazo) = %v", err)
	}
	if _, err := DeadlineKind(42).MarshalText(); !errors.Is(err, ErrInvalidDeadline) {
		t.Errorf("MarshalText(42) = %v", err)
	}
}

func FuzzDeadlineKind(f *testing.F) {
	for _, s := range []string{"none", "date", "termino", "plazo_days", "plazo_months", "", "TERMINO"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var k DeadlineKind
		if err := k.UnmarshalText([]byte(s)); err != nil {
			return
		}
		if b, err := k.MarshalText(); err != nil || (string(b) != s && s != "") {
			t.Fatalf("%q read as %v, written as %q, %v", s, k, b, err)
		}
	})
}

// BenchmarkDue computes the due date of a 15-day término for a notification
// on every day of a year.
func BenchmarkDue(b *testing.B) {
	c := Ecuador()
	start := at("2026-01-01", 10, 0)
	for b.Loop() {
		for i := range 365 {
			c.Due(start.AddDate(0, 0, i), BusinessDays(15))
		}
	}
}
