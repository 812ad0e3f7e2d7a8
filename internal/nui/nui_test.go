package nui

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want NUI
		err  error
	}{
		{"design vector Pichincha", "1714307103", "1714307103", nil},
		{"design vector all zeros serial", "1700000001", "1700000001", nil},
		{"design vector registered abroad", "3000000004", "3000000004", nil},
		{"design vector third digit 6", "0962467429", "0962467429", nil},
		{"Azuay wrong check digit", "0102030405", "", ErrCheckDigit},
		{"Azuay with leading zero", "0102030400", "0102030400", nil},
		{"Azuay valid", "0100000009", "0100000009", nil},
		{"Galápagos province 20", "2000000006", "2000000006", nil},
		{"Santa Elena province 24", "2400000002", "2400000002", nil},
		{"surrounding spaces trimmed", "  1714307103\t\n", "1714307103", nil},
		{"hyphen before check digit as printed", "171430710-3", "1714307103", nil},
		{"wrong check digit", "1714307104", "", ErrCheckDigit},
		{"province 25 does not exist", "2500000001", "", ErrProvince},
		{"province 00 does not exist", "0000000000", "", ErrProvince},
		{"province 29 does not exist", "2900000000", "", ErrProvince},
		{"province 31 does not exist", "3100000000", "", ErrProvince},
		{"empty", "", "", ErrEmpty},
		{"only spaces", "   ", "", ErrEmpty},
		{"nine digits", "171430710", "", ErrLength},
		{"eleven digits", "17143071030", "", ErrLength},
		{"letters", "17143071O3", "", ErrNotDigits},
		{"inner space", "17143 07103", "", ErrNotDigits},
		{"hyphen elsewhere", "17143-07103", "", ErrNotDigits},
		{"arabic-indic digits", "١٧١٤٣٠٧١٠٣", "", ErrNotDigits},
		{"full-width digits", "１７１４３０７１０３", "", ErrNotDigits},
		{"sign", "+714307103", "", ErrNotDigits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestEveryCheckDigitButOneIsRefused(t *testing.T) {
	for _, base := range []string{"171430710", "170000000", "300000000", "096246742"} {
		valid := 0
		for d := '0'; d <= '9'; d++ {
			if _, err := Parse(base + string(d)); err == nil {
				valid++
			} else if !errors.Is(err, ErrCheckDigit) {
				t.Errorf("Parse(%s%c) = %v, want nil or ErrCheckDigit", base, d, err)
			}
		}
		if valid != 1 {
			t.Errorf("%s?: %d check digits accepted, want exactly 1", base, valid)
		}
	}
}

func TestNUIMethods(t *testing.T) {
	tests := []struct {
		n        NUI
		province int
		masked   string
		zero     bool
	}{
		{"1714307103", 17, "17******03", false},
		{"0962467429", 9, "09******29", false},
		{"3000000004", 30, "30******04", false},
		{"", 0, "", true},
		{"12", 0, "", false},
		{"ab34567890", 0, "ab******90", false},
	}
	for _, tt := range tests {
		got := struct {
			Province int
			Masked   string
			Zero     bool
			String   string
		}{tt.n.Province(), tt.n.Masked(), tt.n.IsZero(), tt.n.String()}
		want := struct {
			Province int
			Masked   string
			Zero     bool
			String   string
		}{tt.province, tt.masked, tt.zero, string(tt.n)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("NUI(%q) methods mismatch (-want +got):\n%s", tt.n, diff)
		}
	}
}

func TestUnmarshalTextValidates(t *testing.T) {
	var n NUI
	if err := n.UnmarshalText([]byte("1714307103")); err != nil || n != "1714307103" {
		t.Fatalf("UnmarshalText valid = %q, %v", n, err)
	}
	if err := n.UnmarshalText([]byte("1714307104")); !errors.Is(err, ErrCheckDigit) {
		t.Fatalf("UnmarshalText invalid error = %v, want ErrCheckDigit", err)
	}
	if n != "1714307103" {
		t.Errorf("failed UnmarshalText changed the value to %q", n)
	}
	b, err := NUI("1714307103").MarshalText()
	if err != nil || string(b) != "1714307103" {
		t.Errorf("MarshalText = %q, %v", b, err)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		province, serial int
		want             NUI
		err              error
	}{
		{17, 1430710, "1714307103", nil},
		{17, 0, "1700000001", nil},
		{30, 0, "3000000004", nil},
		{9, 6246742, "0962467429", nil},
		{25, 0, "", ErrProvince},
		{0, 0, "", ErrProvince},
		{17, -1, "", ErrLength},
		{17, 10_000_000, "", ErrLength},
	}
	for _, tt := range tests {
		got, err := New(tt.province, tt.serial)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("New(%d, %d) error = %v, want %v", tt.province, tt.serial, err, tt.err)
		}
		if got != tt.want {
			t.Errorf("New(%d, %d) = %q, want %q", tt.province, tt.serial, got, tt.want)
		}
	}
}

func TestGenerateProducesValidCedulasOfTheProvince(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range Provinces() {
		for range 200 {
			n := Generate(r, p)
			got, err := Parse(string(n))
			if err != nil {
				t.Fatalf("Generate(%d) = %q, which Parse refuses: %v", p, n, err)
			}
			if got.Province() != p {
				t.Fatalf("Generate(%d) = %q, province %d", p, n, got.Province())
			}
			if n[2] > '5' {
				t.Fatalf("Generate(%d) = %q, third digit above 5", p, n)
			}
		}
	}
}

func TestGenerateIsDeterministicPerSeed(t *testing.T) {
	draw := func() []NUI {
		r := rand.New(rand.NewPCG(42, 42))
		var out []NUI
		for range 20 {
			out = append(out, Generate(r, 9))
		}
		return out
	}
	if diff := cmp.Diff(draw(), draw()); diff != "" {
		t.Errorf("same seed gave different cédulas (-first +second):\n%s", diff)
	}
}

func TestGeneratePanicsOnInvalidProvince(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Generate(r, 25) did not panic")
		}
	}()
	Generate(rand.New(rand.NewPCG(1, 1)), 25)
}

