package eligibility

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/nui"
	"buzon/internal/registry"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// inEcuador returns the instant of a wall-clock time in Ecuador.
func inEcuador(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, Ecuador)
}

func person(id nui.NUI, birth time.Time, status registry.Status) registry.Person {
	return registry.Person{NUI: id, GivenNames: "María José", Surnames: "Guamán Ortiz",
		BirthDate: birth, Nationality: "ECUATORIANA", Status: status}
}

func TestCheckRefusals(t *testing.T) {
	now := inEcuador(2026, time.May, 17, 10, 0)
	reg := registry.NewMemory([]registry.Person{
		person("1714307103", date(1990, 5, 17), registry.StatusValid),
		person("1700000001", date(1970, 1, 1), registry.StatusDeceased),
		person("3000000004", date(1980, 1, 1), registry.StatusCancelled),
		person("0962467429", date(2010, 1, 1), registry.StatusValid),
		person("0100000009", date(1950, 1, 1), registry.StatusValid),
		person("2400000002", date(1990, 1, 1), "suspendido"),
	})
	tests := []struct {
		name    string
		raw     string
		want    error
		code    string
		spanish string
		english string
	}{
		{"eligible", " 1714307103 ", nil, "", "", ""},
		{"malformed cédula passes through", "1714307104", nui.ErrCheckDigit, "nui.check_digit",
			"el dígito verificador no corresponde", "the check digit does not match"},
		{"unknown province passes through", "2500000001", nui.ErrProvince, "nui.province", "código de provincia inválido", "invalid province code"},
		{"not in registry", "1100000007", ErrNotInRegistry, "eligibility.not_in_registry",
			"la cédula no consta en el Registro Civil", "the identity card number is not in the civil registry"},
		{"deceased", "1700000001", ErrDeceased, "eligibility.deceased",
			"el Registro Civil registra como fallecida a la persona titular de esta cédula",
			"the civil registry records the holder of this identity card as deceased"},
		{"cancelled", "3000000004", ErrCancelled, "eligibility.cancelled",
			"la cédula está cancelada en el Registro Civil; acérquese a una agencia del Registro Civil",
			"the identity card has been cancelled by the civil registry; please visit a civil registry office"},
		{"minor", "0962467429", ErrTooYoung, "eligibility.too_young",
			"debe tener al menos 18 años para registrarse", "you must be at least 18 years old to register"},
		{"76 years old", "0100000009", ErrTooOld, "eligibility.too_old",
			"el registro está disponible para personas menores de 65 años", "registration is open to people under 65 years of age"},
		{"unknown status is not eligible", "2400000002", registry.ErrUnavailable, "registry.unavailable", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DefaultPolicy().Check(context.Background(), reg, tt.raw, now)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want eligible", tt.raw, err)
				}
				if got.NUI != "1714307103" || got.FullName() != "María José Guamán Ortiz" {
					t.Errorf("Check returned %+v", got)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Check(%q) = %v, want %v", tt.raw, err, tt.want)
			}
			if diff := cmp.Diff(registry.Person{}, got); diff != "" {
				t.Errorf("a refusal returned the person (-want +got):\n%s", diff)
			}
			var coded interface {
				error
				Code() string
				English() string
			}
			if !errors.As(err, &coded) {
				t.Fatalf("refusal %v carries no code", err)
			}
			if coded.Code() != tt.code {
				t.Errorf("code = %q, want %q", coded.Code(), tt.code)
			}
			if tt.spanish != "" && (coded.Error() != tt.spanish || coded.English() != tt.english) {
				t.Errorf("texts = %q / %q, want %q / %q", coded.Error(), coded.English(), tt.spanish, tt.english)
			}
		})
	}
}

func TestCheckRegistryUnavailable(t *testing.T) {
	down := registry.Func(func(context.Context, nui.NUI) (registry.Person, error) {
		return registry.Person{}, registry.ErrUnavailable
	})
	_, err := DefaultPolicy().Check(context.Background(), down, "1714307103", time.Now())
	if !errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("Check = %v, want registry.ErrUnavailable", err)
	}
	var asked bool
	counting := registry.Func(func(context.Context, nui.NUI) (registry.Person, error) {
		asked = true
		return registry.Person{}, registry.ErrNotFound
	})
	if _, err := DefaultPolicy().Check(context.Background(), counting, "17143071", time.Now()); !errors.Is(err, nui.ErrLength) || asked {
		t.Errorf("malformed cédula: Check = %v, registry asked %v; want nui.ErrLength without asking", err, asked)
	}
}

