package recipients

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf16"

	"buzon/internal/nui"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// cedula returns a valid cédula of province 17 (Pichincha) for serial i.
func cedula(t testing.TB, province, i int) string {
	t.Helper()
	n, err := nui.New(province, i)
	if err != nil {
		t.Fatal(err)
	}
	return n.String()
}

func TestThousandRowsThreeBad(t *testing.T) {
	var b strings.Builder
	b.WriteString("cedula;nombres;referencia\n")
	for i := 1; i <= 1000; i++ {
		line := i + 1
		c := cedula(t, 17, 1_000_000+i)
		switch line {
		case 101:
			c = c[:9] + string('0'+(c[9]-'0'+1)%10) // wrong check digit
		case 502:
			c = cedula(t, 17, 1_000_000+10) // the cédula of line 11
		case 903:
			c = cedula(t, 9, 1_234_567)[1:] // Guayas, leading zero lost
		}
		fmt.Fprintf(&b, "%s;Ciudadano %d;REF-%d\n", c, i, i)
	}
	res, err := ParseCSV(strings.NewReader(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	bad101 := cedula(t, 17, 1_000_100)
	bad101 = bad101[:9] + string('0'+(bad101[9]-'0'+1)%10)
	want := []RowError{
		{Line: 101, Column: "cedula", Value: bad101, Code: "nui.check_digit", Message: nui.ErrCheckDigit.Error(), English: nui.ErrCheckDigit.English()},
		{Line: 502, Column: "cedula", Value: cedula(t, 17, 1_000_010), Code: "recipients.duplicate",
			Message: "cédula repetida: ya aparece en la línea 11 (se notificará una sola vez)",
			English: "repeated identity number: already on line 11 (it will be notified once)"},
		{Line: 903, Column: "cedula", Value: cedula(t, 9, 1_234_567)[1:], Code: "recipients.leading_zero",
			Message: probLeadingZero.spanish, English: probLeadingZero.english},
	}
	if diff := cmp.Diff(want, res.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if res.Rows != 1000 || len(res.Entries) != 997 || res.ErrorsOmitted != 0 {
		t.Errorf("Rows %d, entries %d, omitted %d", res.Rows, len(res.Entries), res.ErrorsOmitted)
	}
	first := res.Entries[0]
	if diff := cmp.Diff(Entry{NUI: nui.NUI(cedula(t, 17, 1_000_001)), Nombres: "Ciudadano 1", Referencia: "REF-1", Line: 2}, first); diff != "" {
		t.Errorf("first entry (-want +got):\n%s", diff)
	}
	if got := res.Errors[1].String(); got != "línea 502, columna «cedula», valor «"+cedula(t, 17, 1_000_010)+"»: cédula repetida: ya aparece en la línea 11 (se notificará una sola vez)" {
		t.Errorf("String() = %q", got)
	}
}

func utf16LE(s string) []byte {
	out := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func TestParseCSV(t *testing.T) {
	const (
		ana   = "1714307103"
		luis  = "1700000001"
		maria = "0962467429"
	)
	type want struct {
		entries  []Entry
		errors   []RowError
		rows     int
		columns  []string
		sep      rune
		encoding string
	}
	for _, tc := range []struct {
		desc string
		src  []byte
		want want
	}{
		{"comma, all known columns", []byte("cedula,nombres,referencia\n" + ana + ",Ana Pérez,R-1\n" + luis + ",Luis,R-2\n"), want{
			entries: []Entry{{NUI: ana, Nombres: "Ana Pérez", Referencia: "R-1", Line: 2}, {NUI: luis, Nombres: "Luis", Referencia: "R-2", Line: 3}},
			rows:    2, sep: ',', encoding: "UTF-8"}},
		{"Excel in Spanish: BOM, semicolons, CRLF, accented headers, variables", []byte("\xef\xbb\xbfCédula;Nombres y apellidos;Monto a pagar ($);N° de trámite\r\n" + ana + ";Ana;12,50;T-9\r\n"), want{
			entries: []Entry{{NUI: ana, Nombres: "Ana", Vars: map[string]string{"monto_a_pagar": "12,50", "no_de_tramite": "T-9"}, Line: 2}},
			rows:    1, columns: []string{"monto_a_pagar", "no_de_tramite"}, sep: ';', encoding: "UTF-8"}},
		{"sep= line", []byte("sep=;\ncedula;nombres\n" + ana + ";Ana, la primera\n" + "123;x\n"), want{
			entries: []Entry{{NUI: ana, Nombres: "Ana, la primera", Line: 3}},
			errors:  []RowError{{Line: 4, Column: "cedula", Value: "123", Code: "nui.length", Message: nui.ErrLength.Error(), English: nui.ErrLength.English()}},
			rows:    2, sep: ';', encoding: "UTF-8"}},
		{"Windows-1252 names are transcoded", []byte("cedula;nombres\r\n" + ana + ";Pe\xf1a Mu\xf1oz, Jos\xe9\r\n"), want{
			entries: []Entry{{NUI: ana, Nombres: "Peña Muñoz, José", Line: 2}},
			rows:    1, sep: ';', encoding: "Windows-1252"}},
		{"UTF-16 with tabs, as Excel's Unicode text", utf16LE("cedula\tnombres\r\n" + ana + "\tÁngel Ñusta\r\n"), want{
			entries: []Entry{{NUI: ana, Nombres: "Ángel Ñusta", Line: 2}},
			rows:    1, sep: '\t', encoding: "UTF-16"}},
		{"N.U.I. header, quoted values, hyphenated cédula", []byte(`"N.U.I.","Nombres"` + "\n" + `"171430710-3","Pérez, ""Anita"""` + "\n"), want{
			entries: []Entry{{NUI: ana, Nombres: `Pérez, "Anita"`, Line: 2}},
			rows:    1, sep: ',', encoding: "UTF-8"}},
		{"empty rows and trailing separators skipped", []byte("cedula;nombres;;\n\n;;;\n" + ana + ";Ana;;\n \n"), want{
			entries: []Entry{{NUI: ana, Nombres: "Ana", Line: 4}},
			rows:    1, sep: ';', encoding: "UTF-8"}},
		{"one-column file", []byte("cedula\n" + ana + "\n" + maria + "\n"), want{
			entries: []Entry{{NUI: ana, Line: 2}, {NUI: maria, Line: 3}},
			rows:    2, sep: ',', encoding: "UTF-8"}},
		{"row problems", []byte("cedula;nombres\n" +
			ana + ";Ana;de más\n" + // 2: too many columns
			";Sin cédula\n" + // 3
			"1,71431E+09;Excel\n" + // 4
			luis + ";" + strings.Repeat("x", 501) + "\n" + // 5: too long
			luis + ";\"mal \"cerrada\n" + // 6: bare quote
			"2500000001;Provincia\n" + // 7
			luis + ";Luis\n"), want{ // 8: fine
			entries: []Entry{{NUI: luis, Nombres: "Luis", Line: 8}},
			errors: []RowError{
				{Line: 2, Code: "recipients.columns", Message: probColumns.spanish, English: probColumns.english},
				{Line: 3, Column: "cedula", Code: "recipients.missing_nui", Message: probMissing.spanish, English: probMissing.english},
				{Line: 4, Column: "cedula", Value: "1,71431E+09", Code: "recipients.scientific", Message: probScientific.spanish, English: probScientific.english},
				{Line: 5, Column: "nombres", Value: strings.Repeat("x", 100) + "…", Code: "recipients.too_long", Message: probTooLong.spanish, English: probTooLong.english},
				{Line: 6, Code: "recipients.quotes", Message: probQuotes.spanish, English: probQuotes.english},
				{Line: 7, Column: "cedula", Value: "2500000001", Code: "nui.province", Message: nui.ErrProvince.Error(), English: nui.ErrProvince.English()},
			},
			rows: 7, sep: ';', encoding: "UTF-8"}},
		{"control characters in a name are dropped", []byte("cedula,nombres\n" + ana + ",\"Ana\u202e\x07 Pérez\"\n"), want{
			entries: []Entry{{NUI: ana, Nombres: "Ana Pérez", Line: 2}},
			rows:    1, sep: ',', encoding: "UTF-8"}},
	} {
		res, err := ParseCSV(bytes.NewReader(tc.src), Options{})
		if err != nil {
			t.Errorf("%s: %v", tc.desc, err)
			continue
		}
		got := want{res.Entries, res.Errors, res.Rows, res.Columns, res.Separator, res.Encoding}
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.desc, diff)
		}
	}
}

func TestParseCSVRefusesFiles(t *testing.T) {
	many := "cedula\n" + strings.Repeat(cedula(t, 17, 1)+"\n", 3)
	for _, tc := range []struct {
		desc string
		src  string
		opt  Options
		want error
	}{
		{"empty", "", Options{}, ErrEmptyFile},
		{"only a BOM", "\xef\xbb\xbf", Options{}, ErrEmptyFile},
		{"only blank lines", "\n\n  \n", Options{}, ErrNoNUIColumn},
		{"an Excel workbook", "PK\x03\x04\x14\x00\x06\x00", Options{}, ErrNotCSV},
		{"an old Excel workbook", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Options{}, ErrNotCSV},
		{"binary", "cedula\x00\x01\x02", Options{}, ErrNotCSV},
		{"no cédula column", "nombre;apellido\nAna;Pérez\n", Options{}, ErrNoNUIColumn},
		{"no header", "1714307103;Ana\n", Options{}, ErrHeaderIsData},
		{"no header, leading zero lost", "962467429;Ana\n", Options{}, ErrHeaderIsData},
		{"two cédula columns", "cedula;nui\n", Options{}, ErrDuplicateColumn},
		{"repeated column", "cedula;monto;Monto\n", Options{}, ErrDuplicateColumn},
		{"too many columns", "cedula;a;b;c\n", Options{MaxColumns: 3}, ErrTooManyColumns},
		{"too many rows", many, Options{MaxRows: 2}, ErrTooManyRows},
		{"exactly the row limit", many, Options{MaxRows: 3}, nil},
		{"too large", many, Options{MaxBytes: int64(len(many) - 1)}, ErrTooLarge},
		{"exactly the byte limit", many, Options{MaxBytes: int64(len(many))}, nil},
	} {
		res, err := ParseCSV(strings.NewReader(tc.src), tc.opt)
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.desc, err)
			}
			continue
		}
		if !errors.Is(err, tc.want) || res != nil {
			t.Errorf("%s: ParseCSV = %v, %v; want %v", tc.desc, res, err, tc.want)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || !strings.HasPrefix(e.Code(), "recipients.") || e.English() == "" {
			t.Errorf("%s: refusal lacks a code or a translation: %v", tc.desc, err)
		}
		if strings.HasPrefix(err.Error(), "recipients:") {
			t.Errorf("%s: message for people starts with a Go prefix: %v", tc.desc, err)
		}
	}
}

