package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"buzon/internal/config"
	"buzon/internal/identity"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/registry"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// DemoRegistryFile is the synthetic civil registry `buzon serve --dev` uses
// when neither --registry-file nor --registry-url is set: generated in the
// data directory on first start (DemoRegistrySize people, always the same
// ones), so registration can be tried out. Find people in it with
// `buzon registry lookup`.
const (
	DemoRegistryFile = "registro-civil-demo.csv"
	DemoRegistrySize = 5000
)

// OpenRegistry opens the civil registry the configuration names: a file
// (--registry-file), a web service (--registry-url), in development mode the
// demo file, and otherwise none (nil), in which case registration pages say
// the service is not configured.
func OpenRegistry(cfg *config.Config, logger *slog.Logger) (registry.Registry, error) {
	switch {
	case cfg.RegistryFile != "":
		reg, err := registry.Open(cfg.RegistryFile)
		if err != nil {
			return nil, fmt.Errorf("--registry-file: %w", err)
		}
		logger.Info("civil registry loaded from a file", "file", cfg.RegistryFile, "people", reg.Len())
		return reg, nil
	case cfg.RegistryURL != "":
		reg, err := registry.NewHTTP(cfg.RegistryURL, registry.HTTPOptions{Token: os.Getenv("BUZON_REGISTRY_TOKEN")})
		if err != nil {
			return nil, fmt.Errorf("--registry-url: %w", err)
		}
		logger.Info("civil registry web service configured", "url", cfg.RegistryURL)
		return reg, nil
	case cfg.Dev:
		path := filepath.Join(cfg.Data, DemoRegistryFile)
		if _, err := os.Stat(path); os.IsNotExist(err) {
			if err := writeDemoRegistry(path); err != nil {
				return nil, fmt.Errorf("demo civil registry: %w", err)
			}
		}
		reg, err := registry.Open(path)
		if err != nil {
			return nil, fmt.Errorf("demo civil registry: %w", err)
		}
		logger.Warn("development mode: using a SYNTHETIC civil registry; look people up with `buzon registry lookup`",
			"file", path, "people", reg.Len())
		return reg, nil
	default:
		logger.Warn("no civil registry configured (--registry-file or --registry-url): citizen registration is off")
		return nil, nil
	}
}

func writeDemoRegistry(path string) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := registry.Generate(f, DemoRegistrySize, 2026, registry.FormatCSV); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// NewIdentity builds the identity service of a process: accounts, sign-in,
// sessions, the consoles. The admin command line builds it the same way.
func NewIdentity(cfg *config.Config, db *store.DB, keys *seal.Keyring, reg registry.Registry, logger *slog.Logger) (*identity.Service, error) {
	tpl, err := mail.NewTemplates(nil)
	if err != nil {
		return nil, err
	}
	return identity.New(identity.Config{
		DB:       db,
		Registry: reg,
		Keys:     keys,
		BaseURL:  cfg.BaseURL,
		MailFrom: cfg.MailFrom,
		Mailer:   identity.TemplateMailer{Templates: tpl},
		Logger:   logger.With("component", "identity"),
	})
}

// registerIdentityJobs adds the hourly cleanup of sessions, tokens and
// throttle keys to the runner and queues the next one.
func registerIdentityJobs(ctx context.Context, r *jobs.Runner, ids *identity.Service, logger *slog.Logger) {
	r.Register(ids.CleanupJob())
	if err := ids.ScheduleCleanup(ctx); err != nil {
		logger.Warn("the identity cleanup is not scheduled yet (are migrations pending?); it will be at the next start", "err", err)
	}
}

// Identity is the server's identity service.
func (s *Server) Identity() *identity.Service { return s.ids }
