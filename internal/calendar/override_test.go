package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseOverrides(t *testing.T) {
	want := []Override{
		{Date: d("2026-11-04"), Kind: Feriado, Name: "Traslado, por decreto"},
		{Date: d("2026-05-25"), Kind: Laborable},
	}
	tests := []struct {
		name string
		in   string
		want []Override
	}{
		{"csv with header", "date,kind,name\n2026-11-04,feriado,\"Traslado, por decreto\"\n2026-05-25,laborable\n", want},
		{"csv in Spanish, CRLF, BOM, comments", "\uFEFFfecha,tipo,nombre\r\n# decreto 1\r\n2026-11-04, FERIADO , \"Traslado, por decreto\"\r\n\r\n2026-05-25,laborable,\r\n", want},
		{"csv without header, semicolons", "2026-11-04;feriado;Traslado, por decreto\n2026-05-25;Laborable\n", want},
		{"json", `[{"date":"2026-11-04","kind":"feriado","name":" Traslado, por decreto"},
			{"date":"2026-05-25","kind":"laborable"}]`, want},
		{"empty file", "", nil},
		{"only a header", "date,kind,name\n", nil},
		{"empty json", " [] ", []Override{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOverrides(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Date{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseOverridesErrors(t *testing.T) {
	tests := []struct {
		name        string
		in          string
		line, entry int
		want        error
	}{
		{"date not ISO", "fecha,tipo,nombre\n2026-11-04,feriado,A\n04/11/2026,feriado,B\n", 3, 0, ErrInvalidDate},
		{"unknown kind", "2026-11-04,fiesta,A\n", 1, 0, ErrUnknownKind},
		{"feriado without a name", "# x\n2026-11-04,feriado\n", 2, 0, ErrInvalidName},
		{"too many columns", "2026-11-04,feriado,A,B\n", 1, 0, ErrMalformed},
		{"one column", "2026-11-04\n", 1, 0, ErrMalformed},
		{"bad quoting", "2026-11-04,feriado,\"A\n", 1, 0, ErrMalformed},
		{"duplicate date", "2026-11-04,feriado,A\n2026-11-05,feriado,B\n2026-11-04,laborable\n", 3, 0, ErrDuplicateDate},
		{"laborable Sunday", "2026-11-08,laborable\n", 1, 0, ErrWeekendLaborable},
		{"not UTF-8", "2026-11-04,feriado,\xff\n", 0, 0, ErrMalformed},
		{"json syntax", `[{"date":"2026-11-04",]`, 0, 0, ErrMalformed},
		{"json object", `{"date":"2026-11-04"}`, 0, 0, ErrMalformed},
		{"json bad date", `[{"date":"2026-11-04","kind":"feriado","name":"A"},{"date":"2026-02-30","kind":"feriado","name":"B"}]`, 0, 2, ErrInvalidDate},
		{"json bad kind", `[{"date":"2026-11-04","kind":"x","name":"A"}]`, 0, 1, ErrUnknownKind},
		{"json unknown field", `[{"date":"2026-11-04","kind":"feriado","nombre":"A"}]`, 0, 1, ErrMalformed},
		{"json null entry", `[null]`, 0, 1, ErrInvalidDate},
		{"json duplicate", `[{"date":"2026-11-04","kind":"feriado","name":"A"},{"date":"2026-11-04","kind":"feriado","name":"A"}]`, 0, 2, ErrDuplicateDate},
		{"too large", "#" + strings.Repeat("x", 1<<20) + "\n", 0, 0, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOverrides(strings.NewReader(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseOverrides() = %v, %v; want %v", got, err, tt.want)
			}
			var oe *OverrideError
			if !errors.As(err, &oe) || oe.Line != tt.line || oe.Entry != tt.entry {
				t.Errorf("error %q: want line %d, entry %d", err, tt.line, tt.entry)
			}
		})
	}
	if _, err := ParseOverrides(iotest.ErrReader(errors.New("disk"))); err == nil || errors.As(err, new(*OverrideError)) {
		t.Errorf("a read error is %v; want it returned as is", err)
	}
}

func TestOverrideErrorMessages(t *testing.T) {
	_, err := ParseOverrides(strings.NewReader("2026-11-04,fiesta,A\n"))
	if got, want := err.Error(), "línea 1: override kind \"fiesta\": El tipo debe ser «feriado» o «laborable»."; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	_, err = New([]Override{{Date: d("2026-11-07"), Kind: Laborable}})
	if !strings.HasPrefix(err.Error(), "registro 1: 2026-11-07: Un sábado") {
		t.Errorf("message %q does not say which record and date", err)
	}
}

func FuzzParseOverrides(f *testing.F) {
	for _, s := range []string{
		"date,kind,name\n2026-11-04,feriado,Decreto\n2026-05-25,laborable\n",
		"2026-11-04;feriado;A\n",
		"# c\n\"2026-11-04\",\"feriado\",\"a \"\"b\"\"\"\n",
		`[{"date":"2026-11-04","kind":"feriado","name":"A"}]`,
		`[{"date":"2026-05-25","kind":"laborable","name":""}, null]`,
		"\uFEFF2026-11-04,feriado,Ñ\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := ParseOverrides(bytes.NewReader(data))
		if err != nil {
			var oe *OverrideError
			var ce *Error
			if !errors.As(err, &oe) || !errors.As(err, &ce) {
				t.Fatalf("error %v is not an *OverrideError with a code", err)
			}
			return
		}
		c, err := New(list)
		if err != nil {
			t.Fatalf("New rejects what ParseOverrides accepted: %v", err)
		}
		for _, o := range list {
			if c.IsBusinessDay(o.Date) != (o.Kind == Laborable) {
				t.Fatalf("%v is a business day despite %+v", o.Date, o)
			}
		}
		// What was accepted survives a JSON round trip.
		b, err := json.Marshal(append([]Override{}, list...)) // [] rather than null
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseOverrides(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("reparse %s: %v", b, err)
		}
		if diff := cmp.Diff(list, again, cmp.AllowUnexported(Date{}), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("JSON round trip (-first +second):\n%s", diff)
		}
	})
}
