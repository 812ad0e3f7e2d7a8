package registry

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"buzon/internal/nui"
)

// MaxGenerate is the most people one synthetic registry can hold: the serials of a single
// province, so that no province ever runs out of unique cédulas.
const MaxGenerate = serialSpace

// serialSpace counts the seven-digit serials with a third digit 0–5, a natural person's.
const serialSpace = 6_000_000

// generateReference is the day synthetic ages are counted to. It is fixed, not today, so
// that a seed always gives the same file; ages drift by a year each year after it.
var generateReference = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// Generate writes a synthetic registry of n people in format (FormatCSV or FormatJSON), the
// same for the same seed. Cédulas are valid and unique, spread over the provinces about as
// the population is; names are realistic Ecuadorian ones (two given names, two surnames).
// Counted on 1 January 2026 (a fixed date, so that a seed always gives the same file),
// about 7% are minors, 81% are 18–64 and 12% are 65 or older; about 2% are deceased and
// 0.5% cancelled; about 5% are resident foreigners. People are written as they are made,
// so n may be a million or more without holding them in memory.
func Generate(w io.Writer, n int, seed int64, format string) error {
	if n < 0 || n > MaxGenerate {
		return fmt.Errorf("generate registry: %d people: want 0 to %d", n, MaxGenerate)
	}
	var (
		write  func(Person) error
		finish func() error
	)
	switch format {
	case FormatCSV:
		cw := csv.NewWriter(bufio.NewWriterSize(w, 64<<10))
		if err := cw.Write(fields[:]); err != nil {
			return fmt.Errorf("generate registry: %w", err)
		}
		row := make([]string, len(fields))
		write = func(p Person) error {
			wp := p.wire()
			row[0], row[1], row[2], row[3], row[4], row[5] = wp.NUI, wp.GivenNames, wp.Surnames, wp.BirthDate, wp.Nationality, wp.Status
			return cw.Write(row)
		}
		finish = func() error {
			cw.Flush()
			return cw.Error()
		}
	case FormatJSON:
		bw := bufio.NewWriterSize(w, 64<<10)
		sep := "[\n  "
		write = func(p Person) error {
			b, err := json.Marshal(p)
			if err != nil {
				return err
			}
			bw.WriteString(sep)
			sep = ",\n  "
			_, err = bw.Write(b)
			return err
		}
		finish = func() error {
			if sep == "[\n  " {
				bw.WriteString("[")
			}
			bw.WriteString("\n]\n")
			return bw.Flush()
		}
	default:
		return fmt.Errorf("generate registry: unknown format %q: want %q or %q", format, FormatCSV, FormatJSON)
	}
	g := newGenerator(seed)
	for range n {
		if err := write(g.next()); err != nil {
			return fmt.Errorf("generate registry: %w", err)
		}
	}
	if err := finish(); err != nil {
		return fmt.Errorf("generate registry: %w", err)
	}
	return nil
}

// generator makes synthetic people. Each province walks its serials through its own
// random permutation (k ↦ a·k + b mod serialSpace, a coprime with it), which gives unique
// cédulas that look random without remembering the ones already given.
type generator struct {
	rng   *rand.Rand
	perms map[int]*permutation
}

type permutation struct{ a, b, next int }

func newGenerator(seed int64) *generator {
	return &generator{
		rng:   rand.New(rand.NewPCG(uint64(seed), 0x62757a6f6e)),
		perms: map[int]*permutation{},
	}
}

func (g *generator) next() Person {
	p := Person{
		NUI:         g.cedula(),
		Surnames:    pick(g.rng, surnames) + " " + pick(g.rng, surnames),
		Nationality: Ecuadorian,
		Status:      StatusValid,
	}
	pool := maleNames
	if g.rng.IntN(2) == 0 {
		pool = femaleNames
	}
	first := pick(g.rng, pool)
	second := pick(g.rng, pool)
	for second == first {
		second = pick(g.rng, pool)
	}
	p.GivenNames = first + " " + second

	var age int
	switch x := g.rng.IntN(100); {
	case x < 7:
		age = g.rng.IntN(18)
	case x < 88:
		age = 18 + g.rng.IntN(47)
	default:
		age = 65 + g.rng.IntN(31)
	}
	// Born on a day that makes the person exactly age years old at the reference date.
	latest := generateReference.AddDate(-age, 0, 0)
	earliest := generateReference.AddDate(-age-1, 0, 1)
	days := int(latest.Sub(earliest).Hours()/24) + 1
	p.BirthDate = earliest.AddDate(0, 0, g.rng.IntN(days))

	deceasedPerMille := 10
	if age >= 65 {
		deceasedPerMille = 90
	}
	switch x := g.rng.IntN(1000); {
	case x < deceasedPerMille:
		p.Status = StatusDeceased
	case x < deceasedPerMille+5:
		p.Status = StatusCancelled
	}
	if g.rng.IntN(100) < 5 {
		p.Nationality = pickWeighted(g.rng, foreignNationalities)
	}
	return p
}

// cedula returns the next unused cédula of a province drawn by population weight.
func (g *generator) cedula() nui.NUI {
	prov := pickWeighted(g.rng, provinceWeights)
	perm, ok := g.perms[prov]
	if !ok {
		a := 1 + g.rng.IntN(serialSpace-1)
		for gcd(a, serialSpace) != 1 {
			a = 1 + g.rng.IntN(serialSpace-1)
		}
		perm = &permutation{a: a, b: g.rng.IntN(serialSpace)}
		g.perms[prov] = perm
	}
	// Generate refuses n > serialSpace, so no province runs out.
	serial := (perm.a*perm.next + perm.b) % serialSpace
	perm.next++
	id, err := nui.New(prov, serial)
	if err != nil {
		panic(fmt.Sprintf("registry: synthetic cédula for province %d serial %d: %v", prov, serial, err))
	}
	return id
}

func pick(r *rand.Rand, pool []string) string { return pool[r.IntN(len(pool))] }

func pickWeighted[T any](r *rand.Rand, pool []weighted[T]) T {
	total := 0
	for _, p := range pool {
		total += p.w
	}
	x := r.IntN(total)
	for _, p := range pool {
		if x < p.w {
			return p.v
		}
		x -= p.w
	}
	panic("unreachable")
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
