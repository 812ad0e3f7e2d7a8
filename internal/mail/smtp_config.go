package mail

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Security is how the SMTP connection is encrypted.
type Security int

// The ways to talk to a mail server. The zero value is STARTTLS when offered.
const (
	// StartTLSOpportunistic upgrades with STARTTLS when the server offers
	// it and continues in clear otherwise (smtp://, the default).
	StartTLSOpportunistic Security = iota
	// StartTLSRequired refuses to continue if the server does not offer
	// STARTTLS (smtp://...?starttls=require).
	StartTLSRequired
	// NoTLS never encrypts: only for a relay on the same host or a test
	// server (smtp://...?starttls=none).
	NoTLS
	// ImplicitTLS speaks TLS from the first byte (smtps://, port 465).
	ImplicitTLS
)

func (s Security) String() string {
	switch s {
	case StartTLSOpportunistic:
		return "starttls=opportunistic"
	case StartTLSRequired:
		return "starttls=require"
	case NoTLS:
		return "starttls=none"
	case ImplicitTLS:
		return "implicit-tls"
	}
	return fmt.Sprintf("Security(%d)", int(s))
}

// Defaults of SMTPConfig, applied by ParseURL and NewSMTP.
const (
	DefaultConnections = 2
	DefaultIdleTimeout = 30 * time.Second
	DefaultTimeout     = 30 * time.Second
	// MaxConnections bounds Connections: a mail server counts connections
	// per client and refuses many.
	MaxConnections = 32
)

// authMechanisms maps the URL's auth= values to what go-mail calls them.
var authMechanisms = map[string]bool{
	"autodiscover": true, "plain": true, "login": true, "cram-md5": true,
	"scram-sha-1": true, "scram-sha-256": true, "xoauth2": true,
}

// SMTPConfig says how to reach the mail server. Operators write it as one URL
// (see ParseURL); tests may fill it directly.
type SMTPConfig struct {
	Host string
	// Port defaults to 587, or 465 with ImplicitTLS.
	Port     int
	Security Security
	// InsecureSkipVerify accepts any server certificate. Development only.
	InsecureSkipVerify bool
	// RootCAs, when set, replaces the system roots to verify the server; it
	// has no URL form (tests use it with a server's self-signed certificate).
	RootCAs *x509.CertPool
	// Username and Password enable SMTP AUTH when Username is set.
	Username, Password string
	// Auth is the SASL mechanism: "autodiscover" (the default: the strongest
	// the server offers, never a clear-text one over an unencrypted
	// connection), "plain", "login", "cram-md5", "scram-sha-1",
	// "scram-sha-256" or "xoauth2".
	Auth string
	// From is the envelope sender (where bounces go) and the header From of
	// messages that have none, e.g. "Buzón <no-reply@buzon.gob.ec>".
	From string
	// HELO is the name announced to the server; empty means this host's name.
	HELO string
	// Connections is the number of connections kept open and used in
	// parallel (default 2).
	Connections int
	// IdleTimeout closes a connection unused for that long (default 30s).
	IdleTimeout time.Duration
	// Timeout bounds each step of the dialogue (default 30s).
	Timeout time.Duration
}

// ParseURL reads the operator's SMTP setting:
//
//	smtp://user:pass@host:587            STARTTLS when offered (port 587 by default)
//	smtp://host:25?starttls=require      STARTTLS or fail
//	smtp://localhost:25?starttls=none    clear text (local relay, tests)
//	smtps://user:pass@host:465           implicit TLS (port 465 by default)
//
// Query parameters: starttls=opportunistic|require|none (smtp only),
// insecure_skip_verify=true (development only), auth=<mechanism>,
// from=<address>, helo=<name>, connections=<1..32>, idle_timeout=<duration>,
// timeout=<duration>. An unknown parameter is an error, so a typo does not
// silently weaken the connection. Errors never include the password.
func ParseURL(raw string) (SMTPConfig, error) {
	var cfg SMTPConfig
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, password included: keep only the cause.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return cfg, fmt.Errorf("mail: SMTP URL: %w", err)
	}
	switch u.Scheme {
	case "smtp":
		cfg.Port = 587
		cfg.Security = StartTLSOpportunistic
	case "smtps":
		cfg.Port = 465
		cfg.Security = ImplicitTLS
	case "":
		return cfg, errors.New("mail: SMTP URL: missing scheme (want smtp:// or smtps://)")
	default:
		return cfg, fmt.Errorf("mail: SMTP URL: unknown scheme %q (want smtp or smtps)", u.Scheme)
	}
	if u.Opaque != "" {
		return cfg, errors.New("mail: SMTP URL: missing host (write smtp://host:port)")
	}
	cfg.Host = u.Hostname()
	if cfg.Host == "" {
		return cfg, errors.New("mail: SMTP URL: missing host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return cfg, fmt.Errorf("mail: SMTP URL: bad port %q (want 1 to 65535)", p)
		}
		cfg.Port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return cfg, errors.New("mail: SMTP URL: bad port \"\" (want 1 to 65535)")
	}
	if u.Path != "" && u.Path != "/" {
		return cfg, fmt.Errorf("mail: SMTP URL: unexpected path %q", u.Path)
	}
	if u.Fragment != "" {
		return cfg, errors.New("mail: SMTP URL: unexpected fragment")
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
		if cfg.Username == "" {
			return cfg, errors.New("mail: SMTP URL: empty user name")
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return cfg, fmt.Errorf("mail: SMTP URL: query: %w", err)
	}
	for key, values := range q {
		if len(values) != 1 {
			return cfg, fmt.Errorf("mail: SMTP URL: parameter %s given %d times", key, len(values))
		}
		v := values[0]
		switch key {
		case "starttls":
			if cfg.Security == ImplicitTLS {
				return cfg, errors.New("mail: SMTP URL: starttls does not apply to smtps:// (TLS from the start)")
			}
			switch v {
			case "opportunistic":
				cfg.Security = StartTLSOpportunistic
			case "require", "required":
				cfg.Security = StartTLSRequired
			case "none":
				cfg.Security = NoTLS
			default:
				return cfg, fmt.Errorf("mail: SMTP URL: starttls=%q (want opportunistic, require or none)", v)
			}
		case "insecure_skip_verify":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return cfg, fmt.Errorf("mail: SMTP URL: insecure_skip_verify=%q (want true or false)", v)
			}
			cfg.InsecureSkipVerify = b
		case "auth":
			cfg.Auth = strings.ToLower(v)
		case "from":
			cfg.From = v
		case "helo":
			cfg.HELO = v
		case "connections":
			n, err := strconv.Atoi(v)
			if err != nil {
				return cfg, fmt.Errorf("mail: SMTP URL: connections=%q (want a number)", v)
			}
			if n < 1 || n > MaxConnections {
				return cfg, fmt.Errorf("mail: SMTP URL: connections=%d (want 1 to %d)", n, MaxConnections)
			}
			cfg.Connections = n
		case "idle_timeout", "timeout":
			d, err := time.ParseDuration(v)
			if err != nil {
				return cfg, fmt.Errorf("mail: SMTP URL: %s=%q (want a duration such as 30s)", key, v)
			}
			if d <= 0 {
				return cfg, fmt.Errorf("mail: SMTP URL: %s=%s is not positive", key, v)
			}
			if key == "timeout" {
				cfg.Timeout = d
			} else {
				cfg.IdleTimeout = d
			}
		default:
			return cfg, fmt.Errorf("mail: SMTP URL: unknown parameter %q", key)
		}
	}
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return SMTPConfig{}, err
	}
	return cfg, nil
}

