// Package eligibility decides whether a person may hold a buzón: an Ecuadorian or resident
// foreigner whose cédula the civil registry holds as valid, of age and under the upper age
// bound when registering. It is checked at every registration, virtual or in person.
//
// Nationality is not checked: every cédula holder in the registry is either Ecuadorian or
// a foreigner with legal residence, both of whom are eligible.
package eligibility

import (
	"context"
	"errors"
	"fmt"
	"time"

	"buzon/internal/nui"
	"buzon/internal/registry"
)

// Ecuador is mainland Ecuador's time zone (UTC−5, no daylight saving time), in which
// birthdays are counted. It is fixed here rather than loaded, so no tzdata is needed.
var Ecuador = time.FixedZone("ECT", -5*3600)

// Policy holds the age bounds of eligibility: a person is eligible when MinAge ≤ age <
// MaxAge. They are configuration, not law fixed in code; the zero Policy is invalid.
type Policy struct {
	MinAge int // the age of majority, 18 by default
	MaxAge int // the first age no longer eligible, 65 by default
}

// DefaultPolicy returns the bounds of the product description: 18 and over, under 65.
func DefaultPolicy() Policy { return Policy{MinAge: 18, MaxAge: 65} }

// Validate reports a policy no one could satisfy or that makes no sense, so a bad
// configuration is caught at start-up rather than at the first registration.
func (p Policy) Validate() error {
	if p.MinAge < 0 || p.MaxAge <= p.MinAge || p.MaxAge > 200 {
		return fmt.Errorf("eligibility policy: ages %d to %d: want 0 ≤ minimum < maximum ≤ 200", p.MinAge, p.MaxAge)
	}
	return nil
}

// Check decides whether the holder of the cédula raw may register now, returning what
// the registry says about him when he may. Refusals, in the order checked:
//
//   - the cédula is malformed: the nui package's error, unwrapped (e.g. nui.ErrCheckDigit);
//   - the registry cannot be asked: an error matching registry.ErrUnavailable;
//   - ErrNotInRegistry, ErrDeceased, ErrCancelled;
//   - ErrTooYoung, ErrTooOld, as an *Error that names the bound (see Error.Bound).
//
// The person is returned only when eligible. The refusals say things about a real person
// (that he died, his age bracket): a public page should show them only to that person,
// e.g. after he proved who he is, and a generic sentence otherwise.
func (p Policy) Check(ctx context.Context, reg registry.Registry, raw string, now time.Time) (registry.Person, error) {
	if err := p.Validate(); err != nil {
		return registry.Person{}, err
	}
	id, err := nui.Parse(raw)
	if err != nil {
		return registry.Person{}, err
	}
	person, err := reg.Lookup(ctx, id)
	switch {
	case errors.Is(err, registry.ErrNotFound):
		return registry.Person{}, ErrNotInRegistry
	case err != nil:
		return registry.Person{}, fmt.Errorf("eligibility of %s: %w", id.Masked(), err)
	}
	if err := p.CheckPerson(person, now); err != nil {
		return registry.Person{}, err
	}
	return person, nil
}

// CheckPerson applies the status and age rules to a person already looked up, e.g. to
// check again when an in-person registration is activated days later.
func (p Policy) CheckPerson(person registry.Person, now time.Time) error {
	if err := p.Validate(); err != nil {
		return err
	}
	switch person.Status {
	case registry.StatusValid:
	case registry.StatusDeceased:
		return ErrDeceased
	case registry.StatusCancelled:
		return ErrCancelled
	default:
		return fmt.Errorf("eligibility of %s: unknown registry status %q: %w", person.NUI.Masked(), person.Status, registry.ErrUnavailable)
	}
	age := Age(person.BirthDate, now)
	if age < p.MinAge {
		return ErrTooYoung.withBound(p.MinAge,
			fmt.Sprintf("debe tener al menos %d años para registrarse", p.MinAge),
			fmt.Sprintf("you must be at least %d years old to register", p.MinAge))
	}
	if age >= p.MaxAge {
		return ErrTooOld.withBound(p.MaxAge,
			fmt.Sprintf("el registro está disponible para personas menores de %d años", p.MaxAge),
			fmt.Sprintf("registration is open to people under %d years of age", p.MaxAge))
	}
	return nil
}

// Age returns the age in whole years, on the day that now is in Ecuador, of a person born
// on birth's calendar date (read in birth's own location: the registry gives dates at UTC
// midnight). A birthday on 29 February is reached on 1 March in common years.
func Age(birth, now time.Time) int {
	by, bm, bd := birth.Date()
	ny, nm, nd := now.In(Ecuador).Date()
	age := ny - by
	if nm < bm || (nm == bm && nd < bd) {
		age--
	}
	return age
}