func TestParseCSVReadFailure(t *testing.T) {
	broken := errors.New("conexión cortada")
	r := io.MultiReader(strings.NewReader("cedula\n1714307103\n"), &failing{broken})
	if _, err := ParseCSV(r, Options{}); !errors.Is(err, broken) {
		t.Errorf("ParseCSV = %v, want the read error", err)
	}
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }

func TestParseCSVProgressAndErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("cedula\n")
	for i := range 5 {
		if i%2 == 0 {
			b.WriteString("malo\n")
		} else {
			b.WriteString(cedula(t, 1, i) + "\n")
		}
	}
	var calls []int
	res, err := ParseCSV(strings.NewReader(b.String()), Options{MaxErrors: 1, ProgressEvery: 2, Progress: func(n int) { calls = append(calls, n) }})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{2, 4, 5}, calls); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if len(res.Errors) != 1 || res.ErrorsOmitted != 2 || len(res.Entries) != 2 {
		t.Errorf("errors %d, omitted %d, entries %d", len(res.Errors), res.ErrorsOmitted, len(res.Entries))
	}
}

func TestParseCSVDefaultRowLimit(t *testing.T) {
	csv := hundredThousand(t, DefaultMaxRows+1)
	if _, err := ParseCSV(bytes.NewReader(csv), Options{}); !errors.Is(err, ErrTooManyRows) {
		t.Errorf("%d rows: %v", DefaultMaxRows+1, err)
	}
}

