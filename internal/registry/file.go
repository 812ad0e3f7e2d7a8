package registry

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"buzon/internal/nui"
)

// The file formats Open, Read and Generate know.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
)

// FormatOf tells a registry file's format from its extension (.csv or .json, any case).
func FormatOf(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv":
		return FormatCSV, nil
	case ".json":
		return FormatJSON, nil
	default:
		return "", fmt.Errorf("cannot tell the format of %q from its extension %q: want .csv or .json", path, ext)
	}
}

// RowError reports a record of a registry file that was refused, with where it is, so an
// operator can fix the export.
type RowError struct {
	Path  string // the file, empty when reading from a stream
	Line  int    // 1-based line where the record starts
	Field string // the wire field refused, empty when the record as a whole is
	Err   error
}

// Error reads "path:line: field: cause", the form editors and terminals link to.
func (e *RowError) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(":")
	}
	fmt.Fprintf(&b, "%d: ", e.Line)
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap gives the cause, e.g. nui.ErrCheckDigit for a bad cédula.
func (e *RowError) Unwrap() error { return e.Err }

// File is a registry loaded whole into memory from an export, validated row by row, and
// read-only afterwards, so safe for concurrent use. Records are kept compact and sorted by
// cédula: a million people take about 150 MB.
type File struct {
	recs []record
}

// record is a person packed for memory: the cédula as a number, the birth date as days.
type record struct {
	id          uint64
	given       string
	surnames    string
	nationality string
	status      Status
	birth       int32 // days since 1970-01-01
	line        int32 // where it was read, to report duplicates
}

// Open loads a registry file, choosing CSV or JSON by its extension (see FormatOf). A CSV
// file has the header nui,given_names,surnames,birth_date,nationality,status (columns in
// any order); a JSON file is an array of objects with those fields. Every record is
// validated; the first bad one fails the whole load with a *RowError naming line and field.
func Open(path string) (*File, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open registry: %w", err)
	}
	defer f.Close()
	reg, err := Read(f, format)
	if err != nil {
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			rowErr.Path = path
			return nil, rowErr
		}
		return nil, fmt.Errorf("read registry %s: %w", path, err)
	}
	return reg, nil
}

// Read loads a registry in the given format (FormatCSV or FormatJSON) from r, like Open.
func Read(r io.Reader, format string) (*File, error) {
	var (
		recs []record
		err  error
	)
	switch format {
	case FormatCSV:
		recs, err = readCSV(r)
	case FormatJSON:
		recs, err = readJSON(r)
	default:
		return nil, fmt.Errorf("unknown registry format %q: want %q or %q", format, FormatCSV, FormatJSON)
	}
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(recs, func(a, b record) int { return cmp.Compare(a.id, b.id) })
	for i := 1; i < len(recs); i++ {
		if recs[i].id == recs[i-1].id {
			return nil, &RowError{Line: int(recs[i].line), Field: "nui",
				Err: fmt.Errorf("duplicate N.U.I., already on line %d", recs[i-1].line)}
		}
	}
	return &File{recs: slices.Clip(recs)}, nil
}

// Len returns how many people the file holds.
func (f *File) Len() int { return len(f.recs) }

// All yields every person in the file, in cédula order, for tools that check or convert it.
func (f *File) All() iter.Seq[Person] {
	return func(yield func(Person) bool) {
		for i := range f.recs {
			if !yield(f.recs[i].person()) {
				return
			}
		}
	}
}

// Lookup returns the person holding id, or ErrNotFound.
func (f *File) Lookup(ctx context.Context, id nui.NUI) (Person, error) {
	if err := ctx.Err(); err != nil {
		return Person{}, err
	}
	key, ok := idKey(id)
	if !ok {
		return Person{}, ErrNotFound
	}
	i, found := slices.BinarySearchFunc(f.recs, key, func(r record, k uint64) int { return cmp.Compare(r.id, k) })
	if !found {
		return Person{}, ErrNotFound
	}
	return f.recs[i].person(), nil
}

func (r record) person() Person {
	return Person{
		NUI:         nui.NUI(fmt.Sprintf("%010d", r.id)),
		GivenNames:  r.given,
		Surnames:    r.surnames,
		BirthDate:   time.Unix(int64(r.birth)*86400, 0).UTC(),
		Nationality: r.nationality,
		Status:      r.status,
	}
}

// idKey packs a ten-digit cédula into a number.
func idKey(id nui.NUI) (uint64, bool) {
	if len(id) != 10 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(id), 10, 64)
	return v, err == nil
}

// packer turns validated people into records, sharing the repeated nationality strings.
type packer struct {
	nationalities map[string]string
}

func (pk *packer) pack(p Person, line int) record {
	if pk.nationalities == nil {
		pk.nationalities = map[string]string{}
	}
	nat, ok := pk.nationalities[p.Nationality]
	if !ok {
		nat = p.Nationality
		pk.nationalities[nat] = nat
	}
	key, _ := idKey(p.NUI) // p.NUI was validated
	return record{
		id:          key,
		given:       p.GivenNames,
		surnames:    p.Surnames,
		nationality: nat,
		status:      p.Status,
		birth:       int32(p.BirthDate.Unix() / 86400),
		line:        int32(min(line, 1<<31-1)),
	}
}

