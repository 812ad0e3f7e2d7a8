// Package registry looks people up in the civil registry (Registro Civil, DIGERCIC): the
// authority on whether a cédula was issued, to whom, when that person was born and whether
// the record is still valid. Registration and institution forms consult it through the
// Registry interface; File serves a registry exported to a CSV or JSON file (and tests),
// HTTP a registry web service, and Generate writes synthetic registries for development.
package registry

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"buzon/internal/nui"
)

// Registry answers who holds a cédula. Lookup returns ErrNotFound when the registry has no
// such person and an error matching ErrUnavailable when it cannot be asked right now;
// callers tell the two apart because the first is an answer and the second is not.
type Registry interface {
	Lookup(ctx context.Context, id nui.NUI) (Person, error)
}

// Person is what the civil registry says about the holder of a cédula.
type Person struct {
	NUI         nui.NUI
	GivenNames  string    // "María José"
	Surnames    string    // "Guamán Ortiz"
	BirthDate   time.Time // a calendar date, at UTC midnight
	Nationality string    // as the registry writes it, e.g. "ECUATORIANA", "VENEZOLANA"
	Status      Status
}

// FullName returns the names in reading order, given names first ("María José Guamán Ortiz").
func (p Person) FullName() string {
	return strings.TrimSpace(p.GivenNames + " " + p.Surnames)
}

// IsEcuadorian reports whether the registry records the person's nationality as Ecuadorian;
// others holding a cédula are resident foreigners.
func (p Person) IsEcuadorian() bool {
	return strings.EqualFold(strings.TrimSpace(p.Nationality), Ecuadorian)
}

// Ecuadorian is the nationality the registry writes for Ecuadorians.
const Ecuadorian = "ECUATORIANA"

// Status is the state of a cédula's record in the registry. Its values are the Spanish
// words used on the wire (files, the web service) and in storage.
type Status string

// The registry statuses. Only a valid record may hold a buzón.
const (
	StatusValid     Status = "vigente"   // the person is alive and the cédula in force
	StatusDeceased  Status = "fallecido" // the registry recorded the person's death
	StatusCancelled Status = "cancelado" // the cédula was cancelled (e.g. duplicate or fraud)
)

// ParseStatus reads a status as written on the wire; case and surrounding spaces are ignored.
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case StatusValid, StatusDeceased, StatusCancelled:
		return st, nil
	}
	return "", fmt.Errorf("unknown status %q (want %q, %q or %q)", s, StatusValid, StatusDeceased, StatusCancelled)
}

// Error is a lookup outcome a person may be shown: a stable code, a Spanish sentence (its
// Error text) and an English twin. Compare the sentinels with errors.Is.
type Error struct {
	code    string
	spanish string
	english string
}

// Error returns the Spanish sentence, the one the UI shows by default.
func (e *Error) Error() string { return e.spanish }

// Code returns the stable identifier of the outcome, for translations, logs and the API.
func (e *Error) Code() string { return e.code }

// English returns the outcome as an English sentence.
func (e *Error) English() string { return e.english }

var (
	// ErrNotFound means the registry answered that no person holds the cédula.
	ErrNotFound = &Error{"registry.not_found",
		"la cédula no consta en el Registro Civil",
		"the identity card number is not in the civil registry"}

	// ErrUnavailable means the registry could not be asked (network failure, timeout,
	// server error, broken answer). Returned errors wrap it with the cause for the log;
	// the person should be told to try again later.
	ErrUnavailable = &Error{"registry.unavailable",
		"no se pudo consultar el Registro Civil; intente nuevamente más tarde",
		"the civil registry could not be reached; please try again later"}
)

// Func adapts a function to the Registry interface, for tests that need a registry that
// fails or counts its calls.
type Func func(ctx context.Context, id nui.NUI) (Person, error)

// Lookup calls f.
func (f Func) Lookup(ctx context.Context, id nui.NUI) (Person, error) { return f(ctx, id) }

// Memory is an in-memory registry for tests, safe for concurrent use. Unlike File it does
// not validate what it is given, so tests can build any record they need.
type Memory struct {
	mu     sync.RWMutex
	people map[nui.NUI]Person
}

// NewMemory returns a registry holding people; a later duplicate replaces an earlier one.
func NewMemory(people []Person) *Memory {
	m := &Memory{people: make(map[nui.NUI]Person, len(people))}
	for _, p := range people {
		m.people[p.NUI] = p
	}
	return m
}

// Put adds or replaces a person, e.g. to record a death in the middle of a test.
func (m *Memory) Put(p Person) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.people[p.NUI] = p
}

// Lookup returns the person holding id, or ErrNotFound.
func (m *Memory) Lookup(ctx context.Context, id nui.NUI) (Person, error) {
	if err := ctx.Err(); err != nil {
		return Person{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, ok := m.people[id]
	if !ok {
		return Person{}, ErrNotFound
	}
	return p, nil
}

var (
	_ Registry = (*Memory)(nil)
	_ Registry = (*File)(nil)
	_ Registry = (*HTTP)(nil)
	_ Registry = Func(nil)
)
