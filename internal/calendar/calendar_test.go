package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestIsBusinessDay(t *testing.T) {
	c := Ecuador()
	tests := []struct {
		day  string
		want bool
	}{
		{"2026-02-13", true},  // Friday
		{"2026-02-14", false}, // Saturday
		{"2026-02-15", false}, // Sunday
		{"2026-02-16", false}, // Carnival
		{"2026-02-17", false}, // Carnival
		{"2026-02-18", true},  // Ash Wednesday works
		{"2026-05-24", false}, // Sunday, observed on Monday 25
		{"2026-05-25", false},
		{"2027-12-31", false}, // New Year 2028 moved back
		{"2028-01-03", true},
	}
	for _, tt := range tests {
		if got := c.IsBusinessDay(d(tt.day)); got != tt.want {
			t.Errorf("IsBusinessDay(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
}

func TestAddBusinessDays(t *testing.T) {
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"next day in the week", "2026-03-02", 1, "2026-03-03"},
		{"Friday + 1 is Monday", "2026-03-06", 1, "2026-03-09"},
		{"Friday before Carnival + 3 is the Friday after", "2026-02-13", 3, "2026-02-20"},
		{"Saturday + 1 is Monday", "2026-03-07", 1, "2026-03-09"},
		{"across Good Friday", "2026-04-01", 2, "2026-04-06"},
		{"across 2 and 3 November", "2026-10-30", 1, "2026-11-04"},
		{"across the year end of 2027", "2027-12-23", 1, "2027-12-27"},
		{"across the year end of 2027, twice", "2027-12-23", 5, "2028-01-03"},
		{"ten working days", "2026-03-02", 10, "2026-03-16"},
		{"zero is the day itself", "2026-02-14", 0, "2026-02-14"},
		{"backwards", "2026-02-18", -1, "2026-02-13"},
		{"backwards from a holiday", "2026-02-17", -1, "2026-02-13"},
	}
	for _, tt := range tests {
		if got := Ecuador().AddBusinessDays(d(tt.from), tt.n); got != d(tt.want) {
			t.Errorf("%s: AddBusinessDays(%s, %d) = %v, want %s", tt.name, tt.from, tt.n, got, tt.want)
		}
	}
}

func TestBusinessDaysBetween(t *testing.T) {
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-02-13", "2026-02-20", 3},
		{"2026-02-20", "2026-02-13", -3},
		{"2026-02-13", "2026-02-13", 0},
		{"2026-02-13", "2026-02-17", 0},   // nothing but weekend and Carnival
		{"2026-01-01", "2026-12-31", 250}, // 261 weekdays, 11 holidays
		{"2027-01-01", "2027-12-31", 249}, // 261 weekdays, 12 holidays
	}
	for _, tt := range tests {
		if got := Ecuador().BusinessDaysBetween(d(tt.from), d(tt.to)); got != tt.want {
			t.Errorf("BusinessDaysBetween(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestBusinessDaysBetweenUndoesAddBusinessDays(t *testing.T) {
	c := Ecuador()
	for from := d("2025-12-01"); from.Before(d("2028-02-01")); from = from.AddDays(1) {
		for _, n := range []int{1, 3, 10, 30} {
			to := c.AddBusinessDays(from, n)
			if !c.IsBusinessDay(to) {
				t.Fatalf("AddBusinessDays(%v, %d) = %v is not a business day", from, n, to)
			}
			if got := c.BusinessDaysBetween(from, to); got != n {
				t.Fatalf("BusinessDaysBetween(%v, %v) = %d, want %d", from, to, got, n)
			}
			if back := c.AddBusinessDays(to, -n); c.IsBusinessDay(from) && back != from {
				t.Fatalf("AddBusinessDays(%v, %d) = %v, want %v", to, -n, back, from)
			}
		}
	}
}

func TestNextBusinessDay(t *testing.T) {
	c := Ecuador()
	for from, want := range map[string]string{
		"2026-02-13": "2026-02-13",
		"2026-02-14": "2026-02-18",
		"2027-12-31": "2028-01-03",
	} {
		if got := c.NextBusinessDay(d(from)); got != d(want) {
			t.Errorf("NextBusinessDay(%s) = %v, want %s", from, got, want)
		}
	}
}

func TestOverrides(t *testing.T) {
	c, err := New([]Override{
		{Date: d("2026-11-04"), Kind: Feriado, Name: "  Traslado por decreto "},
		{Date: d("2026-05-25"), Kind: Laborable, Name: "Decreto Ejecutivo 1"},
		{Date: d("2026-12-25"), Kind: Feriado, Name: "Navidad (decreto)"},
		{Date: d("2027-02-08"), Kind: Laborable},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		day  string
		want bool
	}{
		{"2026-11-04", false}, // added by decree
		{"2026-05-25", true},  // cancelled by decree
		{"2026-05-26", true},
		{"2027-02-08", true},
		{"2027-02-09", false}, // the other Carnival day is untouched
	}
	for _, tt := range tests {
		if got := c.IsBusinessDay(d(tt.day)); got != tt.want {
			t.Errorf("IsBusinessDay(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
	if got, want := c.AddBusinessDays(d("2026-10-30"), 1), d("2026-11-05"); got != want {
		t.Errorf("a término across the decreed day ends %v, want %v", got, want)
	}
	want := []Holiday{
		{d("2026-01-01"), "Año Nuevo", d("2026-01-01")},
		{d("2026-02-16"), "Carnaval", d("2026-02-16")},
		{d("2026-02-17"), "Carnaval", d("2026-02-17")},
		{d("2026-04-03"), "Viernes Santo", d("2026-04-03")},
		{d("2026-05-01"), "Día del Trabajo", d("2026-05-01")},
		{d("2026-08-10"), "Primer Grito de Independencia", d("2026-08-10")},
		{d("2026-10-09"), "Independencia de Guayaquil", d("2026-10-09")},
		{d("2026-11-02"), "Día de los Difuntos", d("2026-11-02")},
		{d("2026-11-03"), "Independencia de Cuenca", d("2026-11-03")},
		{d("2026-11-04"), "Traslado por decreto", Date{}},
		{d("2026-12-25"), "Navidad (decreto)", Date{}},
	}
	if diff := cmp.Diff(want, c.Holidays(2026), cmp.AllowUnexported(Date{})); diff != "" {
		t.Errorf("Holidays(2026) with overrides (-want +got):\n%s", diff)
	}
	if got := c.Overrides(); len(got) != 4 || got[0].Date != d("2026-05-25") || got[1].Name != "Traslado por decreto" {
		t.Errorf("Overrides() = %v, want the four in date order, names trimmed", got)
	}
	// The calendar of the law is untouched.
	if Ecuador().IsBusinessDay(d("2026-05-25")) {
		t.Error("New changed Ecuador()")
	}
}

func TestNewRejectsBadOverrides(t *testing.T) {
	ok := Override{Date: d("2026-11-04"), Kind: Feriado, Name: "Decreto"}
	tests := []struct {
		name  string
		list  []Override
		entry int
		want  error
	}{
		{"zero date", []Override{ok, {Kind: Feriado, Name: "x"}}, 2, ErrInvalidDate},
		{"no kind", []Override{{Date: d("2026-11-05"), Name: "x"}}, 1, ErrUnknownKind},
		{"feriado without a name", []Override{{Date: d("2026-11-05"), Kind: Feriado, Name: " "}}, 1, ErrInvalidName},
		{"name too long", []Override{{Date: d("2026-11-05"), Kind: Feriado, Name: strings.Repeat("a", 101)}}, 1, ErrInvalidName},
		{"name with a newline", []Override{{Date: d("2026-11-05"), Kind: Feriado, Name: "a\nb"}}, 1, ErrInvalidName},
		{"laborable Saturday", []Override{{Date: d("2026-11-07"), Kind: Laborable}}, 1, ErrWeekendLaborable},
		{"same date twice", []Override{ok, {Date: d("2026-11-04"), Kind: Laborable}}, 2, ErrDuplicateDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.list)
			if !errors.Is(err, tt.want) {
				t.Fatalf("New() = %v, %v; want %v", c, err, tt.want)
			}
			var oe *OverrideError
			if !errors.As(err, &oe) || oe.Entry != tt.entry || oe.Line != 0 {
				t.Errorf("error %#v does not point at entry %d", err, tt.entry)
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Code == "" {
				t.Errorf("error %v has no code", err)
			}
		})
	}
	if _, err := New([]Override{{Date: d("2026-11-05"), Kind: Feriado, Name: strings.Repeat("ñ", 100)}}); err != nil {
		t.Errorf("a 100-character name is rejected: %v", err)
	}
}

func TestReminderDates(t *testing.T) {
	c := Ecuador()
	tests := []struct {
		name   string
		due    string
		before []int
		want   []Date
	}{
		{"defaults", "2026-02-20", []int{3, 1}, dates("2026-02-13", "2026-02-19")},
		{"repeats and order", "2026-03-13", []int{1, 5, 1, 0}, dates("2026-03-06", "2026-03-12", "2026-03-13")},
		{"negative ignored", "2026-03-13", []int{-1}, nil},
		{"due on a holiday", "2026-11-03", []int{1}, dates("2026-10-30")},
	}
	for _, tt := range tests {
		got := c.ReminderDates(d(tt.due), tt.before)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Date{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestHolidayOn(t *testing.T) {
	h, ok := Ecuador().HolidayOn(d("2026-05-25"))
	if !ok || h.Name != "Batalla de Pichincha" || h.LegalDate != d("2026-05-24") {
		t.Errorf("HolidayOn(2026-05-25) = %+v, %v", h, ok)
	}
	if h, ok := Ecuador().HolidayOn(d("2026-05-24")); ok {
		t.Errorf("HolidayOn(2026-05-24) = %+v; the holiday moved to Monday", h)
	}
}

func TestCalendarIsSafeForConcurrentUse(t *testing.T) {
	c := Ecuador()
	done := make(chan int)
	for g := range 4 {
		go func() {
			n := 0
			for y := 2020; y < 2060; y++ {
				n += len(c.Holidays(y + g%2))
				c.IsBusinessDay(NewDate(y, time.May, 24))
			}
			done <- n
		}()
	}
	for range 4 {
		if n := <-done; n < 400 {
			t.Errorf("a goroutine saw only %d holidays", n)
		}
	}
}

func TestOddDatesDoNotPanic(t *testing.T) {
	var zero Calendar
	for _, day := range []Date{{}, NewDate(-44, time.March, 15), NewDate(0, time.December, 31), NewDate(10000, time.January, 1)} {
		zero.IsBusinessDay(day)
		zero.AddBusinessDays(day, 3)
		zero.HolidayOn(day)
	}
	if zero.IsBusinessDay(Date{}) {
		t.Error("the zero Date is a business day")
	}
	if got := weekdayHolidays(&zero, 2026); len(got) != 11 {
		t.Errorf("the zero Calendar has %d holidays in 2026, want the 11 of the law", len(got))
	}
}