func TestErrorsCarryCodeSpanishAndEnglish(t *testing.T) {
	all := []*Error{
		ErrEmpty, ErrLength, ErrNotDigits, ErrProvince, ErrCheckDigit,
		ErrRUCEmpty, ErrRUCLength, ErrRUCNotDigits, ErrRUCProvince, ErrRUCType,
		ErrRUCCheckDigit, ErrRUCEstablishment,
	}
	codes := map[string]bool{}
	for _, e := range all {
		if e.Code() == "" || e.Error() == "" || e.English() == "" {
			t.Errorf("error %q has an empty code or text", e.Code())
		}
		if codes[e.Code()] {
			t.Errorf("code %q used twice", e.Code())
		}
		codes[e.Code()] = true
	}
	if got, want := ErrCheckDigit.Error(), "el dígito verificador no corresponde"; got != want {
		t.Errorf("ErrCheckDigit.Error() = %q, want %q", got, want)
	}
	if got, want := ErrProvince.Error(), "código de provincia inválido"; got != want {
		t.Errorf("ErrProvince.Error() = %q, want %q", got, want)
	}
	var coded interface {
		Code() string
		English() string
	}
	_, err := Parse("2500000001")
	if !errors.As(err, &coded) || coded.Code() != "nui.province" {
		t.Errorf("errors.As on Parse's error did not give the code, got %v", err)
	}
	if errors.Is(ErrCheckDigit, ErrRUCCheckDigit) {
		t.Error("distinct sentinels compare equal")
	}
}

func TestProvinces(t *testing.T) {
	p := Provinces()
	if len(p) != 25 || p[0] != 1 || p[23] != 24 || p[24] != 30 {
		t.Errorf("Provinces() = %v", p)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"1714307103", "1700000001", "3000000004", "0962467429", "1714307104",
		"2500000001", "", " 171430710-3 ", "17143071O3", "١٧١٤٣٠٧١٠٣", "9999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %v is not an *Error", s, err)
			}
			if n != "" {
				t.Fatalf("Parse(%q) refused but returned %q", s, n)
			}
			return
		}
		if len(n) != 10 || !allDigits(string(n)) {
			t.Fatalf("Parse(%q) = %q, not ten digits", s, n)
		}
		again, err := Parse(n.String())
		if err != nil || again != n {
			t.Fatalf("Parse(Parse(%q).String()) = %q, %v; want %q", s, again, err, n)
		}
		if !validProvince(n.Province()) {
			t.Fatalf("Parse(%q) accepted province %d", s, n.Province())
		}
		rebuilt, err := New(n.Province(), int(atoi(string(n[2:9]))))
		if err != nil || rebuilt != n {
			t.Fatalf("New rebuilt %q from %q (%v)", rebuilt, n, err)
		}
	})
}

func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

func BenchmarkParse(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 7))
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = string(Generate(r, Provinces()[i%25]))
	}
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}
