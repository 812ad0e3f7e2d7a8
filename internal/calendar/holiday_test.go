package calendar

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEaster(t *testing.T) {
	known := map[int]string{
		1818: "1818-03-22", // the earliest possible
		1943: "1943-04-25", // the latest possible
		2000: "2000-04-23",
		2008: "2008-03-23",
		2011: "2011-04-24",
		2019: "2019-04-21",
		2024: "2024-03-31",
		2025: "2025-04-20",
		2026: "2026-04-05",
		2027: "2027-03-28",
		2028: "2028-04-16",
		2035: "2035-03-25",
		2038: "2038-04-25",
		2040: "2040-04-01",
	}
	for y, want := range known {
		if got := Easter(y); got != d(want) {
			t.Errorf("Easter(%d) = %v, want %s", y, got, want)
		}
	}
	for y := 1583; y <= 4099; y++ {
		e := Easter(y)
		if e.Weekday() != time.Sunday || e.Before(NewDate(y, time.March, 22)) || e.After(NewDate(y, time.April, 25)) {
			t.Fatalf("Easter(%d) = %v (%v), not a Sunday between 22 March and 25 April", y, e, e.Weekday())
		}
	}
}

// weekdayHolidays lists the dates of year's holidays that fall on a weekday:
// what the published lists of non-working days give.
func weekdayHolidays(c *Calendar, year int) []Date {
	var ds []Date
	for _, h := range c.Holidays(year) {
		if wd := h.Date.Weekday(); wd != time.Saturday && wd != time.Sunday {
			ds = append(ds, h.Date)
		}
	}
	return ds
}

func dates(ss ...string) []Date {
	ds := make([]Date, len(ss))
	for i, s := range ss {
		ds[i] = d(s)
	}
	return ds
}

func TestHolidaysMatchPublishedLists(t *testing.T) {
	tests := []struct {
		year int
		want []Date
	}{
		{2026, dates("2026-01-01", "2026-02-16", "2026-02-17", "2026-04-03", "2026-05-01",
			"2026-05-25", "2026-08-10", "2026-10-09", "2026-11-02", "2026-11-03", "2026-12-25")},
		{2027, dates("2027-01-01", "2027-02-08", "2027-02-09", "2027-03-26", "2027-04-30",
			"2027-05-24", "2027-08-09", "2027-10-08", "2027-11-01", "2027-11-03", "2027-12-24",
			"2027-12-31")},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, weekdayHolidays(Ecuador(), tt.year), cmp.Comparer(func(a, b Date) bool { return a == b })); diff != "" {
			t.Errorf("non-working weekdays of %d (-want +got):\n%s", tt.year, diff)
		}
	}
}

func TestHolidayNames2027(t *testing.T) {
	want := []Holiday{
		{d("2027-01-01"), "Año Nuevo", d("2027-01-01")},
		{d("2027-02-08"), "Carnaval", d("2027-02-08")},
		{d("2027-02-09"), "Carnaval", d("2027-02-09")},
		{d("2027-03-26"), "Viernes Santo", d("2027-03-26")},
		{d("2027-04-30"), "Día del Trabajo", d("2027-05-01")},
		{d("2027-05-24"), "Batalla de Pichincha", d("2027-05-24")},
		{d("2027-08-09"), "Primer Grito de Independencia", d("2027-08-10")},
		{d("2027-10-08"), "Independencia de Guayaquil", d("2027-10-09")},
		{d("2027-11-01"), "Día de los Difuntos", d("2027-11-02")},
		{d("2027-11-03"), "Independencia de Cuenca", d("2027-11-03")},
		{d("2027-12-24"), "Navidad", d("2027-12-25")},
		{d("2027-12-31"), "Año Nuevo", d("2028-01-01")},
	}
	if diff := cmp.Diff(want, Ecuador().Holidays(2027), cmp.AllowUnexported(Date{})); diff != "" {
		t.Errorf("Holidays(2027) (-want +got):\n%s", diff)
	}
	// 1 January 2028 was moved into 2027: 2028 must not list it again.
	if h, ok := Ecuador().HolidayOn(d("2028-01-01")); ok {
		t.Errorf("2028-01-01 is listed as %+v; it is observed on 2027-12-31", h)
	}
}

