package filetype

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxNameBytes bounds a sanitised file name, extension included: comfortably
// under every file system's 255 and short enough for a header and a table cell.
const MaxNameBytes = 150

// maxExtBytes bounds what counts as an extension; a longer "extension" is just
// part of the name.
const maxExtBytes = 16

// defaultBase replaces a name that has nothing left after cleaning.
const defaultBase = "archivo"

// SafeName turns a sender's file name into one that is safe to store, show and
// offer for download on any system: it keeps only the last path element (no
// "../", "/" or "\"), drops control and invisible formatting characters (bidi
// overrides that disguise "fdp.exe" as "exe.pdf" included), replaces characters
// Windows forbids, collapses spaces, trims leading and trailing dots and
// spaces, defuses reserved Windows device names (CON, NUL, COM1…), and cuts it to
// MaxNameBytes keeping the extension. Accents and ñ stay (normalised to NFC).
// The result is never empty, and SafeName(SafeName(s)) == SafeName(s).
func SafeName(name string) string {
	s := clean(name)
	// Cleaning can expose something a second pass would change (a cut that
	// leaves a new trailing dot, a combining mark meeting a new base letter):
	// repeat until nothing changes, which takes one or two more passes.
	for range 4 {
		t := clean(s)
		if t == s {
			break
		}
		s = t
	}
	return s
}

func clean(name string) string {
	name = norm.NFC.String(strings.ToValidUTF8(name, "_"))
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs) || r == utf8.RuneError || isNonChar(r):
			continue
		case strings.ContainsRune(`<>:"|?*`, r):
			r = '_'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	// Trailing dots and spaces vanish on Windows; leading ones hide files. A
	// name that is only an extension (".pdf") keeps it as one.
	s := strings.TrimRight(norm.NFC.String(b.String()), ". ")
	ext := extOf(s)
	base := strings.TrimLeft(s[:len(s)-len(ext)], ". ")
	if strings.Trim(base, ". ") == "" {
		base = defaultBase
	}
	if isReserved(base) {
		base = "_" + base
	}
	if len(base)+len(ext) > MaxNameBytes {
		base = cutUTF8(base, MaxNameBytes-len(ext))
		if ext == "" {
			base = strings.TrimRight(base, ". ")
		}
		if strings.Trim(base, ". ") == "" {
			base = defaultBase
		}
	}
	return base + ext
}

// extOf returns the extension of a cleaned name: a final dot followed by 1 to
// maxExtBytes letters or digits. "Oficio No. 12" has none.
func extOf(s string) string {
	i := strings.LastIndexByte(s, '.')
	if i < 0 || len(s)-i-1 < 1 || len(s)-i > maxExtBytes+1 {
		return ""
	}
	for _, r := range s[i+1:] {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return ""
		}
	}
	return s[i:]
}

// isReserved reports a Windows device name, which Windows refuses as a file
// name whatever the extension ("con.txt", "LPT1.pdf").
func isReserved(base string) bool {
	stem, _, _ := strings.Cut(base, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) >= 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		switch stem[3:] {
		case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}

func isNonChar(r rune) bool {
	return r >= 0xfdd0 && r <= 0xfdef || r&0xfffe == 0xfffe
}

// cutUTF8 returns the longest prefix of s of at most n bytes that ends on a
// rune boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ContentDisposition returns a Content-Disposition header value that makes
// browsers download the file under SafeName(name): an ASCII filename= for old
// clients (accents folded: "Resolución" → "Resolucion") and the exact name,
// percent-encoded UTF-8, in filename* (RFC 6266, RFC 8187).
func ContentDisposition(name string) string {
	name = SafeName(name)
	return `attachment; filename="` + asciiFallback(name) + `"; filename*=UTF-8''` + pctEncode(name)
}

func asciiFallback(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'ß':
			b.WriteString("ss")
		case r == '"' || r == '\\' || r == '%' || r < 0x20 || r >= 0x7f:
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pctEncode escapes everything but RFC 8187's attr-char.
func pctEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
