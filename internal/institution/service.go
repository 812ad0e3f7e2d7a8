package institution

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"buzon/internal/blob"
	"buzon/internal/identity"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/outbox"
	"buzon/internal/store"
)

// Defaults of Config.
const (
	DefaultDailyQuota      = 5000
	DefaultMaxDocumentSize = 10 << 20
	DefaultMaxLogoSize     = 512 << 10
)

// Config is what a Service needs. DB, Identity, Documents and BaseURL are required.
type Config struct {
	DB *store.DB
	// Identity creates the administrators' and notifiers' accounts, grants
	// and revokes their roles, ends their sessions and checks cédulas
	// against the civil registry.
	Identity *identity.Service
	// Documents keeps the requests' signed PDFs, encrypted at rest.
	Documents *blob.Sealed
	// Templates renders the emails; nil parses mail's embedded ones.
	Templates *mail.Templates
	// BaseURL is the public address of the site, for links in emails.
	BaseURL string
	// MailFrom is the From of every email; empty means the sender's default.
	MailFrom string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// DefaultDailyQuota is a new institution's daily sending quota (DefaultDailyQuota if 0).
	DefaultDailyQuota int
	// MaxDocumentSize bounds each uploaded PDF (DefaultMaxDocumentSize if 0).
	MaxDocumentSize int64
	// MaxLogoSize bounds a logo (DefaultMaxLogoSize if 0).
	MaxLogoSize int64
	Logger      *slog.Logger
}

// Service is the institutions domain: activation requests and their review
// by MINTEL, the institutions' state, modality and quota, their
// administrators and notifiers, and the checks the notifications feature
// makes before sending. It is safe for concurrent use.
type Service struct {
	db        *store.DB
	ids       *identity.Service
	docs      *blob.Sealed
	templates *mail.Templates
	baseURL   string
	mailFrom  string
	now       func() time.Time
	quota     int
	maxDoc    int64
	maxLogo   int64
	log       *slog.Logger
}

// New checks the configuration and returns a Service.
func New(c Config) (*Service, error) {
	if c.DB == nil || c.Identity == nil || c.Documents == nil {
		return nil, errors.New("institution: a database, the identity service and a document store are required")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("institution: base URL %q is not an http:// or https:// URL", c.BaseURL)
	}
	s := &Service{
		db: c.DB, ids: c.Identity, docs: c.Documents, templates: c.Templates,
		baseURL: strings.TrimRight(c.BaseURL, "/"), mailFrom: c.MailFrom, now: c.Now,
		quota: c.DefaultDailyQuota, maxDoc: c.MaxDocumentSize, maxLogo: c.MaxLogoSize, log: c.Logger,
	}
	if s.templates == nil {
		if s.templates, err = mail.NewTemplates(nil); err != nil {
			return nil, fmt.Errorf("institution: %w", err)
		}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.quota <= 0 {
		s.quota = DefaultDailyQuota
	}
	if s.maxDoc <= 0 {
		s.maxDoc = DefaultMaxDocumentSize
	}
	if s.maxLogo <= 0 {
		s.maxLogo = DefaultMaxLogoSize
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// MaxDocumentSize is the limit of each uploaded PDF, for the forms' hints
// and the web layer's bound on the request body.
func (s *Service) MaxDocumentSize() int64 { return s.maxDoc }

// MaxLogoSize is the limit of a logo.
func (s *Service) MaxLogoSize() int64 { return s.maxLogo }

// Now is the service's clock, in UTC.
func (s *Service) Now() time.Time { return s.now().UTC() }

// Audit actions written by this package. The values are stored.
const (
	ActionApprove          = "institucion.aprobar_solicitud"
	ActionReject           = "institucion.rechazar_solicitud"
	ActionViewRequest      = "institucion.consultar_solicitud"
	ActionViewDocument     = "institucion.consultar_documento"
	ActionSuspend          = "institucion.suspender"
	ActionReactivate       = "institucion.reactivar"
	ActionSetModality      = "institucion.cambiar_modalidad"
	ActionSetQuota         = "institucion.cambiar_cuota"
	ActionUpdateProfile    = "institucion.actualizar_perfil"
	ActionSetLogo          = "institucion.cambiar_logotipo"
	ActionRemoveLogo       = "institucion.quitar_logotipo"
	ActionInviteNotifier   = "institucion.invitar_notificador"
	ActionEndNotifier      = "institucion.desactivar_notificador"
	ActionChangeAdmin      = "institucion.cambiar_administrador"
	ActionResendInvitation = "institucion.reenviar_invitacion"
)

// queueMail renders one email in Spanish (the institutions' language) and
// queues it in tx.
func (s *Service) queueMail(ctx context.Context, tx *store.Tx, name, to string, data any, now time.Time) error {
	subject, text, html, err := s.templates.Render(name, mail.DefaultLanguage, data)
	if err != nil {
		return fmt.Errorf("render %s mail: %w", name, err)
	}
	m := &mail.Message{From: s.mailFrom, To: to, Subject: subject, Text: text, HTML: html,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}}
	return outbox.Enqueue(ctx, tx, m, now, jobs.Options{})
}

// audit records a staff action on an institution.
func audit(ctx context.Context, tx *store.Tx, p *identity.Principal, role identity.Role, rec identity.AuditRecord, now time.Time) error {
	return identity.RecordAudit(ctx, tx, p, role, rec, now)
}

// notFound turns the store's ErrNotFound into ours.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}