func TestHolidayMoves(t *testing.T) {
	tests := []struct {
		name     string
		legal    string
		observed []string // the holidays near legal, as observed
	}{
		{"1 May on a Tuesday joins the Monday before", "2029-05-01", []string{"2029-04-30"}},
		{"1 May on a Wednesday moves to Friday", "2024-05-01", []string{"2024-05-03"}},
		{"24 May on a Thursday moves to Friday", "2029-05-24", []string{"2029-05-25"}},
		{"10 August on a Sunday moves to Monday", "2025-08-10", []string{"2025-08-11"}},
		{"9 October on a Saturday moves to Friday", "2027-10-09", []string{"2027-10-08"}},
		{"1 January on a Sunday moves to Monday", "2034-01-01", []string{"2034-01-02"}},
		{"1 January on a Wednesday stays", "2025-01-01", []string{"2025-01-01"}},
		{"25 December on a Thursday stays", "2025-12-25", []string{"2025-12-25"}},
		{"25 December on a Sunday moves to Monday", "2033-12-25", []string{"2033-12-26"}},
		// 2 and 3 November together, in each of their weekday patterns.
		{"2 Nov Monday, 3 Nov Tuesday", "2026-11-02", []string{"2026-11-02", "2026-11-03"}},
		{"2 Nov Tuesday joins Monday 1", "2027-11-02", []string{"2027-11-01", "2027-11-03"}},
		{"2 Nov Wednesday moves to Friday 4", "2022-11-02", []string{"2022-11-03", "2022-11-04"}},
		{"2 Nov Thursday, 3 Nov Friday", "2023-11-02", []string{"2023-11-02", "2023-11-03"}},
		{"3 Nov Saturday stays", "2029-11-02", []string{"2029-11-02", "2029-11-03"}},
		{"2 Nov Saturday to Friday 1, 3 Nov Sunday to Monday 4", "2024-11-02", []string{"2024-11-01", "2024-11-04"}},
		{"2 Nov Sunday to Tuesday 4, after Monday 3", "2025-11-02", []string{"2025-11-03", "2025-11-04"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			legal := d(tt.legal)
			var got []string
			for _, h := range Ecuador().Holidays(legal.Year()) {
				if n := legal.DaysUntil(h.Date); n >= -3 && n <= 3 {
					got = append(got, h.Date.String())
				}
			}
			if diff := cmp.Diff(tt.observed, got); diff != "" {
				t.Errorf("holidays around %s (-want +got):\n%s", tt.legal, diff)
			}
		})
	}
}

func TestHolidaysNeverCollide(t *testing.T) {
	for y := 2017; y <= 2100; y++ {
		hs := Ecuador().Holidays(y)
		// 11 of the law, one fewer when 1 January moved into the year before,
		// one more when the next one moved into this year.
		if len(hs) < 10 || len(hs) > 12 {
			t.Errorf("%d has %d holidays", y, len(hs))
		}
		seen := map[Date]string{}
		for _, h := range hs {
			if other, ok := seen[h.Date]; ok {
				t.Errorf("%v is both %s and %s", h.Date, other, h.Name)
			}
			seen[h.Date] = h.Name
			if h.Date.Year() != y {
				t.Errorf("Holidays(%d) lists %v", y, h.Date)
			}
			wd := h.Date.Weekday()
			weekendOK := h.Name == "Independencia de Cuenca" && wd == time.Saturday
			if (wd == time.Saturday || wd == time.Sunday) && !weekendOK {
				t.Errorf("%s observed on %v, a %v", h.Name, h.Date, wd)
			}
		}
	}
}
