package calendar

import (
	"fmt"
	"time"
)

// DeadlineKind says how a notification's deadline is expressed.
type DeadlineKind uint8

const (
	// NoDeadline: the notification asks for nothing by any date.
	NoDeadline DeadlineKind = iota
	// FixedDate: the institution set the due date itself.
	FixedDate
	// Termino: Count business days (COA art. 159).
	Termino
	// PlazoDays: Count calendar days.
	PlazoDays
	// PlazoMonths: Count months, date to date (COA art. 160).
	PlazoMonths
)

var kindNames = [...]string{
	NoDeadline:  "none",
	FixedDate:   "date",
	Termino:     "termino",
	PlazoDays:   "plazo_days",
	PlazoMonths: "plazo_months",
}

// String returns the kind's stable name, as stored and as used in the API:
// "none", "date", "termino", "plazo_days" or "plazo_months".
func (k DeadlineKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("DeadlineKind(%d)", uint8(k))
}

// MarshalText writes the kind's stable name.
func (k DeadlineKind) MarshalText() ([]byte, error) {
	if int(k) >= len(kindNames) {
		return nil, fmt.Errorf("marshal deadline kind %d: %w", uint8(k), ErrInvalidDeadline)
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText reads a stable name; "" is NoDeadline.
func (k *DeadlineKind) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*k = NoDeadline
		return nil
	}
	for i, name := range kindNames {
		if string(b) == name {
			*k = DeadlineKind(i)
			return nil
		}
	}
	return fmt.Errorf("deadline kind %q: %w", b, ErrInvalidDeadline)
}

// Limits on Count, far beyond any real deadline, so that a typing mistake is
// caught and counting always ends quickly.
const (
	MaxTermino     = 1000 // business days, about four years
	MaxPlazoDays   = 3660 // calendar days, about ten years
	MaxPlazoMonths = 120  // months, ten years
)

// Deadline is the deadline a notification sets, as the institution expressed
// it; the due date depends on the calendar and the notification date (see
// [Calendar.Due]). The zero Deadline is NoDeadline.
type Deadline struct {
	Kind DeadlineKind `json:"kind"`
	// Count is the number of business days, calendar days or months.
	Count int `json:"count,omitempty"`
	// Date is the due date of a FixedDate deadline.
	Date Date `json:"date,omitzero"`
}

// BusinessDays returns a término of n business days.
func BusinessDays(n int) Deadline { return Deadline{Kind: Termino, Count: n} }

// CalendarDays returns a plazo of n calendar days.
func CalendarDays(n int) Deadline { return Deadline{Kind: PlazoDays, Count: n} }

// Months returns a plazo of n months.
func Months(n int) Deadline { return Deadline{Kind: PlazoMonths, Count: n} }

// Until returns a deadline on a date the institution fixed.
func Until(d Date) Deadline { return Deadline{Kind: FixedDate, Date: d} }

// Validate reports whether d is a deadline the platform accepts: a Count
// between 1 and the kind's maximum, or a date, and nothing more.
func (d Deadline) Validate() error {
	limit := 0
	switch d.Kind {
	case NoDeadline:
		if d.Count == 0 && d.Date.IsZero() {
			return nil
		}
	case FixedDate:
		if d.Count == 0 && !d.Date.IsZero() {
			return nil
		}
	case Termino:
		limit = MaxTermino
	case PlazoDays:
		limit = MaxPlazoDays
	case PlazoMonths:
		limit = MaxPlazoMonths
	}
	if limit > 0 && d.Count >= 1 && d.Count <= limit && d.Date.IsZero() {
		return nil
	}
	return fmt.Errorf("deadline %+v: %w", d, ErrInvalidDeadline)
}

// Due returns the date by which a citizen notified at instant notified must
// act, and false if d sets no deadline or is not valid. The notification date
// is the date in Ecuador at that instant. The rules, from the Código Orgánico
// Administrativo:
//
//   - Termino: the Count-th business day after the notification date. Counting
//     starts on the business day after the notification (art. 158) and skips
//     Saturdays, Sundays and holidays (art. 159).
//   - PlazoDays: counting also starts on the first business day after the
//     notification (art. 158, "los plazos y los términos en días"), which is
//     day 1; the plazo ends on day Count, counting every calendar day. For a
//     notification on the eve of a business day this is the notification date
//     plus Count days; after a Friday or a holiday it starts later.
//   - PlazoMonths: date to date, the notification date plus Count months, or
//     the last day of the month when that day does not exist (31 January + 1
//     month = 28 February) (art. 160).
//   - A plazo whose last day is not a business day is extended to the next
//     business day (art. 160).
//   - FixedDate: Date, unchanged even if it is not a business day: the
//     institution chose it.
func (c *Calendar) Due(notified time.Time, d Deadline) (Date, bool) {
	if notified.IsZero() || d.Kind == NoDeadline || d.Validate() != nil {
		return Date{}, false
	}
	n := DateOf(notified)
	switch d.Kind {
	case FixedDate:
		return d.Date, true
	case Termino:
		return c.AddBusinessDays(n, d.Count), true
	case PlazoDays:
		return c.NextBusinessDay(c.AddBusinessDays(n, 1).AddDays(d.Count - 1)), true
	case PlazoMonths:
		return c.NextBusinessDay(n.AddMonths(d.Count)), true
	}
	return Date{}, false
}

// String describes d in Spanish, as the inbox shows it: "10 días hábiles",
// "30 días calendario", "2 meses", "hasta el 15 de diciembre de 2026".
func (d Deadline) String() string { return d.Format("es") }

// Format describes d in lang, Spanish unless lang is English (see [FormatLong]).
func (d Deadline) Format(lang string) string {
	en := isEnglish(lang)
	plural := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	switch {
	case d.Kind == NoDeadline && en:
		return "no deadline"
	case d.Kind == NoDeadline:
		return "sin plazo"
	case d.Kind == FixedDate && en:
		return "by " + FormatLong(d.Date, lang)
	case d.Kind == FixedDate:
		return "hasta el " + FormatLong(d.Date, lang)
	case d.Kind == Termino && en:
		return plural(d.Count, "business day", "business days")
	case d.Kind == Termino:
		return plural(d.Count, "día hábil", "días hábiles")
	case d.Kind == PlazoDays && en:
		return plural(d.Count, "calendar day", "calendar days")
	case d.Kind == PlazoDays:
		return plural(d.Count, "día calendario", "días calendario")
	case d.Kind == PlazoMonths && en:
		return plural(d.Count, "month", "months")
	case d.Kind == PlazoMonths:
		return plural(d.Count, "mes", "meses")
	}
	return d.Kind.String()
}
