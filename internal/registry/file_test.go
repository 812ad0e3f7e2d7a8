package registry

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/nui"
)

const goodCSV = `nui,given_names,surnames,birth_date,nationality,status
1714307103,María José,Guamán Ortiz,1990-05-17,ECUATORIANA,vigente
0962467429,Luis  Ángel , Quishpe Chicaiza,2008-02-29,ECUATORIANA,FALLECIDO
3000000004,Begoña,Núñez Ibáñez,1950-12-31,ESPAÑOLA,cancelado
`

var goodPeople = []Person{
	{NUI: "0962467429", GivenNames: "Luis Ángel", Surnames: "Quishpe Chicaiza", BirthDate: date(2008, 2, 29),
		Nationality: "ECUATORIANA", Status: StatusDeceased},
	maria,
	{NUI: "3000000004", GivenNames: "Begoña", Surnames: "Núñez Ibáñez", BirthDate: date(1950, 12, 31),
		Nationality: "ESPAÑOLA", Status: StatusCancelled},
}

const goodJSON = `[
  {"nui": "1714307103", "given_names": "María José", "surnames": "Guamán Ortiz",
   "birth_date": "1990-05-17", "nationality": "ECUATORIANA", "status": "vigente"},
  {"nui": "0962467429", "given_names": "Luis  Ángel ", "surnames": " Quishpe Chicaiza",
   "birth_date": "2008-02-29", "nationality": "ECUATORIANA", "status": "FALLECIDO"},
  {"nui": "3000000004", "given_names": "Begoña", "surnames": "Núñez Ibáñez",
   "birth_date": "1950-12-31", "nationality": "ESPAÑOLA", "status": "cancelado"}
]
`

func TestReadValidFiles(t *testing.T) {
	reordered := "\uFEFFstatus,nui,nationality,birth_date,surnames,given_names\r\n" +
		"vigente,1714307103,ECUATORIANA,1990-05-17,Guamán Ortiz,María José\r\n" +
		"\r\n" +
		"FALLECIDO,0962467429,ECUATORIANA,2008-02-29, Quishpe Chicaiza,Luis  Ángel \r\n" +
		"cancelado,3000000004,ESPAÑOLA,1950-12-31,Núñez Ibáñez,Begoña\r\n"
	tests := []struct {
		name, format, in string
	}{
		{"csv", FormatCSV, goodCSV},
		{"csv with BOM, CRLF, blank line and columns reordered", FormatCSV, reordered},
		{"json", FormatJSON, goodJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read(strings.NewReader(tt.in), tt.format)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(goodPeople, slices.Collect(f.All())); diff != "" {
				t.Errorf("people mismatch (-want +got):\n%s", diff)
			}
			for _, want := range goodPeople {
				got, err := f.Lookup(context.Background(), want.NUI)
				if err != nil {
					t.Fatalf("Lookup(%s): %v", want.NUI, err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Lookup(%s) mismatch (-want +got):\n%s", want.NUI, diff)
				}
			}
			for _, stranger := range []nui.NUI{"1700000001", "", "17"} {
				if _, err := f.Lookup(context.Background(), stranger); !errors.Is(err, ErrNotFound) {
					t.Errorf("Lookup(%q) = %v, want ErrNotFound", stranger, err)
				}
			}
		})
	}
}

func TestReadEmptyRegistries(t *testing.T) {
	for format, in := range map[string]string{
		FormatCSV:  "nui,given_names,surnames,birth_date,nationality,status\n",
		FormatJSON: " [ ] ",
	} {
		f, err := Read(strings.NewReader(in), format)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if f.Len() != 0 {
			t.Errorf("%s: Len() = %d, want 0", format, f.Len())
		}
	}
}