func (c *SMTPConfig) setDefaults() {
	if c.Port == 0 {
		c.Port = 587
		if c.Security == ImplicitTLS {
			c.Port = 465
		}
	}
	if c.Connections == 0 {
		c.Connections = DefaultConnections
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Username != "" && c.Auth == "" {
		c.Auth = "autodiscover"
	}
}

// validate checks a configuration with its defaults applied.
func (c *SMTPConfig) validate() error {
	if c.Host == "" {
		return errors.New("mail: SMTP: missing host")
	}
	if !validHost(c.Host) {
		return fmt.Errorf("mail: SMTP: bad host %q (want a host name, an IPv4 address or a bracketed IPv6 address)", c.Host)
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("mail: SMTP: bad port %d (want 1 to 65535)", c.Port)
	}
	if c.Security < StartTLSOpportunistic || c.Security > ImplicitTLS {
		return fmt.Errorf("mail: SMTP: unknown security %d", int(c.Security))
	}
	if c.Connections < 1 || c.Connections > MaxConnections {
		return fmt.Errorf("mail: SMTP: connections=%d (want 1 to %d)", c.Connections, MaxConnections)
	}
	if c.IdleTimeout < 0 || c.Timeout < 0 {
		return errors.New("mail: SMTP: negative timeout")
	}
	if c.Auth != "" {
		if c.Username == "" {
			return fmt.Errorf("mail: SMTP: auth=%s needs a user name (smtp://user:pass@host)", c.Auth)
		}
		if !authMechanisms[c.Auth] {
			return fmt.Errorf("mail: SMTP: unknown auth mechanism %q", c.Auth)
		}
	}
	if c.From != "" {
		if _, err := parseAddress("from", c.From); err != nil {
			return fmt.Errorf("mail: SMTP: from: %w", err)
		}
	}
	if err := checkLine("helo", c.HELO); err != nil || strings.ContainsAny(c.HELO, " \t") {
		return fmt.Errorf("mail: SMTP: helo=%q is not a host name", c.HELO)
	}
	return nil
}

// validHost accepts an IP address or an ASCII host name (IDNs in their
// punycode form), so that nothing else reaches the dialer or the TLS check.
func validHost(h string) bool {
	if strings.Contains(h, ":") {
		ip := net.ParseIP(h)
		return ip != nil && ip.To4() == nil
	}
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Redacted is the configuration as a URL with the password hidden, for logs and
// the operator's status page.
func (c SMTPConfig) Redacted() string { return c.url(true) }

// url writes c back as a URL that ParseURL reads to the same configuration
// (except RootCAs, which has no URL form).
func (c SMTPConfig) url(redact bool) string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	q := url.Values{}
	switch c.Security {
	case ImplicitTLS:
		u.Scheme = "smtps"
	case StartTLSRequired:
		q.Set("starttls", "require")
	case NoTLS:
		q.Set("starttls", "none")
	}
	if c.Username != "" {
		switch {
		case redact && c.Password != "":
			u.User = url.UserPassword(c.Username, "xxxxx")
		case c.Password != "":
			u.User = url.UserPassword(c.Username, c.Password)
		default:
			u.User = url.User(c.Username)
		}
		q.Set("auth", c.Auth)
	}
	if c.InsecureSkipVerify {
		q.Set("insecure_skip_verify", "true")
	}
	if c.From != "" {
		q.Set("from", c.From)
	}
	if c.HELO != "" {
		q.Set("helo", c.HELO)
	}
	q.Set("connections", strconv.Itoa(c.Connections))
	q.Set("idle_timeout", c.IdleTimeout.String())
	q.Set("timeout", c.Timeout.String())
	u.RawQuery = q.Encode()
	return u.String()
}