func TestNormHeader(t *testing.T) {
	for in, want := range map[string]string{
		"Cédula":                "cedula",
		"N.U.I.":                "n_u_i",
		" Número de cédula ":    "numero_de_cedula",
		"Monto a pagar ($)":     "monto_a_pagar",
		"AÑO":                   "ano",
		"N° trámite":            "no_tramite",
		"fecha_límite":          "fecha_limite",
		"$$$":                   "",
		"Dirección\u00a0Postal": "direccion_postal",
	} {
		if got := normHeader(in); got != want {
			t.Errorf("normHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

// hundredThousand builds a semicolon CSV of n valid, distinct rows with names,
// a reference and one variable.
func hundredThousand(t testing.TB, n int) []byte {
	var b bytes.Buffer
	b.WriteString("cedula;nombres;referencia;monto\r\n")
	for i := range n {
		fmt.Fprintf(&b, "%s;Ciudadano Número %d;EXP-2026-%06d;%d,00\r\n", cedula(t, 1+i%24, i), i, i, i%1000)
	}
	return b.Bytes()
}

func BenchmarkParseCSV100k(b *testing.B) {
	src := hundredThousand(b, 100_000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := ParseCSV(bytes.NewReader(src), Options{})
		if err != nil || len(res.Entries) != 100_000 {
			b.Fatalf("%v, %d entries", err, len(res.Entries))
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("cedula;nombres\n1714307103;Ana\n1714307103;Ana\n"))
	f.Add([]byte("\xef\xbb\xbfsep=,\nN.U.I.,x\n\"171430710-3\",\"a\"\"b\"\n"))
	f.Add(utf16LE("cedula\tx\r\n0962467429\ty\r\n"))
	f.Add([]byte("cedula\n962467429\n1,7E+09\n\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := ParseCSV(bytes.NewReader(b), Options{MaxRows: 50, MaxBytes: 4096, MaxErrors: 5})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a refusal", err)
			}
			return
		}
		if got := len(res.Entries) + len(res.Errors) + res.ErrorsOmitted; got != res.Rows {
			t.Fatalf("%d rows gave %d entries and %d+%d errors", res.Rows, len(res.Entries), len(res.Errors), res.ErrorsOmitted)
		}
		checkEntries(t, res.Entries)
		for _, e := range res.Errors {
			if e.Code == "" || e.Message == "" || e.Line < 1 {
				t.Fatalf("incomplete error %+v", e)
			}
		}
	})
}

// checkEntries fails unless every entry holds a valid, distinct cédula, in order.
func checkEntries(t *testing.T, entries []Entry) {
	t.Helper()
	seen := map[nui.NUI]bool{}
	last := 0
	for _, e := range entries {
		if n, err := nui.Parse(e.NUI.String()); err != nil || n != e.NUI {
			t.Fatalf("invalid cédula %q accepted", e.NUI)
		}
		if seen[e.NUI] {
			t.Fatalf("duplicate %s", e.NUI)
		}
		seen[e.NUI] = true
		if e.Line < last {
			t.Fatalf("line %d after %d", e.Line, last)
		}
		last = e.Line
	}
}
