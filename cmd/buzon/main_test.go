package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStartupErrorsAreOneClearSentence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	os.WriteFile(file, nil, 0o600)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unparseable database URL", []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--database-url", "postgres://u:secreto@host:notaport/db"}, "configuration: --database-url is not a valid URL: invalid port"},
		{"unsupported database", []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--database-url", "mysql://h/db"}, `scheme "mysql" is not supported`},
		{"unwritable data directory", []string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(file, "sub")}, "data directory " + filepath.Join(file, "sub") + " cannot be created: not a directory"},
		{"port in use", []string{"serve", "--addr", busy.Addr().String(), "--data", dir}, "cannot listen on " + busy.Addr().String() + ": address already in use"},
		{"bad log format", []string{"serve", "--log-format", "xml"}, "configuration: --log-format must be text or json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secreto") {
				t.Errorf("the error shows the database password: %v", err)
			}
			if strings.Contains(err.Error(), "\n") || strings.Contains(errOut.String(), "goroutine") {
				t.Errorf("not one clear line: %q / %q", err, errOut.String())
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"help"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"serve", "migrate", "registry", "version"} {
		if !strings.Contains(out.String(), cmd) {
			t.Errorf("help does not mention %q", cmd)
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"help", "serve"}, &out, &errOut); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("help serve: %v", err)
	}
	for _, f := range []string{"-addr", "BUZON_ADDR", "-database-url", "-smtp-url", "-master-key-file", "-dev"} {
		if !strings.Contains(errOut.String(), f) {
			t.Errorf("serve -h does not document %s", f)
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"version"}, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "buzon ") {
		t.Errorf("version = %q, %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, &out, &errOut); !errors.Is(err, errUsage) {
		t.Errorf("unknown command: %v", err)
	}
}

func TestMigrateCreatesAndUpdatesTheDatabase(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "--data", dir}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "applied 0001_core") {
		t.Errorf("first migrate printed %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "--data", dir}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "up to date") {
		t.Errorf("second migrate printed %q", out.String())
	}
}

func TestREADMEDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	if err := run(context.Background(), []string{"serve", "-h"}, &buf, &buf); !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "-") {
			continue
		}
		name := strings.Fields(line)[0]
		if !bytes.Contains(readme, []byte("`-"+name+"`")) {
			t.Errorf("README's configuration table lacks %s", name)
		}
	}
}
