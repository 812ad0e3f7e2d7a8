package server

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"buzon/internal/blob"
	"buzon/internal/config"
	"buzon/internal/esign"
	"buzon/internal/identity"
	"buzon/internal/mail"
	"buzon/internal/registration"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// RegistrationDocumentsDir, under the data directory, keeps the issued and
// the signed registration documents, sealed.
const RegistrationDocumentsDir = "registro"

// NewRegistration builds the virtual registration channel: without a trust
// list (--trust-dir) it is off, and its pages say so. The trust list is read
// once, at start.
func NewRegistration(cfg *config.Config, db *store.DB, keys *seal.Keyring, ids *identity.Service, logger *slog.Logger) (*registration.Service, error) {
	var v *esign.Verifier
	if cfg.TrustDir != "" {
		roots, certs, err := esign.LoadTrustDir(cfg.TrustDir)
		if err != nil {
			return nil, fmt.Errorf("--trust-dir: %w", err)
		}
		if len(certs) == 0 {
			return nil, fmt.Errorf("--trust-dir %s holds no certificate (.pem, .crt, .cer or .der)", cfg.TrustDir)
		}
		v = &esign.Verifier{Roots: roots}
		for _, f := range strings.Split(cfg.CRLFiles, ",") {
			if f = strings.TrimSpace(f); f != "" {
				v.CRLFiles = append(v.CRLFiles, f)
			}
		}
		if cfg.Revocation == "best-effort" {
			v.Revocation = esign.RevocationBestEffort
		}
		logger.Info("online registration: signatures verified against the trust list", "dir", cfg.TrustDir,
			"authorities", len(certs), "crl_files", len(v.CRLFiles), "revocation", cfg.Revocation)
	} else {
		logger.Warn("no trust list for registration signatures (--trust-dir): online registration is off")
	}
	fs, err := blob.NewFS(filepath.Join(cfg.Data, RegistrationDocumentsDir))
	if err != nil {
		return nil, fmt.Errorf("registration document store: %w", err)
	}
	tpl, err := mail.NewTemplates(nil)
	if err != nil {
		return nil, err
	}
	return registration.New(registration.Config{
		DB:        db,
		Identity:  ids,
		Verifier:  v,
		Documents: &blob.Sealed{Store: fs, Keyring: keys},
		Keys:      keys,
		Mail:      tpl,
		MailFrom:  cfg.MailFrom,
		Logger:    logger.With("component", "registration"),
	})
}