func readCSV(r io.Reader) ([]record, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &RowError{Line: 1, Err: errors.New("empty file: want the header " + strings.Join(fields[:], ","))}
	}
	if err != nil {
		return nil, csvError(err)
	}
	col, err := columns(header)
	if err != nil {
		return nil, &RowError{Line: 1, Err: err}
	}
	var (
		recs []record
		pk   packer
	)
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		w := wirePerson{
			NUI:         row[col[0]],
			GivenNames:  row[col[1]],
			Surnames:    row[col[2]],
			BirthDate:   row[col[3]],
			Nationality: row[col[4]],
			Status:      row[col[5]],
		}
		line, _ := cr.FieldPos(0)
		p, ferr := w.person()
		if ferr != nil {
			return nil, &RowError{Line: line, Field: ferr.field, Err: ferr.err}
		}
		recs = append(recs, pk.pack(p, line))
	}
}

// columns maps the wire fields to their position in a CSV header, which must name each
// exactly once and nothing else.
func columns(header []string) ([len(fields)]int, error) {
	var col [len(fields)]int
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF") // spreadsheets write a BOM
	}
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		j := slices.Index(fields[:], name)
		switch {
		case j < 0:
			return col, fmt.Errorf("unknown column %q: want the header %s", h, strings.Join(fields[:], ","))
		case seen[name]:
			return col, fmt.Errorf("column %q twice", name)
		}
		seen[name] = true
		col[j] = i
	}
	for _, f := range fields {
		if !seen[f] {
			return col, fmt.Errorf("missing column %q: want the header %s", f, strings.Join(fields[:], ","))
		}
	}
	return col, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &RowError{Line: pe.StartLine, Err: pe.Err}
	}
	return fmt.Errorf("read csv: %w", err)
}

func readJSON(r io.Reader) ([]record, error) {
	li := &lineIndex{r: r}
	dec := json.NewDecoder(li)
	tok, err := dec.Token()
	if err != nil {
		return nil, li.jsonError(err, 0)
	}
	if tok != json.Delim('[') {
		return nil, &RowError{Line: li.line(0), Err: errors.New("want a JSON array of people")}
	}
	var (
		recs []record
		pk   packer
	)
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			// A syntax error inside a value counts its offset from where the value began.
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return nil, &RowError{Line: li.line(dec.InputOffset() + max(se.Offset-1, 0)), Err: err}
			}
			return nil, li.jsonError(err, dec.InputOffset())
		}
		start := dec.InputOffset() - int64(len(raw))
		line := li.line(start)
		li.forget(start)
		var w wirePerson
		if err := decodeStrict(raw, &w); err != nil {
			return nil, &RowError{Line: line, Field: jsonField(err), Err: err}
		}
		p, ferr := w.person()
		if ferr != nil {
			return nil, &RowError{Line: line, Field: ferr.field, Err: ferr.err}
		}
		recs = append(recs, pk.pack(p, line))
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return nil, li.jsonError(err, dec.InputOffset())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &RowError{Line: li.line(dec.InputOffset()), Err: errors.New("data after the closing bracket")}
	}
	return recs, nil
}

// decodeStrict decodes one JSON value into v, refusing unknown fields and trailing data.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// jsonField extracts the field a decoding error is about, when it says.
func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	if _, name, ok := strings.Cut(err.Error(), "unknown field "); ok {
		return strings.Trim(name, `"`)
	}
	return ""
}

// lineIndex remembers where the newlines passing through a reader are, so an offset the
// JSON decoder reports can be told as a line. Offsets before the record being decoded are
// forgotten as it goes, so the index stays small on large files.
type lineIndex struct {
	r         io.Reader
	read      int64   // bytes read so far
	newlines  []int64 // offsets of the newlines still remembered
	forgotten int     // newlines dropped from the front
}

func (l *lineIndex) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.newlines = append(l.newlines, l.read+int64(i))
		}
	}
	l.read += int64(n)
	return n, err
}

// line returns the 1-based line of offset.
func (l *lineIndex) line(offset int64) int {
	return l.forgotten + sort.Search(len(l.newlines), func(i int) bool { return l.newlines[i] >= offset }) + 1
}

// forget drops the newlines before offset.
func (l *lineIndex) forget(offset int64) {
	i := sort.Search(len(l.newlines), func(i int) bool { return l.newlines[i] >= offset })
	l.forgotten += i
	l.newlines = l.newlines[i:]
}

// jsonError places a decoder error on its line: a syntax error knows its offset, others
// are placed at where the decoder stopped.
func (l *lineIndex) jsonError(err error, at int64) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		at = se.Offset
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = errors.New("unexpected end of file")
		at = l.read
	}
	return &RowError{Line: l.line(at), Err: err}
}