func TestCheckBoundaryDays(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		birth  time.Time
		now    time.Time
		want   error
	}{
		{"day before 18th birthday", DefaultPolicy(), date(2008, 5, 17), inEcuador(2026, 5, 16, 23, 59), ErrTooYoung},
		{"18th birthday at midnight in Ecuador", DefaultPolicy(), date(2008, 5, 17), inEcuador(2026, 5, 17, 0, 0), nil},
		{"18th birthday already in UTC, not yet in Ecuador", DefaultPolicy(), date(2008, 5, 17), time.Date(2026, 5, 17, 4, 59, 0, 0, time.UTC), ErrTooYoung},
		{"18th birthday at 05:00 UTC", DefaultPolicy(), date(2008, 5, 17), time.Date(2026, 5, 17, 5, 0, 0, 0, time.UTC), nil},
		{"evening of the day before 65th birthday", DefaultPolicy(), date(1961, 5, 17), inEcuador(2026, 5, 16, 23, 59), nil},
		{"65th birthday", DefaultPolicy(), date(1961, 5, 17), inEcuador(2026, 5, 17, 0, 0), ErrTooOld},
		{"65th birthday in UTC is still 64 in Ecuador", DefaultPolicy(), date(1961, 5, 17), time.Date(2026, 5, 17, 3, 0, 0, 0, time.UTC), nil},
		{"born 29 Feb: still 17 on 28 Feb of a common year", DefaultPolicy(), date(2008, 2, 29), inEcuador(2026, 2, 28, 12, 0), ErrTooYoung},
		{"born 29 Feb: 18 on 1 March of a common year", DefaultPolicy(), date(2008, 2, 29), inEcuador(2026, 3, 1, 0, 0), nil},
		{"born 29 Feb: 64 on 28 Feb of a common year", DefaultPolicy(), date(1960, 2, 29), inEcuador(2025, 2, 28, 23, 59), nil},
		{"born 29 Feb: 65 on 1 March of a common year", DefaultPolicy(), date(1960, 2, 29), inEcuador(2025, 3, 1, 0, 0), ErrTooOld},
		{"born 29 Feb: 16 on 29 Feb of a leap year", Policy{16, 70}, date(2008, 2, 29), inEcuador(2024, 2, 29, 0, 0), nil},
		{"born 29 Feb: 15 on 28 Feb of a leap year", Policy{16, 70}, date(2008, 2, 29), inEcuador(2024, 2, 28, 23, 59), ErrTooYoung},
		{"born 28 Feb: 18 on 28 Feb", DefaultPolicy(), date(2008, 2, 28), inEcuador(2026, 2, 28, 0, 0), nil},
		{"born 1 March: 17 on 28 Feb", DefaultPolicy(), date(2008, 3, 1), inEcuador(2026, 2, 28, 0, 0), ErrTooYoung},
		{"born 31 Dec: birthday on New Year's Eve", DefaultPolicy(), date(2007, 12, 31), inEcuador(2025, 12, 31, 0, 0), nil},
		{"born 1 Jan: day before is the year before", DefaultPolicy(), date(2008, 1, 1), inEcuador(2025, 12, 31, 23, 59), ErrTooYoung},
		{"custom bounds: 70th birthday refused", Policy{16, 70}, date(1956, 5, 17), inEcuador(2026, 5, 17, 8, 0), ErrTooOld},
		{"custom bounds: 69 accepted", Policy{16, 70}, date(1956, 5, 17), inEcuador(2026, 5, 16, 8, 0), nil},
		{"born in the future", DefaultPolicy(), date(2030, 1, 1), inEcuador(2026, 1, 1, 0, 0), ErrTooYoung},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := registry.NewMemory([]registry.Person{person("1714307103", tt.birth, registry.StatusValid)})
			_, err := tt.policy.Check(context.Background(), reg, "1714307103", tt.now)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("Check = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestAgeRefusalsNameTheBound(t *testing.T) {
	p := Policy{MinAge: 16, MaxAge: 70}
	now := inEcuador(2026, 5, 17, 12, 0)
	tests := []struct {
		birth            time.Time
		sentinel         error
		bound            int
		spanish, english string
	}{
		{date(2012, 1, 1), ErrTooYoung, 16, "debe tener al menos 16 años para registrarse", "you must be at least 16 years old to register"},
		{date(1940, 1, 1), ErrTooOld, 70, "el registro está disponible para personas menores de 70 años", "registration is open to people under 70 years of age"},
	}
	for _, tt := range tests {
		err := p.CheckPerson(person("1714307103", tt.birth, registry.StatusValid), now)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, tt.sentinel) {
			t.Fatalf("CheckPerson = %v, want %v", err, tt.sentinel)
		}
		got := []any{e.Bound(), e.Error(), e.English(), e.Code()}
		want := []any{tt.bound, tt.spanish, tt.english, tt.sentinel.(*Error).Code()}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("refusal mismatch (-want +got):\n%s", diff)
		}
	}
	if errors.Is(ErrTooYoung, ErrTooOld) || errors.Is(ErrDeceased, ErrCancelled) {
		t.Error("distinct refusals compare equal")
	}
	if ErrTooYoung.Bound() != 0 {
		t.Error("a sentinel names a bound")
	}
}

