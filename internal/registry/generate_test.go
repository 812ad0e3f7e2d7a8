package registry

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"buzon/internal/nui"
)

func TestGenerateIsDeterministicPerSeed(t *testing.T) {
	for _, format := range []string{FormatCSV, FormatJSON} {
		var a, b, c bytes.Buffer
		if err := Generate(&a, 500, 7, format); err != nil {
			t.Fatal(err)
		}
		Generate(&b, 500, 7, format)
		Generate(&c, 500, 8, format)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: the same seed gave different files", format)
		}
		if bytes.Equal(a.Bytes(), c.Bytes()) {
			t.Errorf("%s: different seeds gave the same file", format)
		}
	}
}

func TestGenerateCSVAndJSONHoldTheSamePeople(t *testing.T) {
	var csvOut, jsonOut bytes.Buffer
	if err := Generate(&csvOut, 300, 3, FormatCSV); err != nil {
		t.Fatal(err)
	}
	if err := Generate(&jsonOut, 300, 3, FormatJSON); err != nil {
		t.Fatal(err)
	}
	fromCSV, err := Read(&csvOut, FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := Read(&jsonOut, FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	a, b := slices.Collect(fromCSV.All()), slices.Collect(fromJSON.All())
	if len(a) != 300 || !slices.EqualFunc(a, b, func(x, y Person) bool { return x == y }) {
		t.Errorf("CSV and JSON of the same seed differ (%d and %d people)", len(a), len(b))
	}
}

func TestGenerateEmpty(t *testing.T) {
	for _, format := range []string{FormatCSV, FormatJSON} {
		var out bytes.Buffer
		if err := Generate(&out, 0, 1, format); err != nil {
			t.Fatal(err)
		}
		f, err := Read(&out, format)
		if err != nil {
			t.Fatalf("%s: reading an empty generated registry: %v", format, err)
		}
		if f.Len() != 0 {
			t.Errorf("%s: %d people, want 0", format, f.Len())
		}
	}
}

func TestGenerateRefuses(t *testing.T) {
	for _, tt := range []struct {
		n      int
		format string
	}{{-1, FormatCSV}, {MaxGenerate + 1, FormatCSV}, {10, "xml"}} {
		if err := Generate(io.Discard, tt.n, 1, tt.format); err == nil {
			t.Errorf("Generate(n=%d, %q) accepted", tt.n, tt.format)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestGenerateReportsWriteErrors(t *testing.T) {
	for _, format := range []string{FormatCSV, FormatJSON} {
		if err := Generate(failingWriter{}, 10_000, 1, format); err == nil {
			t.Errorf("%s: Generate into a failing writer returned nil", format)
		}
	}
}

// TestGeneratePopulationLooksReal checks the shares Generate promises on a sample large
// enough for them to be stable: the bounds are several standard deviations wide.
func TestGeneratePopulationLooksReal(t *testing.T) {
	const n = 20_000
	var out bytes.Buffer
	if err := Generate(&out, n, 2026, FormatCSV); err != nil {
		t.Fatal(err)
	}
	f, err := Read(&out, FormatCSV)
	if err != nil {
		t.Fatalf("generated registry does not load: %v", err)
	}
	if f.Len() != n {
		t.Fatalf("%d people, want %d (cédulas not unique?)", f.Len(), n)
	}
	var (
		minors, adults, elders, deceased, cancelled, foreign int
		provinces                                            = map[int]int{}
		accents, enye, indigenous                            bool
	)
	for p := range f.All() {
		provinces[p.NUI.Province()]++
		age := generateReference.Year() - p.BirthDate.Year()
		if p.BirthDate.YearDay() > 1 {
			age-- // the reference is 1 January: only those born on 1 January have had their birthday
		}
		switch {
		case age < 18:
			minors++
		case age < 65:
			adults++
		default:
			elders++
		}
		switch p.Status {
		case StatusDeceased:
			deceased++
		case StatusCancelled:
			cancelled++
		}
		if !p.IsEcuadorian() {
			foreign++
		}
		if given := strings.Fields(p.GivenNames); len(given) != 2 || given[0] == given[1] {
			t.Fatalf("given names %q: want two different names", p.GivenNames)
		}
		if len(strings.Fields(p.Surnames)) != 2 {
			t.Fatalf("surnames %q: want two", p.Surnames)
		}
		full := p.FullName()
		accents = accents || strings.ContainsAny(full, "áéíóúÁÉÍÓÚ")
		enye = enye || strings.ContainsRune(full, 'ñ')
		indigenous = indigenous || strings.Contains(p.Surnames, "Quishpe") ||
			strings.Contains(p.Surnames, "Guamán") || strings.Contains(p.Surnames, "Chicaiza")
	}
	within := func(what string, got int, lo, hi float64) {
		t.Helper()
		share := float64(got) / n
		if share < lo || share > hi {
			t.Errorf("%s: %.2f%% of people, want %.1f%%–%.1f%%", what, 100*share, 100*lo, 100*hi)
		}
	}
	within("minors", minors, 0.05, 0.09)
	within("18 to 64", adults, 0.78, 0.84)
	within("65 and older", elders, 0.10, 0.14)
	within("deceased", deceased, 0.01, 0.03)
	within("cancelled", cancelled, 0.002, 0.008)
	within("foreigners", foreign, 0.04, 0.06)
	within("Guayas", provinces[9], 0.22, 0.28)
	within("Pichincha", provinces[17], 0.15, 0.21)
	if len(provinces) != len(nui.Provinces()) {
		t.Errorf("%d provinces represented, want all %d", len(provinces), len(nui.Provinces()))
	}
	if !accents || !enye || !indigenous {
		t.Errorf("names lack variety: accents %v, ñ %v, indigenous surnames %v", accents, enye, indigenous)
	}
}

func BenchmarkGenerateCSV(b *testing.B) {
	for b.Loop() {
		if err := Generate(io.Discard, 10_000, 1, FormatCSV); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFileLookup(b *testing.B) {
	var out bytes.Buffer
	Generate(&out, 100_000, 1, FormatCSV)
	f, err := Read(&out, FormatCSV)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]nui.NUI, 0, 1000)
	for p := range f.All() {
		if len(ids) == cap(ids) {
			break
		}
		ids = append(ids, p.NUI)
	}
	ctx := b.Context()
	for i := 0; b.Loop(); i++ {
		if _, err := f.Lookup(ctx, ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}
