package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"buzon/internal/config"
	"buzon/internal/evidence"
	"buzon/internal/store"
)

// EvidenceKeyDir is where the evidence keys live, inside the data directory
// (docs/EVIDENCE.md, "Keys"): created at first start on the embedded
// default; production puts its own files there.
const EvidenceKeyDir = "evidence"

// NewEvidence loads (or, at first start, creates) the evidence keys, lists
// their public halves in the database and returns the evidence log. Its
// integrator is started by Serve.
func NewEvidence(ctx context.Context, cfg *config.Config, db *store.DB, logger *slog.Logger) (*evidence.Log, error) {
	origin, err := evidence.OriginFor(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("--base-url: %w", err)
	}
	dir := filepath.Join(cfg.Data, EvidenceKeyDir)
	keys, created, err := evidence.LoadKeys(evidence.KeyFiles{
		Dir:            dir,
		Name:           origin,
		PKCS12Password: os.Getenv("BUZON_EVIDENCE_P12_PASSWORD"),
	})
	if err != nil {
		return nil, err
	}
	if len(created) > 0 {
		logger.Warn("created new evidence signing keys (Ed25519 note key, self-signed certificate for constancias); "+
			"production must install its own in this directory and back it up (docs/EVIDENCE.md)", "dir", dir, "files", created)
	}
	l := &evidence.Log{DB: db, Keys: keys, Origin: origin, Logger: logger.With("component", "evidence")}
	if err := l.PublishKeys(ctx); err != nil {
		// Pending migrations: the server reports not ready; the keys are
		// listed at the next start.
		logger.Warn("could not list the evidence keys in the database", "err", err)
	}
	logger.Info("evidence log ready", "origin", origin, "note_key", keys.VerifierKey, "certificate", evidence.CertificateID(keys.Certificate))
	return l, nil
}
