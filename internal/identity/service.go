package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/go-webauthn/webauthn/webauthn"

	"buzon/internal/eligibility"
	"buzon/internal/jobs"
	"buzon/internal/outbox"
	"buzon/internal/registry"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// Config is what a Service needs. DB, Keys and BaseURL are required.
type Config struct {
	DB *store.DB
	// Registry is the civil registry; nil means registration is not
	// configured, and registering refuses with ErrRegistryNotConfigured.
	Registry registry.Registry
	// Policy bounds the age of citizens at registration; zero means
	// eligibility.DefaultPolicy().
	Policy eligibility.Policy
	// Keys seal TOTP secrets at rest.
	Keys *seal.Keyring
	// BaseURL is the public address of the site, for the links in emails
	// and the WebAuthn relying party.
	BaseURL string
	// MailFrom is the From of account emails; empty means the sender's default.
	MailFrom string
	// Mailer renders account emails; nil uses the built-in Spanish and
	// English texts.
	Mailer Mailer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// PasswordParams are argon2id's parameters for new hashes; nil means
	// DefaultPasswordParams. Tests use cheap ones.
	PasswordParams *argon2id.Params
	// Sessions bounds signed-in sessions; zero fields take the defaults.
	Sessions SessionPolicy
	// Issuer names the service in authenticator apps and passkey prompts.
	Issuer string
	Logger *slog.Logger
}

// SessionPolicy bounds a signed-in session.
type SessionPolicy struct {
	// Idle ends a session unused for this long (default 30 minutes).
	Idle time.Duration
	// Lifetime ends every session this long after sign-in (default 12 hours).
	Lifetime time.Duration
}

// Service is the identity domain: registration, activation, sign-in, the
// account's security settings, sessions, the DIGERCIC and platform consoles,
// and the audit log. It is safe for concurrent use.
type Service struct {
	db       *store.DB
	registry registry.Registry
	policy   eligibility.Policy
	keys     *seal.Keyring
	baseURL  string
	mailFrom string
	mailer   Mailer
	now      func() time.Time
	params   argon2id.Params
	sessions SessionPolicy
	issuer   string
	log      *slog.Logger
	webauthn *webauthn.WebAuthn

	dummyOnce sync.Once
	dummyHash string
}

// New checks the configuration and returns a Service.
func New(c Config) (*Service, error) {
	if c.DB == nil || c.Keys == nil {
		return nil, errors.New("identity: a database and a keyring are required")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, fmt.Errorf("identity: base URL %q is not an http:// or https:// URL", c.BaseURL)
	}
	if c.Policy == (eligibility.Policy{}) {
		c.Policy = eligibility.DefaultPolicy()
	}
	if err := c.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	s := &Service{
		db: c.DB, registry: c.Registry, policy: c.Policy, keys: c.Keys,
		baseURL: strings.TrimRight(c.BaseURL, "/"), mailFrom: c.MailFrom, mailer: c.Mailer,
		now: c.Now, params: DefaultPasswordParams, sessions: c.Sessions, issuer: c.Issuer, log: c.Logger,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if c.PasswordParams != nil {
		s.params = *c.PasswordParams
	}
	if s.sessions.Idle <= 0 {
		s.sessions.Idle = 30 * time.Minute
	}
	if s.sessions.Lifetime <= 0 {
		s.sessions.Lifetime = 12 * time.Hour
	}
	if s.issuer == "" {
		s.issuer = "Buzón"
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.mailer == nil {
		s.mailer = builtinMailer{}
	}
	origin := u.Scheme + "://" + u.Host
	if net.ParseIP(u.Hostname()) != nil {
		// WebAuthn binds passkeys to a domain name: a site reached by IP
		// address (tests, a first start) works without them.
		s.log.Warn("passkeys are off: the base URL's host is an IP address, and passkeys need a domain name", "base_url", c.BaseURL)
		return s, nil
	}
	s.webauthn, err = webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: s.issuer,
		RPOrigins:     []string{origin},
	})
	if err != nil {
		return nil, fmt.Errorf("identity: passkeys: %w", err)
	}
	return s, nil
}

// PasskeysAvailable reports whether passkeys can be used on this site (its
// base URL names a domain, not an IP address).
func (s *Service) PasskeysAvailable() bool { return s.webauthn != nil }

// SessionPolicy returns the session bounds, for the web layer's session manager.
func (s *Service) SessionPolicy() SessionPolicy { return s.sessions }

// RegistryConfigured reports whether a civil registry is connected; without
// one the registration pages say the service is not configured.
func (s *Service) RegistryConfigured() bool { return s.registry != nil }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now().UTC() }

// link builds an absolute URL of the site with a token in its path.
func (s *Service) link(path, token string) string {
	return s.baseURL + path + "/" + token
}

// queueMail renders one account email and queues it in tx.
func (s *Service) queueMail(ctx context.Context, tx *store.Tx, kind MailKind, to string, data MailData, now time.Time) error {
	m, err := s.mailer.AccountMail(kind, to, data)
	if err != nil {
		return fmt.Errorf("render %s mail: %w", kind, err)
	}
	if m.From == "" {
		m.From = s.mailFrom
	}
	return outbox.Enqueue(ctx, tx, m, now, jobs.Options{})
}
