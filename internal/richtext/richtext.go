// Package richtext da formato seguro al cuerpo de las notificaciones.
//
// El cuerpo es texto plano con un pequeño conjunto de marcas; nunca HTML. Todo lo
// que no es una de estas marcas se muestra tal cual fue escrito (un "<script>"
// escrito por el notificador aparece como texto, no se ejecuta):
//
//   - Párrafos: se separan con una línea en blanco. Un salto de línea simple
//     dentro de un párrafo se respeta.
//   - **negrita**: texto entre dos asteriscos dobles.
//   - *cursiva* o _cursiva_: texto entre asteriscos simples o guiones bajos.
//     Pueden combinarse: **negrita con _cursiva_ dentro**. Las marcas no cruzan
//     líneas; una marca sin cierre se muestra tal cual. Un guion bajo dentro de
//     una palabra (nombre_de_archivo) no es marca.
//   - Listas con viñetas: líneas que empiezan con "- " o "* ".
//   - Listas numeradas: líneas que empiezan con un número, punto y espacio ("1. ").
//     Una línea con sangría bajo un elemento continúa ese elemento.
//   - Enlaces: las direcciones que empiezan con https:// o http:// se convierten
//     en enlaces, que se abren sin transmitir datos de la plataforma. No hay
//     enlaces con otro texto que la propia dirección, para que el ciudadano vea
//     siempre a dónde lleva.
//
// No hay títulos, tablas, imágenes ni colores. El texto se valida con Validate
// (tamaño, UTF-8, sin caracteres de control ni de cambio de dirección invisibles)
// antes de guardarse; Render y PlainText además descartan esos caracteres por si
// llegara texto sin validar.
//
// In English: bodies are plain text with a small safe markup — blank-line
// paragraphs, kept line breaks, **bold**, *italic* / _italic_, "- " and "1. "
// lists, bare http(s) URLs as links — rendered by Render to HTML that is safe in
// html/template, or by PlainText without markers. Help gives the notifier's guide.
package richtext

