package calendar

import (
	"cmp"
	"fmt"
	"time"
)

// Zone is Ecuador's (mainland) time zone: UTC−5 all year. It is fixed here
// rather than loaded from tzdata so that the legal day never depends on the
// files installed on the server.
var Zone = time.FixedZone("ECT", -5*3600)

// Date is a civil date in Ecuador, without a time of day: the unit in which
// the law counts deadlines. Dates are comparable with ==; the zero Date means
// "no date" and is the only one for which IsZero is true.
type Date struct {
	year  int
	month time.Month
	day   int
}

// NewDate returns the date year-month-day, normalising out-of-range values the
// way time.Date does (2026-02-30 becomes 2026-03-02).
func NewDate(year int, month time.Month, day int) Date {
	year, month = normMonth(year, int(month))
	return fromDays(daysFromCivil(year, month, 1) + day - 1)
}

// DateOf returns the date it is in Ecuador at instant t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Zone).Date()
	return Date{y, m, d}
}

// ParseDate reads an ISO 8601 calendar date, "2026-12-15", and nothing else:
// it is strict because the dates it reads come from files and forms.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("parse date %q: %w", s, ErrInvalidDate)
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
		return Date{}, fmt.Errorf("parse date %q: %w", s, ErrInvalidDate)
	}
	return Date{y, time.Month(m), d}, nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Year returns the year of d.
func (d Date) Year() int { return d.year }

// Month returns the month of d.
func (d Date) Month() time.Month { return d.month }

// Day returns the day of the month of d.
func (d Date) Day() int { return d.day }

// IsZero reports whether d is the zero Date, which stands for "no date".
func (d Date) IsZero() bool { return d == Date{} }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return weekdayOf(d.days()) }

// weekdayOf returns the weekday of a day count; day 0, 1970-01-01, was a Thursday.
func weekdayOf(z int) time.Weekday { return time.Weekday(floorMod(z+4, 7)) }

// AddDays returns the date n calendar days after d (before it if n < 0).
func (d Date) AddDays(n int) Date { return fromDays(d.days() + n) }

// AddMonths returns the same day n months later (earlier if n < 0) or, when
// that month is shorter, its last day: 31 January + 1 month is 28 or 29
// February, as COA art. 160 counts plazos.
func (d Date) AddMonths(n int) Date {
	y, m := normMonth(d.year, int(d.month)+n)
	return Date{y, m, min(d.day, daysIn(y, m))}
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e, for use
// with slices.SortFunc.
func (d Date) Compare(e Date) int {
	switch {
	case d.year != e.year:
		return cmp.Compare(d.year, e.year)
	case d.month != e.month:
		return cmp.Compare(d.month, e.month)
	}
	return cmp.Compare(d.day, e.day)
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// DaysUntil returns the number of calendar days from d to e, negative when e
// is earlier.
func (d Date) DaysUntil(e Date) int { return e.days() - d.days() }

// Time returns the instant d begins in Ecuador (midnight, UTC−5); the day
// after a due date begins at d.AddDays(1).Time().
func (d Date) Time() time.Time {
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, Zone)
}

// String returns d as ISO 8601, "2026-12-15", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.year, int(d.month), d.day)
}

// MarshalText writes d as ISO 8601, and the zero Date as an empty string, so
// that an absent date is "" in JSON.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// days returns the number of days since 1970-01-01.
func (d Date) days() int { return daysFromCivil(d.year, d.month, d.day) }

func fromDays(z int) Date {
	y, m, d := civilFromDays(z)
	return Date{y, m, d}
}

// daysFromCivil and civilFromDays convert between proleptic Gregorian dates
// and a day count; they are Howard Hinnant's algorithms, exact for any year.
func daysFromCivil(y int, m time.Month, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (int(m) + 9) % 12 // March is 0, so the leap day ends the year
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int) (int, time.Month, int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return y, time.Month(m), d
}

func normMonth(y, m int) (int, time.Month) {
	m--
	y += floorDiv(m, 12)
	return y, time.Month(floorMod(m, 12) + 1)
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }
