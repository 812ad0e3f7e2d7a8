package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/registry"
)

// runRegistry runs "buzon registry args..." and returns what it printed.
func runRegistry(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = cmdRegistry(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestRegistryGenerateWritesALoadableFile(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, file string
		extra      []string
	}{
		{"csv by extension", "people.csv", nil},
		{"json by extension", "people.json", nil},
		{"format flag overrides the extension", "people.dat", []string{"-format", "json"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			args := append([]string{"generate", "-n", "250", "-seed", "9", "-o", path}, tt.extra...)
			_, stderr, err := runRegistry(t, args...)
			if err != nil {
				t.Fatalf("generate: %v\n%s", err, stderr)
			}
			if !strings.Contains(stderr, "wrote 250 people to "+path) {
				t.Errorf("stderr = %q, want a summary", stderr)
			}
			format := registry.FormatCSV
			if tt.file != "people.csv" {
				format = registry.FormatJSON
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			reg, err := registry.Read(f, format)
			if err != nil {
				t.Fatalf("generated file does not load: %v", err)
			}
			if reg.Len() != 250 {
				t.Errorf("%d people, want 250", reg.Len())
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
			if len(leftovers) != 0 {
				t.Errorf("temporary files left behind: %v", leftovers)
			}
		})
	}
}

func TestRegistryGenerateToStdoutIsDeterministic(t *testing.T) {
	first, _, err := runRegistry(t, "generate", "-n", "20", "-seed", "4", "-o", "-")
	if err != nil {
		t.Fatal(err)
	}
	second, _, _ := runRegistry(t, "generate", "-o", "-", "-seed", "4", "-n", "20")
	if first != second {
		t.Error("the same seed printed different registries")
	}
	if !strings.HasPrefix(first, "nui,given_names,surnames,birth_date,nationality,status\n") {
		t.Errorf("standard output is not CSV by default: %.80q", first)
	}
	if lines := strings.Count(first, "\n"); lines != 21 {
		t.Errorf("%d lines, want a header and 20 people", lines)
	}
	js, _, err := runRegistry(t, "generate", "-n", "2", "-o", "-", "-format", "json")
	if err != nil || !strings.HasPrefix(js, "[\n  {\"nui\":") {
		t.Errorf("-format json on standard output = %.80q, %v", js, err)
	}
}

func TestRegistryGenerateRefusesBadCommandLines(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		want    error
		message string
	}{
		{"no output", []string{"generate", "-n", "3"}, errUsage, "-o is required"},
		{"unknown extension", []string{"generate", "-o", filepath.Join(dir, "x.txt")}, errUsage, "give -format"},
		{"unknown format", []string{"generate", "-o", "-", "-format", "xml"}, errUsage, `-format "xml"`},
		{"negative count", []string{"generate", "-o", "-", "-n", "-1"}, errUsage, "-n -1"},
		{"stray argument", []string{"generate", "-o", "-", "extra"}, errUsage, `unexpected argument "extra"`},
		{"unknown flag", []string{"generate", "-x"}, errUsage, "flag provided but not defined: -x"},
		{"help", []string{"generate", "-h"}, flag.ErrHelp, "Usage: buzon registry generate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runRegistry(t, tt.args...)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(stderr, tt.message) {
				t.Errorf("stderr = %q, want it to mention %q", stderr, tt.message)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}
}

func TestRegistryGenerateFailureKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "people.csv")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // interrupted before it could write
	err := cmdRegistry(ctx, []string{"generate", "-n", "10", "-o", path}, &bytes.Buffer{}, &bytes.Buffer{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("the old file was changed to %.40q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the directory, want only the old one", len(entries))
	}
	if _, _, err := runRegistry(t, "generate", "-o", filepath.Join(dir, "missing", "x.csv")); err == nil {
		t.Error("generate into a missing directory succeeded")
	}
}

func TestRegistryLookup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "people.json")
	content := `[{"nui":"1714307103","given_names":"María José","surnames":"Guamán Ortiz",` +
		`"birth_date":"1990-05-17","nationality":"ECUATORIANA","status":"vigente"}]`
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	want := "nui          1714307103\n" +
		"given_names  María José\n" +
		"surnames     Guamán Ortiz\n" +
		"birth_date   1990-05-17\n" +
		"nationality  ECUATORIANA\n" +
		"status       vigente\n"
	for _, args := range [][]string{
		{"lookup", "-file", path, "1714307103"},
		{"lookup", "1714307103", "-file", path},
		{"lookup", "-file", path, "--", "171430710-3"},
	} {
		stdout, stderr, err := runRegistry(t, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		if diff := cmp.Diff(want, stdout); diff != "" {
			t.Errorf("%v printed (-want +got):\n%s", args, diff)
		}
	}
	stdout, _, err := runRegistry(t, "lookup", "-json", "-file", path, "1714307103")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(content[1:len(content)-1]+"\n", stdout); diff != "" {
		t.Errorf("-json printed (-want +got):\n%s", diff)
	}
}

func TestRegistryLookupFindsGeneratedPeople(t *testing.T) {
	path := filepath.Join(t.TempDir(), "people.csv")
	if _, _, err := runRegistry(t, "generate", "-n", "50", "-o", path); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for p := range reg.All() {
		stdout, _, err := runRegistry(t, "lookup", "-file", path, string(p.NUI))
		if err != nil {
			t.Fatalf("lookup %s: %v", p.NUI, err)
		}
		if !strings.Contains(stdout, p.GivenNames) || !strings.Contains(stdout, p.Surnames) {
			t.Errorf("lookup %s printed %q, want %s", p.NUI, stdout, p.FullName())
		}
	}
}

func TestRegistryLookupRefusals(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "people.csv")
	os.WriteFile(path, []byte("nui,given_names,surnames,birth_date,nationality,status\n"+
		"1714307103,María José,Guamán Ortiz,1990-05-17,ECUATORIANA,vigente\n"), 0o600)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("nui,given_names,surnames,birth_date,nationality,status\n"+
		"1714307103,María José,Guamán Ortiz,1990-02-30,ECUATORIANA,vigente\n"), 0o600)
	tests := []struct {
		name    string
		args    []string
		usage   bool
		message string
	}{
		{"not in the file", []string{"lookup", "-file", path, "1700000001"}, false, "no person holds N.U.I. 1700000001"},
		{"malformed cédula", []string{"lookup", "-file", path, "1714307104"}, false, "the check digit does not match"},
		{"bad row in the file", []string{"lookup", "-file", bad, "1714307103"}, false, bad + ":2: birth_date"},
		{"missing file", []string{"lookup", "-file", filepath.Join(dir, "none.csv"), "1714307103"}, false, "no such file"},
		{"no -file", []string{"lookup", "1714307103"}, true, "-file is required"},
		{"no cédula", []string{"lookup", "-file", path}, true, "want exactly one N.U.I."},
		{"two cédulas", []string{"lookup", "-file", path, "1714307103", "1700000001"}, true, "want exactly one N.U.I."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runRegistry(t, tt.args...)
			if err == nil {
				t.Fatalf("succeeded, printing %q", stdout)
			}
			if errors.Is(err, errUsage) != tt.usage {
				t.Errorf("err = %v, usage error: want %v", err, tt.usage)
			}
			if got := err.Error() + stderr; !strings.Contains(got, tt.message) {
				t.Errorf("error and stderr = %q, want %q", got, tt.message)
			}
		})
	}
}

func TestRegistryCommandDispatch(t *testing.T) {
	tests := []struct {
		name           string
		args           []string
		want           error
		stdout, stderr string
	}{
		{"no command", nil, errUsage, "", "Usage: buzon registry <command>"},
		{"unknown command", []string{"import"}, errUsage, "", `unknown command "import"`},
		{"help", []string{"help"}, nil, "Usage: buzon registry <command>", ""},
		{"-h", []string{"-h"}, nil, "Usage: buzon registry <command>", ""},
		{"lookup -h", []string{"lookup", "-h"}, flag.ErrHelp, "", "Usage: buzon registry lookup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runRegistry(t, tt.args...)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(stdout, tt.stdout) || (tt.stdout == "" && stdout != "") {
				t.Errorf("stdout = %q, want %q", stdout, tt.stdout)
			}
			if !strings.Contains(stderr, tt.stderr) || (tt.stderr == "" && stderr != "") {
				t.Errorf("stderr = %q, want %q", stderr, tt.stderr)
			}
		})
	}
}