import (
	"fmt"
	"html"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxBytes bounds a body: about 40 printed pages, far beyond any notification,
// small enough that rendering never becomes a denial of service.
const MaxBytes = 100 << 10

// Rel is the rel attribute of every link: no referrer leaks the notification's
// address, the opened page cannot reach back into the mailbox, and the platform
// vouches for nothing.
const Rel = "noopener noreferrer nofollow"

// maxURL bounds an address turned into a link.
const maxURL = 2000

type blockKind int

const (
	paragraph blockKind = iota
	bullets
	numbers
)

type item struct {
	number int // for numbered lists
	lines  []string
}

type block struct {
	kind  blockKind
	items []item // a paragraph is one item
}

// Normalize returns src with Windows and old Mac line ends turned into "\n", a
// leading byte-order mark dropped and trailing spaces and blank lines removed:
// the form to store, so the hash in the evidence log does not depend on the
// sender's system. Normalize first, then Validate.
func Normalize(src string) string {
	src = strings.TrimPrefix(src, "\ufeff")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// sanitize makes any input renderable: valid UTF-8, normalised line ends, and
// none of the characters Validate refuses.
func sanitize(src string) string {
	if len(src) > MaxBytes {
		src = src[:MaxBytes]
	}
	src = Normalize(strings.ToValidUTF8(src, "\uFFFD"))
	return strings.Map(func(r rune) rune {
		if forbidden(r) != nil {
			return -1
		}
		return r
	}, src)
}

func parse(src string) []block {
	var blocks []block
	var cur *block
	flush := func() {
		if cur != nil {
			blocks = append(blocks, *cur)
			cur = nil
		}
	}
	for _, line := range strings.Split(sanitize(src), "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if kind, n, rest, ok := listItem(line); ok {
			if cur == nil || cur.kind != kind {
				flush()
				cur = &block{kind: kind}
			}
			cur.items = append(cur.items, item{number: n, lines: []string{rest}})
			continue
		}
		if cur != nil && cur.kind != paragraph && (line[0] == ' ' || line[0] == '\t') {
			last := &cur.items[len(cur.items)-1]
			last.lines = append(last.lines, strings.TrimSpace(line))
			continue
		}
		if cur == nil || cur.kind != paragraph {
			flush()
			cur = &block{kind: paragraph, items: []item{{}}}
		}
		cur.items[0].lines = append(cur.items[0].lines, line)
	}
	flush()
	return blocks
}

// listItem recognises "- x", "* x" and "12. x", after optional indentation.
func listItem(line string) (kind blockKind, number int, rest string, ok bool) {
	s := strings.TrimLeft(line, " \t")
	if len(s) >= 2 && (s[0] == '-' || s[0] == '*') && (s[1] == ' ' || s[1] == '\t') {
		return bullets, 0, strings.TrimSpace(s[2:]), true
	}
	i := 0
	for i < len(s) && i < 9 && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(s) && s[i] == '.' && (s[i+1] == ' ' || s[i+1] == '\t') {
		n, _ := strconv.Atoi(s[:i])
		return numbers, n, strings.TrimSpace(s[i+2:]), true
	}
	return 0, 0, "", false
}

// Render turns a body into HTML safe to place in an html/template page: only the
// elements p, br, strong, em, ul, ol, li and a (with an http or https href and
// rel=Rel) are produced, and every other character is escaped.
func Render(src string) template.HTML {
	var b strings.Builder
	for _, bl := range parse(src) {
		switch bl.kind {
		case paragraph:
			b.WriteString("<p>")
			writeLines(&b, bl.items[0].lines, true)
			b.WriteString("</p>\n")
		case bullets:
			b.WriteString("<ul>\n")
			for _, it := range bl.items {
				b.WriteString("<li>")
				writeLines(&b, it.lines, true)
				b.WriteString("</li>\n")
			}
			b.WriteString("</ul>\n")
		case numbers:
			next := bl.items[0].number
			if next == 1 {
				b.WriteString("<ol>\n")
			} else {
				fmt.Fprintf(&b, "<ol start=\"%d\">\n", next)
			}
			for _, it := range bl.items {
				// Keep the sender's numbers: a resolution's "3." must stay 3.
				if it.number == next {
					b.WriteString("<li>")
				} else {
					fmt.Fprintf(&b, "<li value=\"%d\">", it.number)
				}
				next = it.number + 1
				writeLines(&b, it.lines, true)
				b.WriteString("</li>\n")
			}
			b.WriteString("</ol>\n")
		}
	}
	return template.HTML(b.String())
}

// PlainText returns the body without formatting marks, for the printable PDF and
// other places without HTML: paragraphs separated by a blank line, line breaks
// kept, bullets as "- ", numbered items with their numbers, links as their URL.
func PlainText(src string) string {
	var b strings.Builder
	for i, bl := range parse(src) {
		if i > 0 {
			b.WriteString("\n\n")
		}
		switch bl.kind {
		case paragraph:
			writeLines(&b, bl.items[0].lines, false)
		default:
			for j, it := range bl.items {
				if j > 0 {
					b.WriteByte('\n')
				}
				marker := "- "
				if bl.kind == numbers {
					marker = strconv.Itoa(it.number) + ". "
				}
				b.WriteString(marker)
				for k, line := range it.lines {
					if k > 0 {
						b.WriteString("\n" + strings.Repeat(" ", len(marker)))
					}
					writeInline(&b, line, false, false, false)
				}
			}
		}
	}
	return b.String()
}

func writeLines(b *strings.Builder, lines []string, htmlOut bool) {
	for i, line := range lines {
		if i > 0 {
			if htmlOut {
				b.WriteString("<br>")
			}
			b.WriteByte('\n')
		}
		writeInline(b, line, htmlOut, false, false)
	}
}

// writeInline renders one line's emphasis and links. Emphasis nests at most one
// level of each kind (bold inside italic or the reverse), so the work is linear
// in the line's length: a search for a closing mark that fails is not repeated.
func writeInline(b *strings.Builder, s string, htmlOut, inStrong, inEm bool) {
	var noClose [3]bool // "**", "*", "_"
	text := func(t string) {
		if htmlOut {
			b.WriteString(html.EscapeString(t))
		} else {
			b.WriteString(t)
		}
	}
	start := 0 // of pending plain text
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case (c == 'h' || c == 'H') && urlStart(s, i):
			if u, n := link(s[i:]); n > 0 {
				text(s[start:i])
				if htmlOut {
					e := html.EscapeString(u)
					b.WriteString(`<a href="` + e + `" rel="` + Rel + `">` + e + `</a>`)
				} else {
					b.WriteString(u)
				}
				i += n
				start = i
				continue
			}
		case c == '*' && strings.HasPrefix(s[i:], "**") && !inStrong && !noClose[0] && opens(s, i+2):
			if j := closeStrong(s, i+3); j >= 0 {
				text(s[start:i])
				if htmlOut {
					b.WriteString("<strong>")
				}
				writeInline(b, s[i+2:j], htmlOut, true, inEm)
				if htmlOut {
					b.WriteString("</strong>")
				}
				i = j + 2
				start = i
				continue
			}
			noClose[0] = true
		case c == '*' && !inEm && !noClose[1] && !strings.HasPrefix(s[i:], "**") && (i == 0 || s[i-1] != '*') && opens(s, i+1):
			if j := closeEm(s, i+2, '*'); j >= 0 {
				text(s[start:i])
				if htmlOut {
					b.WriteString("<em>")
				}
				writeInline(b, s[i+1:j], htmlOut, inStrong, true)
				if htmlOut {
					b.WriteString("</em>")
				}
				i = j + 1
				start = i
				continue
			}
			noClose[1] = true
		case c == '_' && !inEm && !noClose[2] && (i == 0 || !wordBefore(s, i)) && opens(s, i+1) && s[i+1] != '_':
			if j := closeEm(s, i+2, '_'); j >= 0 {
				text(s[start:i])
				if htmlOut {
					b.WriteString("<em>")
				}
				writeInline(b, s[i+1:j], htmlOut, inStrong, true)
				if htmlOut {
					b.WriteString("</em>")
				}
				i = j + 1
				start = i
				continue
			}
			noClose[2] = true
		}
		i++
	}
	text(s[start:])
}

