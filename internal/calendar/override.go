package calendar

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// OverrideKind says what a decree does to a day.
type OverrideKind uint8

// The zero OverrideKind is invalid, so a forgotten kind is caught.
const (
	// Feriado makes a day non-working (a holiday added or moved by decree).
	Feriado OverrideKind = iota + 1
	// Laborable makes a holiday a working day (a holiday cancelled or moved
	// away by decree). It cannot apply to a Saturday or a Sunday.
	Laborable
)

// String returns the kind as written in override files: "feriado" or "laborable".
func (k OverrideKind) String() string {
	switch k {
	case Feriado:
		return "feriado"
	case Laborable:
		return "laborable"
	}
	return fmt.Sprintf("OverrideKind(%d)", uint8(k))
}

// MarshalText writes the kind as in override files.
func (k OverrideKind) MarshalText() ([]byte, error) {
	if k != Feriado && k != Laborable {
		return nil, fmt.Errorf("marshal override kind %d: %w", uint8(k), ErrUnknownKind)
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads "feriado" or "laborable", ignoring case and surrounding spaces.
func (k *OverrideKind) UnmarshalText(b []byte) error {
	switch strings.ToLower(strings.TrimSpace(string(b))) {
	case "feriado":
		*k = Feriado
	case "laborable":
		*k = Laborable
	default:
		return fmt.Errorf("override kind %q: %w", b, ErrUnknownKind)
	}
	return nil
}

// Override is one decree's effect on one day, which corrects the holidays the
// Código del Trabajo rules give. Name is shown to people: required for a
// Feriado, optional for a Laborable (e.g. the decree's number).
type Override struct {
	Date Date         `json:"date"`
	Kind OverrideKind `json:"kind"`
	Name string       `json:"name,omitempty"`
}

const (
	maxNameRunes      = 100
	maxOverridesBytes = 1 << 20
)

// ParseOverrides reads the overrides an administrator uploads, either as CSV
// (columns date,kind,name — "2026-11-04,feriado,Traslado por decreto"; an
// optional header row "date,kind,name" or "fecha,tipo,nombre"; lines starting
// with # ignored; ";" accepted as separator as spreadsheets in Spanish write
// it) or as a JSON array of {"date","kind","name"} objects. It checks every
// record as [New] would and reports the first bad one as an *OverrideError.
func ParseOverrides(r io.Reader) ([]Override, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxOverridesBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read overrides: %w", err)
	}
	if len(data) > maxOverridesBytes {
		return nil, &OverrideError{Err: ErrTooLarge}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // spreadsheets export a BOM
	if !utf8.Valid(data) {
		return nil, &OverrideError{Err: fmt.Errorf("%w (el texto no está en UTF-8)", ErrMalformed)}
	}
	if t := bytes.TrimLeftFunc(data, unicode.IsSpace); len(t) > 0 && (t[0] == '[' || t[0] == '{') {
		return parseOverridesJSON(data)
	}
	return parseOverridesCSV(data)
}

func parseOverridesJSON(data []byte) ([]Override, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &OverrideError{Err: fmt.Errorf("%w (%v)", ErrMalformed, err)}
	}
	list := make([]Override, 0, len(raw))
	for i, m := range raw {
		var o Override
		dec := json.NewDecoder(bytes.NewReader(m))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			// Date and kind errors are already ours; anything else is shape.
			var ce *Error
			if !errors.As(err, &ce) {
				err = fmt.Errorf("%w (%v)", ErrMalformed, err)
			}
			return nil, &OverrideError{Entry: i + 1, Err: err}
		}
		o.Name = strings.TrimSpace(o.Name)
		list = append(list, o)
	}
	if i, err := checkOverrides(list); err != nil {
		return nil, &OverrideError{Entry: i + 1, Err: err}
	}
	return list, nil
}

func parseOverridesCSV(data []byte) ([]Override, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comma = sniffComma(data)
	var (
		list  []Override
		lines []int
	)
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, &OverrideError{Line: line, Err: fmt.Errorf("%w (%v)", ErrMalformed, err)}
		}
		line, _ := cr.FieldPos(0)
		if first && isHeader(rec) {
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		o, err := overrideFromRecord(rec)
		if err != nil {
			return nil, &OverrideError{Line: line, Err: err}
		}
		list = append(list, o)
		lines = append(lines, line)
	}
	if i, err := checkOverrides(list); err != nil {
		return nil, &OverrideError{Line: lines[i], Err: err}
	}
	return list, nil
}

// sniffComma picks ";" when it comes before any comma in the first data line.
func sniffComma(data []byte) rune {
	for line := range bytes.Lines(data) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if i := bytes.IndexAny(line, ",;"); i >= 0 && line[i] == ';' {
			return ';'
		}
		break
	}
	return ','
}

func isHeader(rec []string) bool {
	h := strings.ToLower(strings.TrimSpace(rec[0]))
	return h == "date" || h == "fecha"
}

func overrideFromRecord(rec []string) (Override, error) {
	if len(rec) < 2 || len(rec) > 3 {
		return Override{}, fmt.Errorf("%w (se esperaban 2 o 3 columnas y hay %d)", ErrMalformed, len(rec))
	}
	d, err := ParseDate(strings.TrimSpace(rec[0]))
	if err != nil {
		return Override{}, err
	}
	o := Override{Date: d}
	if err := o.Kind.UnmarshalText([]byte(rec[1])); err != nil {
		return Override{}, err
	}
	if len(rec) == 3 {
		o.Name = strings.TrimSpace(rec[2])
	}
	return o, nil
}

// checkOverrides validates a list as a whole and returns the index of the
// first bad override.
func checkOverrides(list []Override) (int, error) {
	seen := make(map[Date]bool, len(list))
	for i, o := range list {
		if err := o.check(); err != nil {
			return i, err
		}
		if seen[o.Date] {
			return i, fmt.Errorf("%s: %w", o.Date, ErrDuplicateDate)
		}
		seen[o.Date] = true
	}
	return 0, nil
}

func (o Override) check() error {
	if o.Date.IsZero() {
		return ErrInvalidDate
	}
	switch o.Kind {
	case Feriado:
		if o.Name == "" {
			return ErrInvalidName
		}
	case Laborable:
		if wd := o.Date.Weekday(); wd == time.Saturday || wd == time.Sunday {
			return fmt.Errorf("%s: %w", o.Date, ErrWeekendLaborable)
		}
	default:
		return ErrUnknownKind
	}
	if utf8.RuneCountInString(o.Name) > maxNameRunes || !utf8.ValidString(o.Name) ||
		strings.IndexFunc(o.Name, unicode.IsControl) >= 0 {
		return ErrInvalidName
	}
	return nil
}
