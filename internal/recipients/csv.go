package recipients

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Header names recognised, after normalisation (see normHeader).
var (
	nuiHeaders = set("cedula", "nui", "n_u_i", "numero_de_cedula", "no_de_cedula", "n_de_cedula", "nro_cedula",
		"nro_de_cedula", "num_cedula", "cedula_de_identidad", "cedula_de_ciudadania", "identificacion",
		"numero_de_identificacion", "ci", "c_i")
	nameHeaders = set("nombres", "nombre", "nombres_y_apellidos", "apellidos_y_nombres", "nombre_completo",
		"nombres_completos", "destinatario")
	refHeaders = set("referencia", "ref", "no_referencia", "numero_de_referencia")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// ParseCSV reads a recipients file and checks every row.
//
// The first non-empty row is the header. It must have a cédula column, named
// "cedula" or "nui" (accents, case, spaces and punctuation do not matter: "Cédula",
// "N.U.I." and "Número de cédula" all work); optionally "nombres" and "referencia";
// any other column becomes a template variable under its normalised name
// ("Monto a pagar ($)" → "monto_a_pagar"). The separator is found from the
// header: comma, semicolon (Excel in Spanish) or tab; a first line "sep=;" as
// Excel writes it is honoured. A UTF-8 or UTF-16 byte-order mark and CRLF line
// ends are fine; values that are not UTF-8 are read as Windows-1252, the
// encoding of a plain "CSV" saved by Excel on Windows.
//
// Each data row is checked: a valid cédula (with specific hints when a
// spreadsheet dropped the leading zero or wrote it in scientific notation), no
// cell over 500 characters, no more columns than the header, and no cédula
// already seen (the first occurrence is kept). Empty rows are skipped.
//
// ParseCSV returns an error, and no Result, only when the file as a whole is
// unusable: too large, too many rows or columns, not a CSV, or no cédula
// column. These are *Error values, possibly wrapped with detail.
func ParseCSV(r io.Reader, opt Options) (*Result, error) {
	opt = opt.withDefaults()
	limited := &limitReader{r: r, left: opt.MaxBytes, max: opt.MaxBytes}
	br := bufio.NewReaderSize(limited, 64<<10)
	res := &Result{Encoding: "UTF-8"}

	head, err := br.Peek(4)
	if err != nil && len(head) == 0 {
		if err == io.EOF {
			return nil, ErrEmptyFile
		}
		return nil, readErr(err)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		dec := xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder()
		br = bufio.NewReaderSize(transform.NewReader(br, dec), 64<<10)
		res.Encoding = "UTF-16"
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		br.Discard(3)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0")),
		bytes.HasPrefix(head, []byte("%PDF")):
		return nil, ErrNotCSV
	}
	peek, err := br.Peek(64 << 10)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, readErr(err)
	}
	if bytes.IndexByte(peek[:min(len(peek), 4096)], 0) >= 0 {
		return nil, ErrNotCSV
	}

	lineOffset := 0
	sep, explicit := sepLine(peek)
	if explicit {
		if _, err := br.ReadString('\n'); err != nil && err != io.EOF {
			return nil, readErr(err)
		}
		lineOffset = 1
	} else {
		sep = detectSep(peek)
	}
	res.Separator = sep

	cr := csv.NewReader(br)
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	hdr, err := cr.Read()
	if err == io.EOF {
		return nil, ErrEmptyFile
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%w: %s", ErrNoNUIColumn, probQuotes.spanish)
		}
		return nil, readErr(err)
	}
	hdr = slices.Clone(hdr) // the reader reuses its slice for the next row
	if len(hdr) > opt.MaxColumns {
		return nil, fmt.Errorf("%w (%d; máximo %d)", ErrTooManyColumns, len(hdr), opt.MaxColumns)
	}
	cols, err := readHeader(hdr)
	if err != nil {
		return nil, err
	}
	for _, c := range cols.vars {
		res.Columns = append(res.Columns, c.name)
	}

	win := charmap.Windows1252.NewDecoder()
	seen := make(map[string]int)
	addErr := func(e RowError) {
		if len(res.Errors) < opt.MaxErrors {
			res.Errors = append(res.Errors, e)
		} else {
			res.ErrorsOmitted++
		}
	}
	value := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		v := rec[i]
		if !utf8.ValidString(v) {
			if d, err := win.String(v); err == nil {
				v = d
				res.Encoding = "Windows-1252"
			} else {
				v = strings.ToValidUTF8(v, "\uFFFD")
			}
		}
		return cleanValue(v)
	}

	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, readErr(err)
			}
			res.Rows++
			if res.Rows > opt.MaxRows {
				return nil, fmt.Errorf("%w (máximo %d)", ErrTooManyRows, opt.MaxRows)
			}
			addErr(rowError(pe.StartLine+lineOffset, "", "", probQuotes))
			continue
		}
		if emptyRecord(rec) {
			continue
		}
		line, _ := cr.FieldPos(0)
		line += lineOffset
		res.Rows++
		if res.Rows > opt.MaxRows {
			return nil, fmt.Errorf("%w (máximo %d)", ErrTooManyRows, opt.MaxRows)
		}
		if opt.Progress != nil && res.Rows%opt.ProgressEvery == 0 {
			opt.Progress(res.Rows)
		}

		if len(rec) > len(hdr) && !emptyRecord(rec[len(hdr):]) {
			addErr(rowError(line, "", "", probColumns))
			continue
		}
		if long := longCell(rec, hdr); long >= 0 {
			addErr(rowError(line, cleanValue(hdr[long]), value(rec, long), probTooLong))
			continue
		}
		raw := value(rec, cols.nui)
		n, p := checkNUI(raw)
		if p != nil {
			addErr(rowError(line, cols.nuiName, raw, *p))
			continue
		}
		if first, dup := seen[string(n)]; dup {
			addErr(rowError(line, cols.nuiName, raw, duplicateProblem(first)))
			continue
		}
		seen[string(n)] = line
		e := Entry{NUI: n, Nombres: value(rec, cols.names), Referencia: value(rec, cols.ref), Line: line}
		if len(cols.vars) > 0 {
			e.Vars = make(map[string]string, len(cols.vars))
			for _, c := range cols.vars {
				e.Vars[c.name] = value(rec, c.index)
			}
		}
		res.Entries = append(res.Entries, e)
	}
	if opt.Progress != nil {
		opt.Progress(res.Rows)
	}
	return res, nil
}

