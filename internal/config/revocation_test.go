package config

import (
	"io"
	"testing"
)

func TestRevocationSetting(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
		ok   bool
	}{
		{nil, nil, "required", true},
		{[]string{"--revocation", "best-effort"}, nil, "best-effort", true},
		{nil, map[string]string{"BUZON_REVOCATION": "best-effort"}, "best-effort", true},
		{[]string{"--revocation", "maybe"}, nil, "", false},
	} {
		cfg, err := Parse("serve", c.args, func(k string) string { return c.env[k] }, io.Discard)
		if (err == nil) != c.ok {
			t.Errorf("%v %v: err = %v, want ok %v", c.args, c.env, err, c.ok)
			continue
		}
		if err == nil && cfg.Revocation != c.want {
			t.Errorf("%v %v: revocation = %q, want %q", c.args, c.env, cfg.Revocation, c.want)
		}
	}
	// A Config built in code (tests, the browser harness) gets the default.
	cfg := &Config{Data: t.TempDir(), LogFormat: "text", LogLevel: "info"}
	if err := cfg.Validate(); err != nil || cfg.Revocation != "required" {
		t.Errorf("zero Revocation: %v, %q", err, cfg.Revocation)
	}
}