func TestCheckPersonAfterLookup(t *testing.T) {
	now := inEcuador(2026, 5, 17, 12, 0)
	if err := DefaultPolicy().CheckPerson(person("1714307103", date(1990, 5, 17), registry.StatusValid), now); err != nil {
		t.Errorf("CheckPerson = %v, want eligible", err)
	}
	if err := DefaultPolicy().CheckPerson(person("1714307103", date(1990, 5, 17), registry.StatusDeceased), now); !errors.Is(err, ErrDeceased) {
		t.Errorf("CheckPerson = %v, want ErrDeceased", err)
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		p  Policy
		ok bool
	}{
		{DefaultPolicy(), true},
		{Policy{16, 70}, true},
		{Policy{0, 1}, true},
		{Policy{}, false},
		{Policy{18, 18}, false},
		{Policy{65, 18}, false},
		{Policy{-1, 65}, false},
		{Policy{18, 1000}, false},
	}
	for _, tt := range tests {
		if err := tt.p.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v.Validate() = %v, want ok=%v", tt.p, err, tt.ok)
		}
	}
	reg := registry.NewMemory(nil)
	if _, err := (Policy{}).Check(context.Background(), reg, "1714307103", time.Now()); err == nil {
		t.Error("the zero Policy checked a cédula")
	}
}

func TestAge(t *testing.T) {
	tests := []struct {
		birth, now time.Time
		want       int
	}{
		{date(1990, 5, 17), inEcuador(2026, 5, 17, 0, 0), 36},
		{date(1990, 5, 17), inEcuador(2026, 5, 16, 23, 59), 35},
		{date(2000, 2, 29), inEcuador(2018, 2, 28, 12, 0), 17},
		{date(2000, 2, 29), inEcuador(2018, 3, 1, 12, 0), 18},
		{date(2000, 2, 29), inEcuador(2020, 2, 29, 12, 0), 20},
		{date(2026, 5, 17), inEcuador(2026, 5, 17, 12, 0), 0},
		// A birth date given in another zone is read as the calendar date it shows.
		{time.Date(1990, 5, 17, 0, 0, 0, 0, Ecuador), time.Date(2026, 5, 17, 5, 0, 0, 0, time.UTC), 36},
	}
	for _, tt := range tests {
		if got := Age(tt.birth, tt.now); got != tt.want {
			t.Errorf("Age(%s, %s) = %d, want %d", tt.birth.Format(time.DateOnly), tt.now, got, tt.want)
		}
	}
}

func TestRefusalCodesAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range []*Error{ErrNotInRegistry, ErrDeceased, ErrCancelled, ErrTooYoung, ErrTooOld} {
		if seen[e.Code()] || e.Error() == "" || e.English() == "" {
			t.Errorf("refusal %q: duplicate code or empty text", e.Code())
		}
		seen[e.Code()] = true
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"1714307103", "1714307104", "", "171430710-3", "0962467429"} {
		f.Add(s)
	}
	reg := registry.NewMemory([]registry.Person{person("1714307103", date(1990, 5, 17), registry.StatusValid)})
	now := inEcuador(2026, 5, 17, 12, 0)
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := DefaultPolicy().Check(context.Background(), reg, raw, now)
		if err == nil {
			if p.NUI != "1714307103" {
				t.Fatalf("Check(%q) accepted %q", raw, p.NUI)
			}
			return
		}
		var coded interface{ Code() string }
		if !errors.As(err, &coded) {
			t.Fatalf("Check(%q) = %v, carrying no code", raw, err)
		}
	})
}
