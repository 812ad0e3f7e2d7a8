// Package server assembles a running Buzón from its configuration: data
// directory, keys, database, mail, job workers and the web handler. The
// `buzon serve` command and the browser tests both start it from here.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"buzon/internal/config"
	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/metrics"
	"buzon/internal/notification"
	"buzon/internal/outbox"
	"buzon/internal/seal"
	"buzon/internal/store"
	"buzon/internal/web"
)

// Version is set at build time with -ldflags "-X buzon/internal/server.Version=…".
var Version = "dev"

// Server is a configured Buzón process.
type Server struct {
	cfg     *config.Config
	log     *slog.Logger
	db      *store.DB
	keys    *seal.Keyring
	metrics *metrics.Metrics
	runner  *jobs.Runner
	sender  mail.Sender
	closers []func() error
	handler http.Handler
	ids     *identity.Service
	evid    *evidence.Log
	notes   *notification.Service
	inter   *Interconnection
}

// New prepares the data directory, keys and database, and builds the handler.
// Every error it returns is one sentence a operator can act on.
func New(ctx context.Context, cfg *config.Config, logger *slog.Logger) (_ *Server, err error) {
	s := &Server{cfg: cfg, log: logger, metrics: metrics.New()}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err := ensureWritableDir(cfg.Data); err != nil {
		return nil, err
	}
	var created bool
	if s.keys, created, err = seal.LoadKeyring(cfg.MasterKeyFile); err != nil {
		return nil, err
	}
	if created {
		logger.Warn("created a new master key for encryption at rest; production must supply its own key file and back it up",
			"file", cfg.MasterKeyFile)
	}

	s.db, err = store.Open(ctx, cfg.DatabaseURL, store.Options{})
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	s.closers = append(s.closers, s.db.Close)
	if cfg.AutoMigrate {
		applied, err := s.db.Migrate(ctx)
		if err != nil {
			return nil, fmt.Errorf("database migrations: %w", err)
		}
		if len(applied) > 0 {
			logger.Info("applied database migrations", "migrations", applied)
		}
	} else if pending, err := s.db.Pending(ctx); err != nil {
		return nil, fmt.Errorf("database migrations: %w", err)
	} else if len(pending) > 0 {
		logger.Warn("database migrations are pending; run `buzon migrate` (the server reports not ready until then)", "pending", pending)
	}
	logger.Info("database ready", "database", s.db.String())

	if cfg.SMTPURL == "" {
		s.sender = outbox.DevMailbox{DB: s.db}
		logger.Warn("no SMTP server configured (--smtp-url): mail is NOT delivered, it is kept in the development mailbox" +
			devMailHint(cfg.Dev))
	} else {
		smtpCfg, err := mail.ParseURL(cfg.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("--smtp-url: %w", err)
		}
		smtp, err := mail.NewSMTP(smtpCfg)
		if err != nil {
			return nil, fmt.Errorf("--smtp-url: %w", err)
		}
		s.sender = smtp
		s.closers = append(s.closers, smtp.Close)
	}

	s.metrics.WatchJobQueue(s.db.Reader().JobCounts)
	s.runner = &jobs.Runner{DB: s.db, Logger: logger.With("component", "jobs"), Metrics: s.metrics, Concurrency: max(cfg.Workers, 1)}
	s.runner.Register(outbox.Job(s.sender, s.metrics, logger.With("component", "mail")))

	reg, err := OpenRegistry(cfg, logger)
	if err != nil {
		return nil, err
	}
	if s.ids, err = NewIdentity(cfg, s.db, s.keys, reg, logger); err != nil {
		return nil, err
	}
	registerIdentityJobs(ctx, s.runner, s.ids, logger)
	if s.notes, err = NewNotifications(cfg, s.db, s.keys, logger); err != nil {
		return nil, err
	}
	if s.evid, err = NewEvidence(ctx, cfg, s.db, logger); err != nil {
		return nil, err
	}
	insts, err := NewInstitutions(cfg, s.db, s.keys, s.ids, logger)
	if err != nil {
		return nil, err
	}
	registrations, err := NewRegistration(cfg, s.db, s.keys, s.ids, logger)
	if err != nil {
		return nil, err
	}
	if err := registerNotificationJobs(ctx, s.runner, s.notes, s.sender); err != nil {
		return nil, err
	}
	registerPrivacyJobs(ctx, cfg, s.db, s.runner, logger)
	registerKeyJobs(ctx, cfg, s.db, s.runner, s.keys, s.metrics.Registry, logger)
	if s.inter, err = NewInterconnection(cfg, s.db, s.keys, s.notes, s.runner, logger); err != nil {
		return nil, err
	}

	s.handler, err = web.New(web.Options{
		Logger:  logger,
		Metrics: s.metrics,
		Dev:     cfg.Dev,
		BaseURL: cfg.BaseURL,
		Version: Version,
		Ready:   s.ready,
		DevMail: s.db.Reader(),

		Evidence: s.evid,

		Identity:     s.ids,
		SessionStore: store.Sessions{DB: s.db},

		Notifications: s.notes,
		Constancias:   s.evid,
		Institutions:  insts,
		Registration:  registrations,
		API:           s.inter.API,
		APIKeys:       s.inter.Keys,
		Webhooks:      s.inter.Webhooks,
	})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return s, nil
}

