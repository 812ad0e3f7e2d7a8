package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseURL(t *testing.T) {
	base := func(change func(*SMTPConfig)) SMTPConfig {
		c := SMTPConfig{Host: "mail.example.gob.ec", Port: 587, Connections: DefaultConnections,
			IdleTimeout: DefaultIdleTimeout, Timeout: DefaultTimeout}
		if change != nil {
			change(&c)
		}
		return c
	}
	tests := []struct {
		raw  string
		want SMTPConfig
	}{
		{"smtp://mail.example.gob.ec", base(nil)},
		{"smtp://mail.example.gob.ec:25", base(func(c *SMTPConfig) { c.Port = 25 })},
		{"smtp://mail.example.gob.ec/", base(nil)},
		{"smtp://user:p%40ss:w0rd@mail.example.gob.ec:587", base(func(c *SMTPConfig) {
			c.Username, c.Password, c.Auth = "user", "p@ss:w0rd", "autodiscover"
		})},
		{"smtp://mail.example.gob.ec?starttls=require", base(func(c *SMTPConfig) { c.Security = StartTLSRequired })},
		{"smtp://mail.example.gob.ec?starttls=opportunistic", base(nil)},
		{"smtp://127.0.0.1:2525?starttls=none", base(func(c *SMTPConfig) { c.Host, c.Port, c.Security = "127.0.0.1", 2525, NoTLS })},
		{"smtps://mail.example.gob.ec", base(func(c *SMTPConfig) { c.Port, c.Security = 465, ImplicitTLS })},
		{"smtps://u:p@[2001:db8::1]:4650?insecure_skip_verify=true", base(func(c *SMTPConfig) {
			c.Host, c.Port, c.Security, c.InsecureSkipVerify = "2001:db8::1", 4650, ImplicitTLS, true
			c.Username, c.Password, c.Auth = "u", "p", "autodiscover"
		})},
		{"smtp://u:p@mail.example.gob.ec?auth=PLAIN", base(func(c *SMTPConfig) { c.Username, c.Password, c.Auth = "u", "p", "plain" })},
		{"smtp://mail.example.gob.ec?from=Buz%C3%B3n+%3Cno-responder%40buzon.gob.ec%3E&helo=app1.buzon.gob.ec", base(func(c *SMTPConfig) {
			c.From, c.HELO = "Buzón <no-responder@buzon.gob.ec>", "app1.buzon.gob.ec"
		})},
		{"smtp://mail.example.gob.ec?connections=8&idle_timeout=2m&timeout=10s", base(func(c *SMTPConfig) {
			c.Connections, c.IdleTimeout, c.Timeout = 8, 2*time.Minute, 10*time.Second
		})},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := ParseURL(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(SMTPConfig{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"", "missing scheme"},
		{"mail.example.gob.ec:587", "unknown scheme"},
		{"http://mail.example.gob.ec", `unknown scheme "http"`},
		{"smtp:mail.example.gob.ec", "missing host"},
		{"smtp://", "missing host"},
		{"smtp://:587", "missing host"},
		{"smtp://user:pass@:587", "missing host"},
		{"smtp://mail.example.gob.ec:0", "bad port"},
		{"smtp://mail.example.gob.ec:65536", "bad port"},
		{"smtp://mail.example.gob.ec:", "bad port"},
		{"smtp://mail.example.gob.ec:smtp", "port"},
		{"smtp://mail.example.gob.ec/relay", "unexpected path"},
		{"smtp://mail.example.gob.ec#x", "unexpected fragment"},
		{"smtp://mail.example.gob.ec?starttls=maybe", "starttls"},
		{"smtps://mail.example.gob.ec?starttls=require", "does not apply to smtps"},
		{"smtp://mail.example.gob.ec?insecure_skip_verify=si", "insecure_skip_verify"},
		{"smtp://mail.example.gob.ec?tls=on", `unknown parameter "tls"`},
		{"smtp://mail.example.gob.ec?starttls=none&starttls=require", "given 2 times"},
		{"smtp://mail.example.gob.ec?auth=plain", "needs a user name"},
		{"smtp://u:p@mail.example.gob.ec?auth=kerberos", "unknown auth mechanism"},
		{"smtp://mail.example.gob.ec?connections=0", "connections=0"},
		{"smtp://mail.example.gob.ec?connections=100", "connections=100"},
		{"smtp://mail.example.gob.ec?connections=two", "want a number"},
		{"smtp://mail.example.gob.ec?timeout=10", "want a duration"},
		{"smtp://mail.example.gob.ec?idle_timeout=-1s", "not positive"},
		{"smtp://mail.example.gob.ec?timeout=0s", "not positive"},
		{"smtp://mail.example.gob.ec?from=not-an-address", "from"},
		{"smtp://mail.example.gob.ec?helo=a%20b", "helo"},
		{"smtp://:p@mail.example.gob.ec", "empty user name"},
		{"smtp://user:s3cr3t@mail.example.gob.ec:99999", "bad port"},
		{"smtp://user:s3cr3t@mail example.gob.ec", "invalid character"},
		{"smtp://0::1", "bad host"},
		{"smtp://h%C3%B1.ec", "bad host"},
		{"smtp://-h.ec", "bad host"},
		{"smtp://a..b", "bad host"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			_, err := ParseURL(tt.raw)
			if err == nil {
				t.Fatalf("ParseURL succeeded, want an error about %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseURL = %q, want it to mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error reveals the password: %q", err)
			}
		})
	}
}

func TestSMTPConfigRedacted(t *testing.T) {
	cfg, err := ParseURL("smtp://buzon:s3cr3t@mail.example.gob.ec?starttls=require")
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Redacted()
	want := "smtp://buzon:xxxxx@mail.example.gob.ec:587?auth=autodiscover&connections=2&idle_timeout=30s&starttls=require&timeout=30s"
	if got != want {
		t.Errorf("Redacted() = %q, want %q", got, want)
	}
}

func FuzzParseURL(f *testing.F) {
	for _, seed := range []string{
		"smtp://mail.example.gob.ec", "smtps://u:p@host:465?insecure_skip_verify=true",
		"smtp://u:p%40x@[::1]:2525?starttls=none&auth=plain&from=a%40b.ec&connections=4&timeout=5s&idle_timeout=1m",
		"smtp://h?helo=x.y", "smtp://:0", "smtp:opaque", "smtp://h?from=%C3%B1%40b.ec", "smtp://h:%35",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		cfg, err := ParseURL(raw)
		if err != nil {
			return
		}
		if cfg.Host == "" || cfg.Port < 1 || cfg.Port > 65535 || cfg.Connections < 1 || cfg.Connections > MaxConnections ||
			cfg.IdleTimeout <= 0 || cfg.Timeout <= 0 {
			t.Fatalf("ParseURL(%q) accepted an unusable configuration %+v", raw, cfg)
		}
		if cfg.Security == ImplicitTLS != strings.HasPrefix(raw, "smtps:") {
			t.Fatalf("ParseURL(%q): security %v does not follow the scheme", raw, cfg.Security)
		}
		// What ParseURL accepts, NewSMTP accepts, and writing it back reads the same.
		if _, err := NewSMTP(cfg); err != nil {
			t.Fatalf("NewSMTP(ParseURL(%q)): %v", raw, err)
		}
		again, err := ParseURL(cfg.url(false))
		if err != nil {
			t.Fatalf("ParseURL(%q) -> %q: %v", raw, cfg.url(false), err)
		}
		if diff := cmp.Diff(cfg, again, cmpopts.IgnoreUnexported(SMTPConfig{})); diff != "" {
			t.Fatalf("round trip of %q via %q (-first +second):\n%s", raw, cfg.url(false), diff)
		}
		if cfg.Password != "" && strings.Contains(cfg.Redacted(), cfg.Password) && cfg.Password != "xxxxx" &&
			!strings.Contains(cfg.Redacted(), "xxxxx") {
			t.Fatalf("Redacted() %q shows the password", cfg.Redacted())
		}
	})
}
