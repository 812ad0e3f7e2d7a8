// Package config reads Buzón's settings from flags and environment variables.
// Every flag --name has a twin BUZON_NAME; a flag given on the command line
// wins over the environment, which wins over the default. The defaults make
// `buzon serve` work with no configuration at all.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything a Buzón process needs to start.
type Config struct {
	Addr            string
	BaseURL         string
	Data            string
	DatabaseURL     string
	AutoMigrate     bool
	SMTPURL         string
	MailFrom        string
	MasterKeyFile   string
	Dev             bool
	LogFormat       string
	LogLevel        string
	Workers         int
	ShutdownTimeout time.Duration
	RegistryFile    string
	RegistryURL     string
	// TrustDir, CRLFiles and Revocation configure the verification of
	// the registration documents citizens sign (virtual channel).
	TrustDir   string
	CRLFiles   string
	Revocation string
	// APIRateLimit is how many requests per minute each institution may
	// make to the interconnection API, counted across all nodes.
	APIRateLimit int
	// WebhooksAllowPrivate admits http:// webhook URLs and loopback or
	// private addresses: development and tests only (no SSRF defence).
	WebhooksAllowPrivate bool
	// Retention periods, in days, applied by the daily privacy job (LOPDP);
	// notifications are never deleted by it, only counted once past theirs.
	RetentionNotificationDays int
	RetentionSignInDays       int
	RetentionRegistrationDays int
	RetentionDevMailDays      int
	RetentionJobDays          int
}

// Option describes one setting for --help and the README.
type Option struct {
	Flag, Env, Default, Usage string
}

// bind declares the flags on fs, with defaults taken from the environment.
func (c *Config) bind(fs *flag.FlagSet, getenv func(string) string) []Option {
	var opts []Option
	str := func(p *string, name, def, usage string) {
		env := envName(name)
		if v := getenv(env); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" ("+env+")")
		opts = append(opts, Option{"--" + name, env, def, usage})
	}
	boolean := func(p *bool, name string, def bool, usage string) {
		env := envName(name)
		if v := getenv(env); v != "" {
			if b, err := strconv.ParseBool(v); err == nil {
				def = b
			}
		}
		fs.BoolVar(p, name, def, usage+" ("+env+")")
		opts = append(opts, Option{"--" + name, env, strconv.FormatBool(def), usage})
	}
	str(&c.Addr, "addr", ":8080", "address to listen on")
	str(&c.BaseURL, "base-url", "", "public URL of the site, used in emails (default http://localhost and the port of --addr)")
	str(&c.Data, "data", "./data", "directory for the SQLite database, keys and files")
	str(&c.DatabaseURL, "database-url", "", "postgres://… for PostgreSQL; default: an SQLite file in the data directory")
	boolean(&c.AutoMigrate, "migrate", true, "apply pending database migrations at start")
	str(&c.SMTPURL, "smtp-url", "", "smtp://user:pass@host:587 or smtps://host:465; empty keeps mail in the development mailbox")
	str(&c.MailFrom, "mail-from", "Buzón <no-responder@buzon.localhost>", "sender address of every email")
	str(&c.MasterKeyFile, "master-key-file", "", "file holding the 32-byte master key for encryption at rest; default: <data>/master.key, created if missing")
	boolean(&c.Dev, "dev", false, "development mode: shows the development mailbox at /dev/mail")
	str(&c.LogFormat, "log-format", "text", "log format: text or json")
	str(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	str(&c.RegistryFile, "registry-file", "", "civil registry as a CSV or JSON file (demo, tests, offline)")
	str(&c.RegistryURL, "registry-url", "", "civil registry web service base URL")
	str(&c.TrustDir, "trust-dir", "", "directory of the accredited certification authorities' certificates (PEM or DER) trusted for the signed registration documents; empty turns online registration off")
	str(&c.CRLFiles, "crl-file", "", "local CRL files (DER or PEM), comma-separated, for revocation checks of registration signatures")
	str(&c.Revocation, "revocation", "required", "when neither OCSP nor a CRL tells a signer certificate's status: required (refuse) or best-effort (accept, recorded)")
	boolean(&c.WebhooksAllowPrivate, "webhooks-allow-private", false, "accept http:// webhook URLs and loopback or private addresses (development and tests only: turns off the SSRF defence)")
	days := func(p *int, name string, def int, usage string) {
		env := envName(name)
		v := strconv.Itoa(def)
		if e := getenv(env); e != "" {
			v = e
		}
		fs.Func(name, usage+" ("+env+") (default "+strconv.Itoa(def)+")", func(s string) error {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return errors.New("must be a whole number of days, 0 or more")
			}
			*p = n
			return nil
		})
		opts = append(opts, Option{"--" + name, env, v, usage})
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			*p = n
		} else {
			*p = -1 // reported by Validate
		}
	}
	days(&c.RetentionNotificationDays, "retention-notification-days", 3650, "days notifications, their attachments and evidence are kept at least (legal retention; never deleted by the retention job; minimum 1825)")
	days(&c.RetentionSignInDays, "retention-sign-in-days", 365, "days the sign-in history is kept; 0 keeps it for ever")
	days(&c.RetentionRegistrationDays, "retention-registration-days", 90, "days abandoned online registration applications are kept after they expire; 0 keeps them")
	days(&c.RetentionDevMailDays, "retention-dev-mail-days", 30, "days the development mailbox keeps messages; 0 keeps them")
	days(&c.RetentionJobDays, "retention-job-days", 30, "days finished jobs (with the emails they sent) are kept; 0 keeps them")
	rate := "600"
	if v := getenv("BUZON_API_RATE_LIMIT"); v != "" {
		rate = v
	}
	fs.Func("api-rate-limit", "requests per minute each institution may make to the API, across all nodes (BUZON_API_RATE_LIMIT) (default 600)", func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return errors.New("must be a whole number, 1 or more")
		}
		c.APIRateLimit = n
		return nil
	})
	opts = append(opts, Option{"--api-rate-limit", "BUZON_API_RATE_LIMIT", rate, "requests per minute each institution may make to the API, across all nodes"})
	if n, err := strconv.Atoi(rate); err == nil && n >= 1 {
		c.APIRateLimit = n
	} else {
		c.APIRateLimit = -1 // reported by Validate
	}
	workers := "4"
	if v := getenv("BUZON_WORKERS"); v != "" {
		workers = v
	}
	fs.Func("workers", "jobs run at once by this process; 0 runs no worker (BUZON_WORKERS) (default 4)", func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return errors.New("must be a whole number, 0 or more")
		}
		c.Workers = n
		return nil
	})
	opts = append(opts, Option{"--workers", "BUZON_WORKERS", workers, "jobs run at once by this process; 0 runs no worker"})
	n, err := strconv.Atoi(workers)
	if err != nil || n < 0 {
		n = -1 // reported by Validate
	}
	c.Workers = n
	c.ShutdownTimeout = 30 * time.Second
	return opts
}

