package config

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsNeedNoConfiguration(t *testing.T) {
	c, err := Parse("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := struct{ Addr, Data, DB, Key, Base string }{":8080", "./data", filepath.Join("data", "buzon.db"), filepath.Join("data", "master.key"), "http://localhost:8080"}
	got := struct{ Addr, Data, DB, Key, Base string }{c.Addr, c.Data, c.DatabaseURL, c.MasterKeyFile, c.BaseURL}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if !c.AutoMigrate || c.Dev || c.Workers != 4 {
		t.Errorf("AutoMigrate=%v Dev=%v Workers=%d", c.AutoMigrate, c.Dev, c.Workers)
	}
}

func TestFlagsWinOverEnvironment(t *testing.T) {
	e := env(map[string]string{"BUZON_ADDR": ":9000", "BUZON_DEV": "true", "BUZON_DATA": "/srv/buzon", "BUZON_WORKERS": "2"})
	c, err := Parse("serve", []string{"--addr", ":9100"}, e, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9100" || !c.Dev || c.Data != "/srv/buzon" || c.Workers != 2 || c.BaseURL != "http://localhost:9100" {
		t.Errorf("got %+v", c)
	}
}

func TestBadConfigurationIsOneClearSentence(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"database scheme", []string{"--database-url", "mysql://x/y"}, nil, `scheme "mysql" is not supported`},
		{"database url", []string{"--database-url", "postgres://a b@:x"}, nil, "--database-url is not a valid URL"},
		{"log format", []string{"--log-format", "xml"}, nil, "--log-format must be text or json"},
		{"base url", []string{"--base-url", "buzon.gob.ec"}, nil, "--base-url must be an http:// or https:// URL"},
		{"smtp", []string{"--smtp-url", "mail.example"}, nil, "--smtp-url must look like"},
		{"workers env", nil, map[string]string{"BUZON_WORKERS": "many"}, "BUZON_WORKERS must be a whole number"},
		{"registry twice", []string{"--registry-file", "a.csv", "--registry-url", "http://r"}, nil, "not both"},
		{"stray argument", []string{"extra"}, nil, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("serve", tt.args, env(tt.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "a b") {
				t.Errorf("the error repeats the URL, which may hold a password: %v", err)
			}
		})
	}
}

func TestOptionsDocumentEveryFlag(t *testing.T) {
	for _, o := range Options() {
		if !strings.HasPrefix(o.Env, "BUZON_") || o.Usage == "" {
			t.Errorf("option %+v is not documented", o)
		}
	}
}
