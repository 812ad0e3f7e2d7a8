package registry

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/nui"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var maria = Person{
	NUI:         "1714307103",
	GivenNames:  "María José",
	Surnames:    "Guamán Ortiz",
	BirthDate:   date(1990, time.May, 17),
	Nationality: "ECUATORIANA",
	Status:      StatusValid,
}

func TestPersonFullNameAndNationality(t *testing.T) {
	tests := []struct {
		p          Person
		full       string
		ecuadorian bool
	}{
		{maria, "María José Guamán Ortiz", true},
		{Person{GivenNames: "Sisa", Nationality: " ecuatoriana "}, "Sisa", true},
		{Person{Surnames: "Quishpe", Nationality: "VENEZOLANA"}, "Quishpe", false},
	}
	for _, tt := range tests {
		if got := tt.p.FullName(); got != tt.full {
			t.Errorf("FullName() = %q, want %q", got, tt.full)
		}
		if got := tt.p.IsEcuadorian(); got != tt.ecuadorian {
			t.Errorf("%q IsEcuadorian() = %v, want %v", tt.p.Nationality, got, tt.ecuadorian)
		}
	}
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		in   string
		want Status
		ok   bool
	}{
		{"vigente", StatusValid, true},
		{"FALLECIDO", StatusDeceased, true},
		{" Cancelado ", StatusCancelled, true},
		{"valid", "", false},
		{"", "", false},
		{"vigentes", "", false},
	}
	for _, tt := range tests {
		got, err := ParseStatus(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestMemory(t *testing.T) {
	ctx := context.Background()
	m := NewMemory([]Person{maria})
	got, err := m.Lookup(ctx, maria.NUI)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(maria, got); diff != "" {
		t.Errorf("Lookup mismatch (-want +got):\n%s", diff)
	}
	if _, err := m.Lookup(ctx, "1700000001"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup of a stranger = %v, want ErrNotFound", err)
	}
	dead := maria
	dead.Status = StatusDeceased
	m.Put(dead)
	if got, _ := m.Lookup(ctx, maria.NUI); got.Status != StatusDeceased {
		t.Errorf("after Put, status = %q, want fallecido", got.Status)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.Lookup(cancelled, maria.NUI); !errors.Is(err, context.Canceled) {
		t.Errorf("Lookup with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestFunc(t *testing.T) {
	var r Registry = Func(func(context.Context, nui.NUI) (Person, error) {
		return Person{}, ErrUnavailable
	})
	if _, err := r.Lookup(context.Background(), maria.NUI); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Func Lookup = %v, want ErrUnavailable", err)
	}
}

func TestErrorsCarryCodes(t *testing.T) {
	got := map[string][2]string{}
	for _, e := range []*Error{ErrNotFound, ErrUnavailable} {
		got[e.Code()] = [2]string{e.Error(), e.English()}
	}
	want := map[string][2]string{
		"registry.not_found": {"la cédula no consta en el Registro Civil",
			"the identity card number is not in the civil registry"},
		"registry.unavailable": {"no se pudo consultar el Registro Civil; intente nuevamente más tarde",
			"the civil registry could not be reached; please try again later"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error texts mismatch (-want +got):\n%s", diff)
	}
}

func TestPersonJSONRoundTrip(t *testing.T) {
	b, err := maria.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"nui":"1714307103","given_names":"María José","surnames":"Guamán Ortiz","birth_date":"1990-05-17","nationality":"ECUATORIANA","status":"vigente"}`
	if string(b) != want {
		t.Errorf("MarshalJSON = %s\nwant %s", b, want)
	}
	var back Person
	if err := back.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(maria, back); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestPersonUnmarshalJSONRefuses(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"missing field", `{"nui":"1714307103","given_names":"A","surnames":"B","birth_date":"1990-05-17","nationality":"ECUATORIANA"}`},
		{"unknown field", `{"nui":"1714307103","given_names":"A","surnames":"B","birth_date":"1990-05-17","nationality":"ECUATORIANA","status":"vigente","x":1}`},
		{"bad cédula", `{"nui":"1714307104","given_names":"A","surnames":"B","birth_date":"1990-05-17","nationality":"ECUATORIANA","status":"vigente"}`},
		{"number for string", `{"nui":1714307103,"given_names":"A","surnames":"B","birth_date":"1990-05-17","nationality":"ECUATORIANA","status":"vigente"}`},
		{"trailing data", `{"nui":"1714307103","given_names":"A","surnames":"B","birth_date":"1990-05-17","nationality":"ECUATORIANA","status":"vigente"} {}`},
		{"null", `null`},
		{"array", `[]`},
	}
	for _, tt := range tests {
		var p Person
		if err := p.UnmarshalJSON([]byte(tt.in)); err == nil {
			t.Errorf("%s: UnmarshalJSON accepted %s", tt.name, tt.in)
		}
	}
}

func FuzzPersonUnmarshalJSON(f *testing.F) {
	b, _ := maria.MarshalJSON()
	f.Add(b)
	f.Add([]byte(`{"nui":"0962467429","given_names":" Ñusta  Sisa ","surnames":"Quishpe","birth_date":"2008-02-29","nationality":"x","status":"FALLECIDO"}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Person
		if err := p.UnmarshalJSON(b); err != nil {
			return
		}
		again, err := p.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var q Person
		if err := q.UnmarshalJSON(again); err != nil {
			t.Fatalf("accepted %q but not its re-encoding %q: %v", b, again, err)
		}
		if diff := cmp.Diff(p, q); diff != "" {
			t.Fatalf("re-decoding changed the person (-first +second):\n%s", diff)
		}
	})
}
