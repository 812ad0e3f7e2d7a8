package calendar

import "time"

// Holiday is a non-working day, with the Spanish name the UI shows.
type Holiday struct {
	Date Date   `json:"date"`
	Name string `json:"name"`
	// LegalDate is the date the Código del Trabajo names for the holiday (24
	// May) when Date is the day it is observed (Monday 25 May 2026). It is the
	// zero Date for days added by decree.
	LegalDate Date `json:"legal_date,omitzero"`
}

// Easter returns Easter Sunday of year in the Gregorian calendar, from which
// Carnival and Good Friday are counted (the anonymous Gregorian algorithm).
func Easter(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return NewDate(year, time.Month(month), day) // normalised even for years < 1
}

// statutory returns the holidays of Código del Trabajo art. 65 whose legal
// date falls in year, on the days they are observed after the moves of the
// 2016 reform. The moves can carry a holiday into the previous year (1 January
// on a Saturday is observed on Friday 31 December), so callers filter by the
// observed date. Years before 2017 get the same rules, which is not what was
// observed then.
func statutory(year int) []Holiday {
	easter := Easter(year)
	legal := func(m time.Month, d int) Date { return Date{year, m, d} }
	hs := []Holiday{
		observed(legal(time.January, 1), "Año Nuevo", weekendOnly),
		{Date: easter.AddDays(-48), Name: "Carnaval", LegalDate: easter.AddDays(-48)},
		{Date: easter.AddDays(-47), Name: "Carnaval", LegalDate: easter.AddDays(-47)},
		{Date: easter.AddDays(-2), Name: "Viernes Santo", LegalDate: easter.AddDays(-2)},
		observed(legal(time.May, 1), "Día del Trabajo", nearestWeekend),
		observed(legal(time.May, 24), "Batalla de Pichincha", nearestWeekend),
		observed(legal(time.August, 10), "Primer Grito de Independencia", nearestWeekend),
		observed(legal(time.October, 9), "Independencia de Guayaquil", nearestWeekend),
		observed(legal(time.November, 2), "Día de los Difuntos", difuntos),
		observed(legal(time.November, 3), "Independencia de Cuenca", cuenca),
		observed(legal(time.December, 25), "Navidad", weekendOnly),
	}
	return hs
}

func observed(legal Date, name string, move func(time.Weekday) int) Holiday {
	return Holiday{Date: legal.AddDays(move(legal.Weekday())), Name: name, LegalDate: legal}
}

// The moves below return how many days a holiday moves from its legal date,
// given the weekday of that date.

// nearestWeekend is the general rule of the 2016 reform: a Tuesday holiday
// joins the Monday before, a Wednesday or Thursday one the Friday after, a
// Saturday one the Friday before and a Sunday one the Monday after.
func nearestWeekend(wd time.Weekday) int {
	switch wd {
	case time.Tuesday:
		return -1
	case time.Wednesday:
		return 2
	case time.Thursday:
		return 1
	}
	return weekendOnly(wd)
}

// weekendOnly moves 1 January and 25 December only off a weekend: Saturday to
// the Friday before, Sunday to the Monday after.
func weekendOnly(wd time.Weekday) int {
	switch wd {
	case time.Saturday:
		return -1
	case time.Sunday:
		return 1
	}
	return 0
}

// difuntos moves 2 November: Tuesday to Monday, Wednesday to Friday, Saturday
// to Friday, and Sunday to Tuesday 4 November, because Monday 3 November is
// already the Independencia de Cuenca.
func difuntos(wd time.Weekday) int {
	switch wd {
	case time.Tuesday:
		return -1
	case time.Wednesday:
		return 2
	case time.Saturday:
		return -1
	case time.Sunday:
		return 2
	}
	return 0
}

// cuenca moves 3 November only from a Sunday, to the Monday after. On a
// Saturday it stays there: the Friday before is already the Día de los
// Difuntos.
func cuenca(wd time.Weekday) int {
	if wd == time.Sunday {
		return 1
	}
	return 0
}
