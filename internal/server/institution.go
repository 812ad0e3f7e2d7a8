package server

import (
	"fmt"
	"log/slog"
	"path/filepath"

	"buzon/internal/blob"
	"buzon/internal/config"
	"buzon/internal/identity"
	"buzon/internal/institution"
	"buzon/internal/mail"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// InstitutionDocumentsDir is where the institutions' signed requests and
// delegations are kept, sealed, under the data directory.
const InstitutionDocumentsDir = "documentos-institucionales"

// NewInstitutions builds the institutions service of a process: activation
// and administrator change requests, MINTEL's console, the institutions'
// administrators. Their documents are sealed in a filesystem blob store.
func NewInstitutions(cfg *config.Config, db *store.DB, keys *seal.Keyring, ids *identity.Service, logger *slog.Logger) (*institution.Service, error) {
	fs, err := blob.NewFS(filepath.Join(cfg.Data, InstitutionDocumentsDir))
	if err != nil {
		return nil, fmt.Errorf("institution document store: %w", err)
	}
	tpl, err := mail.NewTemplates(nil)
	if err != nil {
		return nil, err
	}
	return institution.New(institution.Config{
		DB:        db,
		Identity:  ids,
		Documents: &blob.Sealed{Store: fs, Keyring: keys},
		Templates: tpl,
		BaseURL:   cfg.BaseURL,
		MailFrom:  cfg.MailFrom,
		Logger:    logger.With("component", "institution"),
	})
}