func envName(flagName string) string {
	return "BUZON_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Parse reads the settings of a serving command from args and the environment.
func Parse(name string, args []string, getenv func(string) string, out io.Writer) (*Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	c := &Config{}
	opts := c.bind(fs, getenv)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: buzon %s [flags]\n\nEvery flag can also be set with the environment variable shown beside it.\n\nFlags:\n", name)
		fs.PrintDefaults()
	}
	_ = opts
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Options lists every setting with its flag, variable and default, for the README.
func Options() []Option {
	c := &Config{}
	return c.bind(flag.NewFlagSet("", flag.ContinueOnError), func(string) string { return "" })
}

// Validate checks the settings that can be checked without touching anything,
// filling in the derived defaults.
func (c *Config) Validate() error {
	if c.Workers < 0 {
		return errors.New("BUZON_WORKERS must be a whole number, 0 or more")
	}
	if c.APIRateLimit < 0 {
		return errors.New("BUZON_API_RATE_LIMIT must be a whole number, 1 or more")
	}
	if c.APIRateLimit == 0 {
		c.APIRateLimit = 600
	}
	for _, d := range []int{c.RetentionNotificationDays, c.RetentionSignInDays, c.RetentionRegistrationDays, c.RetentionDevMailDays, c.RetentionJobDays} {
		if d < 0 {
			return errors.New("the --retention-… settings must be whole numbers of days, 0 or more")
		}
	}
	if c.RetentionNotificationDays != 0 && c.RetentionNotificationDays < 1825 {
		return fmt.Errorf("--retention-notification-days must be at least 1825 (5 years), not %d", c.RetentionNotificationDays)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level must be debug, info, warn or error, not %q", c.LogLevel)
	}
	if c.Data == "" {
		return errors.New("--data must name a directory")
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.Data, "buzon.db")
	} else if strings.Contains(c.DatabaseURL, "://") {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil {
			return fmt.Errorf("--database-url is not a valid URL: %v", redact(err))
		}
		if u.Scheme != "postgres" && u.Scheme != "postgresql" {
			return fmt.Errorf("--database-url: scheme %q is not supported; use postgres://… or leave it empty for SQLite", u.Scheme)
		}
	}
	if c.MasterKeyFile == "" {
		c.MasterKeyFile = filepath.Join(c.Data, "master.key")
	}
	if c.BaseURL == "" {
		port := "8080"
		if i := strings.LastIndexByte(c.Addr, ':'); i >= 0 && c.Addr[i+1:] != "" && c.Addr[i+1:] != "0" {
			port = c.Addr[i+1:]
		}
		c.BaseURL = "http://localhost:" + port
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--base-url must be an http:// or https:// URL, not %q", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return errors.New("--smtp-url must look like smtp://user:password@host:587 or smtps://host:465")
		}
	}
	switch c.Revocation {
	case "":
		c.Revocation = "required"
	case "required", "best-effort":
	default:
		return fmt.Errorf("--revocation must be required or best-effort, not %q", c.Revocation)
	}
	if c.RegistryFile != "" && c.RegistryURL != "" {
		return errors.New("set --registry-file or --registry-url, not both")
	}
	return nil
}

// redact removes a password from a URL parse error message.
func redact(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// Getenv is os.Getenv, named for injection in tests.
var Getenv = os.Getenv