func devMailHint(dev bool) string {
	if dev {
		return "; read it at /dev/mail"
	}
	return "; start with --dev to read it at /dev/mail"
}

// ready reports whether this node should receive traffic: the database
// answers and its schema is current.
func (s *Server) ready(ctx context.Context) error {
	if err := s.db.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	pending, err := s.db.Pending(ctx)
	if err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	if len(pending) > 0 {
		return fmt.Errorf("%d database migrations pending", len(pending))
	}
	return nil
}

// Handler is the HTTP handler of the whole site.
func (s *Server) Handler() http.Handler { return s.handler }

// DB is the server's database, for tests and admin commands.
func (s *Server) DB() *store.DB { return s.db }

// Keys is the keyring for encryption at rest.
func (s *Server) Keys() *seal.Keyring { return s.keys }

// Jobs is the server's job runner; tests call RunDue on it.
func (s *Server) Jobs() *jobs.Runner { return s.runner }

// Interconnection is the API's keys, webhooks and handler.
func (s *Server) Interconnection() *Interconnection { return s.inter }

// Evidence is the evidence log: constancias, proofs, audits.
func (s *Server) Evidence() *evidence.Log { return s.evid }

// Serve answers HTTP on ln and runs the job workers until ctx is cancelled,
// then stops accepting requests, lets running requests and jobs finish (up
// to the shutdown timeout) and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // large uploads on slow links
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	var wg sync.WaitGroup
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	if s.cfg.Workers > 0 {
		wg.Go(func() { s.runner.Run(workCtx) })
	}
	if s.evid != nil {
		wg.Go(func() { s.evid.Run(workCtx, 0) })
	}
	if s.cfg.Workers > 0 && s.inter != nil {
		wg.Go(func() { s.inter.Webhooks.Run(workCtx, webhookDispatchInterval) })
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("serving", "addr", ln.Addr().String(), "base_url", s.cfg.BaseURL, "workers", s.cfg.Workers, "version", Version)

	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		s.log.Warn("http shutdown", "err", err)
	}
	stopWork()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-shutCtx.Done():
		s.log.Warn("jobs still running at the shutdown timeout; their leases will expire and they will run again")
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// Close releases the database and mail connections.
func (s *Server) Close() error {
	var err error
	for i := len(s.closers) - 1; i >= 0; i-- {
		err = errors.Join(err, s.closers[i]())
	}
	s.closers = nil
	return err
}

// ensureWritableDir creates dir if needed and proves it can hold files.
func ensureWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("data directory %s cannot be created: %w", dir, unwrapPath(err))
	}
	probe := filepath.Join(dir, ".write-test")
	if err := os.WriteFile(probe, nil, 0o600); err != nil {
		return fmt.Errorf("data directory %s is not writable: %w", dir, unwrapPath(err))
	}
	return os.Remove(probe)
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