func TestReadRefusesBadRows(t *testing.T) {
	const header = "nui,given_names,surnames,birth_date,nationality,status\n"
	const ok = "1714307103,María José,Guamán Ortiz,1990-05-17,ECUATORIANA,vigente\n"
	type where struct {
		Line  int
		Field string
	}
	tests := []struct {
		name, format, in string
		want             where
		is               error
	}{
		{"csv empty file", FormatCSV, "", where{1, ""}, nil},
		{"csv unknown column", FormatCSV, "nui,given_names,surnames,birth_date,nationality,status,extra\n", where{1, ""}, nil},
		{"csv missing column", FormatCSV, "nui,given_names,surnames,birth_date,nationality\n", where{1, ""}, nil},
		{"csv column twice", FormatCSV, "nui,nui,given_names,surnames,birth_date,nationality,status\n", where{1, ""}, nil},
		{"csv check digit", FormatCSV, header + ok + "1714307104,A,B,1990-05-17,ECUATORIANA,vigente\n", where{3, "nui"}, nui.ErrCheckDigit},
		{"csv province", FormatCSV, header + "2500000001,A,B,1990-05-17,ECUATORIANA,vigente\n", where{2, "nui"}, nui.ErrProvince},
		{"csv empty given names", FormatCSV, header + "1714307103,  ,B,1990-05-17,ECUATORIANA,vigente\n", where{2, "given_names"}, errEmpty},
		{"csv empty surnames", FormatCSV, header + "1714307103,A,,1990-05-17,ECUATORIANA,vigente\n", where{2, "surnames"}, errEmpty},
		{"csv bad date", FormatCSV, header + ok + "1700000001,A,B,1990-02-30,ECUATORIANA,vigente\n", where{3, "birth_date"}, nil},
		{"csv day-first date", FormatCSV, header + "1700000001,A,B,17/05/1990,ECUATORIANA,vigente\n", where{2, "birth_date"}, nil},
		{"csv implausible date", FormatCSV, header + "1700000001,A,B,0001-01-01,ECUATORIANA,vigente\n", where{2, "birth_date"}, nil},
		{"csv empty nationality", FormatCSV, header + "1700000001,A,B,1990-01-01,,vigente\n", where{2, "nationality"}, errEmpty},
		{"csv unknown status", FormatCSV, header + "1700000001,A,B,1990-01-01,ECUATORIANA,activo\n", where{2, "status"}, nil},
		{"csv control character", FormatCSV, header + "1700000001,A\x00,B,1990-01-01,ECUATORIANA,vigente\n", where{2, "given_names"}, nil},
		{"csv invalid UTF-8", FormatCSV, header + "1700000001,A,B\xff,1990-01-01,ECUATORIANA,vigente\n", where{2, "surnames"}, nil},
		{"csv overlong name", FormatCSV, header + "1700000001," + strings.Repeat("a", 121) + ",B,1990-01-01,ECUATORIANA,vigente\n", where{2, "given_names"}, nil},
		{"csv too few fields", FormatCSV, header + ok + "1700000001,A,B,1990-01-01,ECUATORIANA\n", where{3, ""}, nil},
		{"csv bare quote", FormatCSV, header + "1700000001,A\"B,C,1990-01-01,ECUATORIANA,vigente\n", where{2, ""}, nil},
		{"csv duplicate", FormatCSV, header + ok + "1700000001,A,B,1990-01-01,ECUATORIANA,vigente\n" + ok, where{4, "nui"}, nil},
		{"json not an array", FormatJSON, `{"nui": "1714307103"}`, where{1, ""}, nil},
		{"json empty", FormatJSON, ``, where{1, ""}, nil},
		{"json truncated", FormatJSON, "[\n" + `{"nui": "1714307103",`, where{2, ""}, nil},
		{"json unknown field", FormatJSON, "[\n\n" + `{"nui": "1714307103", "name": "x"}]`, where{3, "name"}, nil},
		{"json number for string", FormatJSON, "[\n" + `{"nui": 1714307103}]`, where{2, "nui"}, nil},
		{"json bad status on line 4", FormatJSON, "[\n" + `{"nui": "1714307103", "given_names": "A", "surnames": "B",` + "\n" +
			`"birth_date": "1990-01-01", "nationality": "E", "status": "vigente"},` + "\n" +
			`{"nui": "1700000001", "given_names": "A", "surnames": "B", "birth_date": "1990-01-01", "nationality": "E", "status": "x"}]`,
			where{4, "status"}, nil},
		{"json element not an object", FormatJSON, "[\n 42]", where{2, ""}, nil},
		{"json syntax error on line 3", FormatJSON, "[\n\n{\"nui\" 1}]", where{3, ""}, nil},
		{"json trailing comma", FormatJSON, "[\n" + `{"nui": "1714307103", "given_names": "A", "surnames": "B", "birth_date": "1990-01-01", "nationality": "E", "status": "vigente"},` + "\n]", where{3, ""}, nil},
		{"json data after the array", FormatJSON, "[]\n[]", where{2, ""}, nil},
		{"json duplicate", FormatJSON, "[\n" +
			`{"nui": "1714307103", "given_names": "A", "surnames": "B", "birth_date": "1990-01-01", "nationality": "E", "status": "vigente"},` + "\n" +
			`{"nui": "1714307103", "given_names": "A", "surnames": "B", "birth_date": "1990-01-01", "nationality": "E", "status": "vigente"}` + "\n]",
			where{3, "nui"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read(strings.NewReader(tt.in), tt.format)
			if err == nil {
				t.Fatalf("Read accepted %q (%d people)", tt.in, f.Len())
			}
			var rowErr *RowError
			if !errors.As(err, &rowErr) {
				t.Fatalf("error %v is not a *RowError", err)
			}
			if diff := cmp.Diff(tt.want, where{rowErr.Line, rowErr.Field}); diff != "" {
				t.Errorf("error %q placed wrong (-want +got):\n%s", err, diff)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not match %v", err, tt.is)
			}
		})
	}
}

