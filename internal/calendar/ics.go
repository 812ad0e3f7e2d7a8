package calendar

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ICS returns an iCalendar file (RFC 5545) with one all-day event on due, so a
// citizen can put a deadline in his own calendar. uid must be stable for the
// notification (e.g. its id plus the platform's domain) so that importing it
// again updates the event instead of duplicating it; now becomes the DTSTAMP,
// in UTC. Texts are escaped and lines folded at 75 octets as the RFC requires.
func ICS(uid, summary, description string, due Date, now time.Time) []byte {
	var b bytes.Buffer
	line := func(s string) { writeFolded(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Buzon//Plazos//ES")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("BEGIN:VEVENT")
	line("UID:" + escapeText(uid))
	line("DTSTAMP:" + now.UTC().Format("20060102T150405Z"))
	line("DTSTART;VALUE=DATE:" + icsDate(due))
	line("DTEND;VALUE=DATE:" + icsDate(due.AddDays(1))) // DTEND is exclusive
	line("SUMMARY:" + escapeText(summary))
	if description != "" {
		line("DESCRIPTION:" + escapeText(description))
	}
	line("TRANSP:TRANSPARENT")
	line("END:VEVENT")
	line("END:VCALENDAR")
	return b.Bytes()
}

func icsDate(d Date) string { return fmt.Sprintf("%04d%02d%02d", d.year, int(d.month), d.day) }

// escapeText escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon,
// comma and newlines. Other control characters are not allowed and are
// dropped; invalid UTF-8 becomes U+FFFD.
func escapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t' || (r >= 0x20 && r != 0x7f):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeFolded writes one content line ending in CRLF, folded so that no
// physical line exceeds 75 octets; a fold never splits a UTF-8 sequence.
func writeFolded(b *bytes.Buffer, s string) {
	const limit = 75
	room := limit
	for len(s) > room {
		cut := room
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		room = limit - 1 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
