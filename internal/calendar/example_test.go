package calendar_test

import (
	"fmt"
	"strings"
	"time"

	"buzon/internal/calendar"
)

func ExampleCalendar_Due() {
	c := calendar.Ecuador()
	// Notified on Friday 13 February 2026, before Carnival (16 and 17 February).
	notified := time.Date(2026, time.February, 13, 15, 30, 0, 0, calendar.Zone)
	for _, d := range []calendar.Deadline{
		calendar.BusinessDays(3),
		calendar.CalendarDays(5),
		calendar.Months(1),
	} {
		due, _ := c.Due(notified, d)
		fmt.Printf("%s: %s\n", d, calendar.FormatLong(due, "es"))
	}
	// Output:
	// 3 días hábiles: 20 de febrero de 2026
	// 5 días calendario: 23 de febrero de 2026
	// 1 mes: 13 de marzo de 2026
}

func ExampleParseOverrides() {
	file := `fecha,tipo,nombre
2026-11-04,feriado,Traslado por decreto
2026-05-25,laborable,Decreto Ejecutivo 1
`
	overrides, err := calendar.ParseOverrides(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := calendar.New(overrides)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range c.Holidays(2026)[8:] {
		fmt.Println(h.Date, h.Name)
	}
	// Output:
	// 2026-11-03 Independencia de Cuenca
	// 2026-11-04 Traslado por decreto
	// 2026-12-25 Navidad
}

func ExampleCalendar_BusinessDaysBetween() {
	c := calendar.Ecuador()
	today, due := calendar.NewDate(2026, time.February, 13), calendar.NewDate(2026, time.February, 20)
	fmt.Printf("Quedan %d días hábiles\n", c.BusinessDaysBetween(today, due))
	// Output: Quedan 3 días hábiles
}