func TestReadUnknownFormat(t *testing.T) {
	if _, err := Read(strings.NewReader(goodCSV), "xlsx"); err == nil {
		t.Error("Read accepted the format xlsx")
	}
}

func TestOpenChoosesFormatByExtension(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"a.csv": goodCSV, "b.JSON": goodJSON} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := Open(path)
		if err != nil {
			t.Fatalf("Open(%s): %v", name, err)
		}
		if f.Len() != 3 {
			t.Errorf("Open(%s).Len() = %d, want 3", name, f.Len())
		}
	}
	txt := filepath.Join(dir, "c.txt")
	os.WriteFile(txt, []byte(goodCSV), 0o600)
	if _, err := Open(txt); err == nil {
		t.Error("Open accepted a .txt file")
	}
	if _, err := Open(filepath.Join(dir, "missing.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open of a missing file = %v, want os.ErrNotExist", err)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("nui,given_names,surnames,birth_date,nationality,status\n1714307104,A,B,1990-05-17,E,vigente\n"), 0o600)
	_, err := Open(bad)
	if err == nil || !strings.HasPrefix(err.Error(), bad+":2: nui: ") {
		t.Errorf("Open(bad.csv) = %v, want an error starting %q", err, bad+":2: nui: ")
	}
}

func TestFormatOf(t *testing.T) {
	tests := map[string]string{"x.csv": FormatCSV, "dir.d/X.CSV": FormatCSV, "p.json": FormatJSON, "p.jsonl": "", "p": ""}
	for path, want := range tests {
		got, err := FormatOf(path)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
}

func TestFileIsSafeForConcurrentLookups(t *testing.T) {
	f, err := Read(strings.NewReader(goodCSV), FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				want := goodPeople[(i+j)%len(goodPeople)]
				if got, err := f.Lookup(context.Background(), want.NUI); err != nil || got.NUI != want.NUI {
					t.Errorf("Lookup(%s) = %v, %v", want.NUI, got.NUI, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(goodCSV))
	f.Add([]byte("nui,given_names,surnames,birth_date,nationality,status\n1714307103,\"A,\"\"B\",C,1990-01-01,E,vigente\n"))
	f.Add([]byte("\uFEFFstatus,nui,nationality,birth_date,surnames,given_names\r\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) { checkRead(t, b, FormatCSV) })
}

func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(goodJSON))
	f.Add([]byte("[]"))
	f.Add([]byte(`[{"nui": 1}]`))
	f.Add([]byte("[\n{},\n{\"nui\" 1}]"))
	f.Fuzz(func(t *testing.T, b []byte) { checkRead(t, b, FormatJSON) })
}

// checkRead asserts that b is either refused with a placed error or loaded into people who
// are all valid, findable, and come back the same when written out and read again.
func checkRead(t *testing.T, b []byte, format string) {
	f, err := Read(strings.NewReader(string(b)), format)
	if err != nil {
		var rowErr *RowError
		if !errors.As(err, &rowErr) || rowErr.Line < 1 {
			t.Fatalf("refusal %v is not a placed *RowError", err)
		}
		return
	}
	people := slices.Collect(f.All())
	for _, p := range people {
		if _, err := nui.Parse(string(p.NUI)); err != nil {
			t.Fatalf("loaded invalid cédula %q", p.NUI)
		}
		got, err := f.Lookup(context.Background(), p.NUI)
		if err != nil || !cmp.Equal(got, p) {
			t.Fatalf("Lookup(%s) = %+v, %v; want %+v", p.NUI, got, err, p)
		}
	}
	var sb strings.Builder
	sb.WriteString("[")
	for i, p := range people {
		if i > 0 {
			sb.WriteString(",")
		}
		j, err := p.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		sb.Write(j)
	}
	sb.WriteString("]")
	again, err := Read(strings.NewReader(sb.String()), FormatJSON)
	if err != nil {
		t.Fatalf("re-reading what was loaded: %v", err)
	}
	if diff := cmp.Diff(people, slices.Collect(again.All())); diff != "" {
		t.Fatalf("re-reading changed the people (-first +second):\n%s", diff)
	}
}