type column struct {
	name  string // normalised
	index int
}

type columns struct {
	nui, names, ref int
	nuiName         string // as written, for reports
	vars            []column
}

func readHeader(hdr []string) (columns, error) {
	c := columns{nui: -1, names: -1, ref: -1}
	seen := map[string]bool{}
	for i, h := range hdr {
		orig := cleanValue(strings.ToValidUTF8(h, "\uFFFD"))
		name := normHeader(orig)
		if name == "" {
			if orig != "" {
				name = "columna_" + strconv.Itoa(i+1)
			} else {
				continue // an unnamed column, as trailing separators make: ignored
			}
		}
		if seen[name] || nuiHeaders[name] && c.nui >= 0 {
			return c, fmt.Errorf("%w: «%s»", ErrDuplicateColumn, orig)
		}
		seen[name] = true
		switch {
		case nuiHeaders[name]:
			c.nui, c.nuiName = i, orig
		case nameHeaders[name] && c.names < 0:
			c.names = i
		case refHeaders[name] && c.ref < 0:
			c.ref = i
		default:
			c.vars = append(c.vars, column{name, i})
		}
	}
	if c.nui < 0 {
		for _, h := range hdr {
			v := cleanValue(h)
			if _, p := checkNUI(v); p == nil || p.code == probLeadingZero.code || p.code == probScientific.code {
				return c, ErrHeaderIsData
			}
		}
		return c, ErrNoNUIColumn
	}
	return c, nil
}

// normHeader reduces a header to a placeholder-friendly name: lowercase ASCII
// letters, digits and single underscores, accents removed ("Cédula" → "cedula",
// "N.U.I." → "n_u_i", "Monto a pagar ($)" → "monto_a_pagar").
func normHeader(h string) string {
	var b strings.Builder
	under := false
	for _, r := range norm.NFD.String(strings.ToLower(h)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'ñ':
			r = 'n'
		case r == 'º' || r == '°' || r == 'ª':
			r = 'o'
		}
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		} else {
			under = true
		}
	}
	return b.String()
}

func emptyRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// longCell returns the index of the first cell over maxValueBytes, or -1.
func longCell(rec, hdr []string) int {
	for i, f := range rec {
		if i < len(hdr) && len(f) > maxValueBytes {
			return i
		}
	}
	return -1
}

// sepLine recognises Excel's "sep=;" first line.
func sepLine(peek []byte) (rune, bool) {
	line, _, _ := bytes.Cut(peek, []byte("\n"))
	line = bytes.TrimRight(line, "\r")
	if len(line) == 5 && bytes.EqualFold(line[:4], []byte("sep=")) {
		switch line[4] {
		case ',', ';', '\t', '|':
			return rune(line[4]), true
		}
	}
	return 0, false
}

// detectSep picks the separator that occurs most in the first line outside
// quotes; a one-column header has none, and then the comma is as good as any.
func detectSep(peek []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range peek {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		if c == ',' || c == ';' || c == '\t' {
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

// limitReader fails with ErrTooLarge once more than max bytes are read, rather
// than silently truncating the file.
type limitReader struct {
	r         io.Reader
	left, max int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w (máximo %s)", ErrTooLarge, size(l.max))
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func size(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatInt(n>>10, 10) + " KB"
}

// readErr passes a refusal through as is (its text is for people) and gives
// any other read failure its context.
func readErr(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("recipients: read: %w", err)
}