// opens reports whether an emphasis opened before position i has content: a
// non-space character right after the mark.
func opens(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !unicode.IsSpace(r)
}

func spaceBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsSpace(r)
}

func wordBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func wordAfter(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// closeStrong finds a closing "**" at or after from, preceded by a non-space.
func closeStrong(s string, from int) int {
	for j := from; j+1 < len(s); j++ {
		if s[j] == '*' && s[j+1] == '*' && !spaceBefore(s, j) {
			return j
		}
	}
	return -1
}

// closeEm finds a closing mark at or after from: preceded by a non-space, and,
// for "*", not part of "**"; for "_", not followed by a letter or digit.
func closeEm(s string, from int, mark byte) int {
	for j := from; j < len(s); j++ {
		if s[j] != mark || spaceBefore(s, j) {
			continue
		}
		if mark == '*' && (s[j-1] == '*' || j+1 < len(s) && s[j+1] == '*') {
			continue
		}
		if mark == '_' && wordAfter(s, j+1) {
			continue
		}
		return j
	}
	return -1
}

func urlStart(s string, i int) bool {
	if i > 0 && (wordBefore(s, i) || s[i-1] == '/' || s[i-1] == '@') {
		return false
	}
	rest := s[i:]
	return len(rest) > 8 && (strings.EqualFold(rest[:8], "https://") || strings.EqualFold(rest[:7], "http://"))
}

// link reads the URL at the start of s and returns it with the number of bytes
// it spans, or n == 0 when it is not a link the platform will produce.
func link(s string) (u string, n int) {
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if unicode.IsSpace(r) || strings.ContainsRune("<>\"'`*{}|\\^", r) || r < 0x20 {
			break
		}
		n += size
		if n > maxURL {
			// Not an address anyone types; also keeps a line of thousands of
			// "(https://" from costing quadratic time.
			return "", 0
		}
	}
	// Punctuation that ends a sentence is not part of the address, and neither
	// is a closing parenthesis without its opening one: "(ver https://x.ec)".
	for n > 0 {
		c := s[n-1]
		if strings.IndexByte(".,;:!?_", c) >= 0 || c == ')' && strings.Count(s[:n], "(") < strings.Count(s[:n], ")") {
			n--
			continue
		}
		break
	}
	u = s[:n]
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.User != nil || p.Opaque != "" {
		// Not a link: an address with "user@" before the host is the classic
		// disguise (https://banco.ec@otro.example), shown as text instead.
		return "", 0
	}
	return strings.ToLower(u[:len(p.Scheme)]) + u[len(p.Scheme):], n
}
