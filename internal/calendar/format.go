package calendar

import (
	"fmt"
	"strings"
)

var (
	monthsES = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
		"agosto", "septiembre", "octubre", "noviembre", "diciembre"}
	monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
)

// FormatLong writes d as people read it: "15 de diciembre de 2026" in Spanish,
// "December 15, 2026" when lang is English ("en", "en-US"). Any other lang
// gives Spanish, the platform's language; the zero Date gives "".
func FormatLong(d Date, lang string) string {
	if d.IsZero() {
		return ""
	}
	if isEnglish(lang) {
		return fmt.Sprintf("%s %d, %d", monthsEN[d.month-1], d.day, d.year)
	}
	return fmt.Sprintf("%d de %s de %d", d.day, monthsES[d.month-1], d.year)
}

func isEnglish(lang string) bool {
	lang = strings.ToLower(lang)
	return lang == "en" || strings.HasPrefix(lang, "en-") || strings.HasPrefix(lang, "en_")
}
