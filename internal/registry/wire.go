package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"buzon/internal/nui"
)

// The wire fields of a person, in the order CSV files and JSON objects carry them.
var fields = [...]string{"nui", "given_names", "surnames", "birth_date", "nationality", "status"}

// dateLayout is how birth dates travel: an ISO 8601 calendar date.
const dateLayout = "2006-01-02"

// wirePerson is a person as files and the web service carry it: every field a string.
type wirePerson struct {
	NUI         string `json:"nui"`
	GivenNames  string `json:"given_names"`
	Surnames    string `json:"surnames"`
	BirthDate   string `json:"birth_date"`
	Nationality string `json:"nationality"`
	Status      string `json:"status"`
}

func (p Person) wire() wirePerson {
	return wirePerson{
		NUI:         string(p.NUI),
		GivenNames:  p.GivenNames,
		Surnames:    p.Surnames,
		BirthDate:   p.BirthDate.Format(dateLayout),
		Nationality: p.Nationality,
		Status:      string(p.Status),
	}
}

// fieldError names the wire field a value was refused for.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// person validates and normalizes a wire record: names have their spaces collapsed, the
// status is lower-cased.
func (w wirePerson) person() (Person, *fieldError) {
	id, err := nui.Parse(w.NUI)
	if err != nil {
		return Person{}, &fieldError{"nui", err}
	}
	given, err := cleanText(w.GivenNames, 120)
	if err != nil {
		return Person{}, &fieldError{"given_names", err}
	}
	surnames, err := cleanText(w.Surnames, 120)
	if err != nil {
		return Person{}, &fieldError{"surnames", err}
	}
	birth, err := parseDate(w.BirthDate)
	if err != nil {
		return Person{}, &fieldError{"birth_date", err}
	}
	nationality, err := cleanText(w.Nationality, 60)
	if err != nil {
		return Person{}, &fieldError{"nationality", err}
	}
	status, err := ParseStatus(w.Status)
	if err != nil {
		return Person{}, &fieldError{"status", err}
	}
	return Person{
		NUI:         id,
		GivenNames:  given,
		Surnames:    surnames,
		BirthDate:   birth,
		Nationality: nationality,
		Status:      status,
	}, nil
}

func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(dateLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q (want YYYY-MM-DD)", s)
	}
	if t.Year() < 1880 {
		return time.Time{}, fmt.Errorf("implausible birth date %q", s)
	}
	return t, nil
}

var errEmpty = errors.New("empty")

// cleanText refuses empty, overlong, non-UTF-8 or control-character values and collapses
// runs of spaces, returning s itself when it is already clean.
func cleanText(s string, maxRunes int) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' {
			return "", fmt.Errorf("control character %U", r)
		}
	}
	clean := s
	if strings.TrimSpace(s) != s || strings.Contains(s, "  ") || strings.ContainsRune(s, '\t') {
		clean = strings.Join(strings.Fields(s), " ")
	}
	if clean == "" {
		return "", errEmpty
	}
	if n := utf8.RuneCountInString(clean); n > maxRunes {
		return "", fmt.Errorf("%d characters, more than %d", n, maxRunes)
	}
	return clean, nil
}

// MarshalJSON encodes the person as the wire contract's object (see CONTRACT.md).
func (p Person) MarshalJSON() ([]byte, error) { return json.Marshal(p.wire()) }

// UnmarshalJSON decodes and validates a wire contract object: every field is required and
// must be valid, unknown fields are refused.
func (p *Person) UnmarshalJSON(b []byte) error {
	var w wirePerson
	if err := decodeStrict(b, &w); err != nil {
		return err
	}
	v, ferr := w.person()
	if ferr != nil {
		return ferr
	}
	*p = v
	return nil
}
