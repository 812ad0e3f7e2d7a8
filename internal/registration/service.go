// Package registration is the virtual registration channel (DESIGN §3 flow
// 3): a citizen types his N.U.I. and habitual email; the civil registry and
// the eligibility policy are checked as in person (identity); he confirms
// the email with a code; the platform issues a registration document (PDF
// with his data, the terms of use and a unique code, see Document); he signs
// it with his electronic signature certificate (FirmaEC…) and uploads it;
// esign verifies it; his account is created and he sets his password.
//
// Every upload that reaches the verifier is stored with the verifier's
// report, accepted or refused. The accepted signed PDF, its report and the
// signer's certificate stay with the account as the evidence of
// registration, which the citizen and DIGERCIC can see (Evidence).
//
// An application is held by the browser that started it: Start returns a
// Ref (id and secret) the web layer keeps in a cookie, and every later step
// needs it. Nothing here knows HTTP.
package registration

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"strings"
	"time"

	"buzon/internal/blob"
	"buzon/internal/esign"
	"buzon/internal/identity"
	"buzon/internal/mail"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// Defaults of Config.
const (
	DefaultLifetime  = 7 * 24 * time.Hour
	DefaultMaxUpload = 10 << 20
	// CodeLifetime is how long an emailed code works.
	CodeLifetime = 30 * time.Minute
	// MaxCodeFailures wrong codes cancel the application.
	MaxCodeFailures = 5
	// MaxCodesSent bounds the codes one application sends.
	MaxCodesSent = 3
	// MaxAttempts bounds the uploads verified for one application.
	MaxAttempts = 20
	// Per day: applications with one email, and from one client address.
	MaxApplicationsPerEmail   = 5
	MaxApplicationsPerAddress = 30
)

// Config is what a Service needs. DB, Identity, Documents, Keys and Mail are
// required; without a Verifier the channel is off (ErrNotConfigured).
type Config struct {
	DB       *store.DB
	Identity *identity.Service
	// Verifier checks the signed documents against the national trust list;
	// nil turns the virtual channel off.
	Verifier *esign.Verifier
	// Documents keeps the issued and the signed PDFs, encrypted.
	Documents *blob.Sealed
	// Keys seals the activation token kept between the verification and
	// the password.
	Keys *seal.Keyring
	// Mail renders the email with the confirmation code.
	Mail     *mail.Templates
	MailFrom string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Lifetime of an application, from its start; 0 means DefaultLifetime.
	Lifetime time.Duration
	// MaxUpload bounds the signed PDF in bytes; 0 means DefaultMaxUpload.
	MaxUpload int64
	Logger    *slog.Logger
}

// Service runs virtual registrations. It is safe for concurrent use.
type Service struct {
	db        *store.DB
	ids       *identity.Service
	verifier  *esign.Verifier
	docs      *blob.Sealed
	keys      *seal.Keyring
	mail      *mail.Templates
	mailFrom  string
	now       func() time.Time
	lifetime  time.Duration
	maxUpload int64
	log       *slog.Logger
}

// New checks the configuration and returns a Service.
func New(c Config) (*Service, error) {
	if c.DB == nil || c.Identity == nil || c.Documents == nil || c.Keys == nil || c.Mail == nil {
		return nil, errors.New("registration: a database, the identity service, a document store, a keyring and mail templates are required")
	}
	s := &Service{db: c.DB, ids: c.Identity, verifier: c.Verifier, docs: c.Documents, keys: c.Keys, mail: c.Mail,
		mailFrom: c.MailFrom, now: c.Now, lifetime: c.Lifetime, maxUpload: c.MaxUpload, log: c.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.lifetime <= 0 {
		s.lifetime = DefaultLifetime
	}
	if s.maxUpload <= 0 {
		s.maxUpload = DefaultMaxUpload
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Configured reports whether the virtual channel works: a trust list for
// the signatures and a civil registry.
func (s *Service) Configured() bool { return s.verifier != nil && s.ids.RegistryConfigured() }

// MaxUpload is the largest signed PDF accepted, in bytes; the web layer
// refuses larger requests before reading them.
func (s *Service) MaxUpload() int64 { return s.maxUpload }

// Lifetime is how long an application lasts.
func (s *Service) Lifetime() time.Duration { return s.lifetime }

// Now is the service's clock, in UTC.
func (s *Service) Now() time.Time { return s.now().UTC() }

// Ref is what the applicant's browser holds: the application's id and a
// secret only that browser knows (the database keeps its hash).
type Ref struct {
	ID     string
	Secret string
}

// String encodes the reference for a cookie.
func (r Ref) String() string { return r.ID + "." + r.Secret }

// ParseRef decodes a cookie value; ok is false for anything that cannot be
// a reference.
func ParseRef(s string) (Ref, bool) {
	id, secret, found := strings.Cut(s, ".")
	if !found || len(id) != 36 || len(secret) != 43 {
		return Ref{}, false
	}
	if _, err := base64.RawURLEncoding.DecodeString(secret); err != nil {
		return Ref{}, false
	}
	return Ref{ID: id, Secret: secret}, true
}

func newSecret() (secret string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	secret = base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(secret))
	return secret, h[:]
}

// load returns the application ref names, if ref's secret is its own;
// anything else is ErrNotFound.
func (s *Service) load(ctx context.Context, tx *store.Tx, ref Ref) (*store.RegistrationApplication, error) {
	a, err := tx.RegistrationApplication(ctx, ref.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256([]byte(ref.Secret))
	if subtle.ConstantTimeCompare(h[:], a.SecretHash) != 1 {
		return nil, ErrNotFound
	}
	return a, nil
}

// open checks that an application can still move: not cancelled, not expired.
func (s *Service) open(a *store.RegistrationApplication, now time.Time) error {
	switch State(a.State) {
	case StateCancelled:
		return ErrCancelled
	case StateEmailPending, StateAwaitingSignature:
		if !now.Before(a.ExpiresAt) {
			return ErrExpired
		}
	}
	return nil
}

// sealContext binds a sealed activation token to its application.
func sealContext(applicationID string) []byte { return []byte("registro/token/" + applicationID) }

// blobKey names an application's files in the document store.
func blobKey(applicationID, name string) string { return "registro/" + applicationID + "/" + name }

func (s *Service) closeQuietly(ctx context.Context, key string) {
	if err := s.docs.Delete(ctx, key); err != nil {
		s.log.Warn("registration: could not remove an orphan document", "key", key, "err", err)
	}
}
