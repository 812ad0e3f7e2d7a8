package calendar

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Calendar knows which days are business days in Ecuador: not a Saturday, a
// Sunday or a holiday, where holidays are the Código del Trabajo's corrected
// by the overrides it was built with. A Calendar is immutable and safe for
// concurrent use; to apply new decrees, build a new one. The zero Calendar,
// like [Ecuador], is the calendar of the law alone.
type Calendar struct {
	overrides map[Date]Override
	years     sync.Map // int → *year, computed on first use
}

// year holds one year's non-working days, by day of the year, for quick lookup.
type year struct {
	holidays []Holiday
	jan1     int       // day count of 1 January
	off      [6]uint64 // bit i set: day jan1+i is a holiday
}

// New returns a calendar with the holidays of the law corrected by
// overrides, typically read with [ParseOverrides] or entered by the platform
// administrator. Names are trimmed of spaces. A bad override is reported as an
// *OverrideError whose Entry is its position in overrides, from 1.
func New(overrides []Override) (*Calendar, error) {
	c := &Calendar{overrides: make(map[Date]Override, len(overrides))}
	list := slices.Clone(overrides)
	for i := range list {
		list[i].Name = strings.TrimSpace(list[i].Name)
	}
	if i, err := checkOverrides(list); err != nil {
		return nil, &OverrideError{Entry: i + 1, Err: err}
	}
	for _, o := range list {
		c.overrides[o.Date] = o
	}
	return c, nil
}

var ecuador = sync.OnceValue(func() *Calendar {
	c, _ := New(nil)
	return c
})

// Ecuador returns the calendar of the law alone, without decrees.
func Ecuador() *Calendar { return ecuador() }

// Overrides returns the overrides c was built with, in date order, so an
// administration screen can list them.
func (c *Calendar) Overrides() []Override {
	return slices.SortedFunc(maps.Values(c.overrides), func(a, b Override) int {
		return a.Date.Compare(b.Date)
	})
}

// Holidays returns the holidays observed in year, in date order: those of the
// law on the days they are moved to, without those a Laborable override
// cancels, with the Feriado overrides (which replace a holiday of the law on
// the same date). It includes 31 December when the next 1 January falls on a
// Saturday; the only one that can fall on a weekend is 3 November on a
// Saturday, which the law does not move.
func (c *Calendar) Holidays(year int) []Holiday {
	return slices.Clone(c.year(year).holidays)
}

// HolidayOn returns the holiday observed on d, if any, so the UI can say why a
// weekday is not a business day.
func (c *Calendar) HolidayOn(d Date) (Holiday, bool) {
	for _, h := range c.year(d.year).holidays {
		if h.Date == d {
			return h, true
		}
	}
	return Holiday{}, false
}

// IsBusinessDay reports whether d counts in a término: a weekday that is not
// a holiday.
func (c *Calendar) IsBusinessDay(d Date) bool {
	if d.IsZero() {
		return false
	}
	z := d.days()
	if wd := weekdayOf(z); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	y := c.year(d.year)
	i := z - y.jan1
	return y.off[i/64]&(1<<(i%64)) == 0
}

// AddBusinessDays returns the nth business day after d (before d if n < 0),
// not counting d itself; for n == 0 it returns d. From a Friday before
// Carnival, 3 business days is the Friday after it.
func (c *Calendar) AddBusinessDays(d Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.IsBusinessDay(d) {
			n--
		}
	}
	return d
}

// BusinessDaysBetween counts the business days after from up to and including
// to — what remains of a término on day from that ends on day to ("quedan 5
// días hábiles"). It is negative when to is before from, and
// AddBusinessDays(from, BusinessDaysBetween(from, to)) == to for a business day to.
func (c *Calendar) BusinessDaysBetween(from, to Date) int {
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if c.IsBusinessDay(d) {
			n++
		}
	}
	return sign * n
}

// NextBusinessDay returns d if it is a business day, or else the first
// business day after it: where a plazo ending on a non-working day ends
// (COA art. 160).
func (c *Calendar) NextBusinessDay(d Date) Date {
	for !c.IsBusinessDay(d) {
		d = d.AddDays(1)
	}
	return d
}

// ReminderDates returns the days on which to remind a citizen of a due date:
// for each n in businessDaysBefore, the nth business day before due (0 means
// due itself; negative values are ignored). The result is in date order
// without repeats. Dates before the notification, or already past, are the
// caller's to drop.
func (c *Calendar) ReminderDates(due Date, businessDaysBefore []int) []Date {
	var ds []Date
	for _, n := range businessDaysBefore {
		if n >= 0 {
			ds = append(ds, c.AddBusinessDays(due, -n))
		}
	}
	slices.SortFunc(ds, Date.Compare)
	return slices.Compact(ds)
}

func (c *Calendar) year(y int) *year {
	if v, ok := c.years.Load(y); ok {
		return v.(*year)
	}
	v, _ := c.years.LoadOrStore(y, c.buildYear(y))
	return v.(*year)
}

func (c *Calendar) buildYear(y int) *year {
	byDate := make(map[Date]Holiday)
	// A holiday of the law can be observed in the year before its legal date.
	for _, h := range append(statutory(y), statutory(y+1)...) {
		if h.Date.year == y {
			byDate[h.Date] = h
		}
	}
	for d, o := range c.overrides {
		if d.year != y {
			continue
		}
		switch o.Kind {
		case Feriado:
			byDate[d] = Holiday{Date: d, Name: o.Name}
		case Laborable:
			delete(byDate, d)
		}
	}
	t := &year{holidays: slices.SortedFunc(maps.Values(byDate), func(a, b Holiday) int {
		return cmp.Compare(a.Date.days(), b.Date.days())
	})}
	t.jan1 = daysFromCivil(y, time.January, 1)
	for _, h := range t.holidays {
		i := h.Date.days() - t.jan1
		t.off[i/64] |= 1 << (i % 64)
	}
	return t
}
