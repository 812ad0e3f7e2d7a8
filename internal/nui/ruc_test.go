package nui

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRUC(t *testing.T) {
	type result struct {
		Number  string
		Kind    Kind
		Warning error
	}
	tests := []struct {
		name string
		in   string
		want result
		err  error
	}{
		{"natural person", "1714307103001", result{"1714307103001", KindNatural, nil}, nil},
		{"natural person second establishment", "1714307103002", result{"1714307103002", KindNatural, nil}, nil},
		{"natural person whose cédula has third digit 6", "0962467429001", result{"0962467429001", KindNatural, nil}, nil},
		{"public body Pichincha", "1760001550001", result{"1760001550001", KindPublic, nil}, nil},
		{"public body Guayas", "0968599020001", result{"0968599020001", KindPublic, nil}, nil},
		{"public body passing both checks is public", "1760000073001", result{"1760000073001", KindPublic, nil}, nil},
		{"company Pichincha", "1790016919001", result{"1790016919001", KindCompany, nil}, nil},
		{"company Guayas", "0990017514001", result{"0990017514001", KindCompany, nil}, nil},
		{"company failing módulo 11 is a warning", "1790016918001", result{"1790016918001", KindCompany, ErrRUCCheckDigit}, nil},
		{"spaces trimmed", " 1790016919001 ", result{"1790016919001", KindCompany, nil}, nil},
		{"natural wrong check digit", "1714307104001", result{}, ErrRUCCheckDigit},
		{"natural establishment 000", "1714307103000", result{}, ErrRUCEstablishment},
		{"public establishment 0000", "1760001550000", result{}, ErrRUCEstablishment},
		{"third digit 6 failing both checks", "1760001560001", result{}, ErrRUCCheckDigit},
		{"company establishment 000", "1790016919000", result{}, ErrRUCEstablishment},
		{"third digit 7", "1770000000001", result{}, ErrRUCType},
		{"third digit 8", "1780000000001", result{}, ErrRUCType},
		{"province 25", "2590016919001", result{}, ErrRUCProvince},
		{"province 00", "0090016919001", result{}, ErrRUCProvince},
		{"twelve digits", "171430710300", result{}, ErrRUCLength},
		{"cédula only", "1714307103", result{}, ErrRUCLength},
		{"fourteen digits", "17143071030010", result{}, ErrRUCLength},
		{"letters", "17143071030O1", result{}, ErrRUCNotDigits},
		{"hyphens", "1714307103-001", result{}, ErrRUCNotDigits},
		{"empty", "", result{}, ErrRUCEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRUC(tt.in)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("ParseRUC(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			got := result{r.String(), r.Kind, r.Warning}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
				t.Errorf("ParseRUC(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestRUCNUI(t *testing.T) {
	r, err := ParseRUC("1714307103001")
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := r.NUI(); !ok || n != "1714307103" {
		t.Errorf("natural RUC NUI() = %q, %v; want 1714307103, true", n, ok)
	}
	r, err = ParseRUC("1760001550001")
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := r.NUI(); ok || n != "" {
		t.Errorf("public RUC NUI() = %q, %v; want \"\", false", n, ok)
	}
	if (RUC{}).IsZero() != true || r.IsZero() {
		t.Error("IsZero wrong")
	}
}

func TestKindNames(t *testing.T) {
	got := map[Kind][2]string{}
	for _, k := range []Kind{0, KindNatural, KindPublic, KindCompany} {
		got[k] = [2]string{k.String(), k.Spanish()}
	}
	want := map[Kind][2]string{
		0:           {"unknown", "desconocido"},
		KindNatural: {"natural", "persona natural"},
		KindPublic:  {"public", "entidad del sector público"},
		KindCompany: {"company", "sociedad privada"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kind names mismatch (-want +got):\n%s", diff)
	}
}

func FuzzParseRUC(f *testing.F) {
	for _, s := range []string{
		"1714307103001", "0962467429001", "1760001550001", "1790016919001", "1790016918001",
		"1770000000001", "1760001550000", "", "abc", "2590016919001", "1760000073001",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRUC(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseRUC(%q) error %v is not an *Error", s, err)
			}
			if !r.IsZero() {
				t.Fatalf("ParseRUC(%q) refused but returned %+v", s, r)
			}
			return
		}
		if len(r.String()) != 13 || !allDigits(r.String()) {
			t.Fatalf("ParseRUC(%q) = %q, not 13 digits", s, r)
		}
		again, err := ParseRUC(r.String())
		if err != nil || again != r {
			t.Fatalf("ParseRUC(ParseRUC(%q).String()) = %+v, %v; want %+v", s, again, err, r)
		}
		switch r.Kind {
		case KindNatural:
			n, ok := r.NUI()
			if _, err := Parse(string(n)); !ok || err != nil {
				t.Fatalf("natural RUC %q holds no valid cédula: %v", r, err)
			}
			if r.Warning != nil {
				t.Fatalf("natural RUC %q has a warning", r)
			}
		case KindPublic:
			if r.String()[2] != '6' || r.Warning != nil {
				t.Fatalf("public RUC %q: third digit or warning wrong", r)
			}
		case KindCompany:
			if r.String()[2] != '9' {
				t.Fatalf("company RUC %q: third digit not 9", r)
			}
		default:
			t.Fatalf("ParseRUC(%q) kind %d", s, r.Kind)
		}
	})
}
