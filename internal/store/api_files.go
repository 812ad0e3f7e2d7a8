package store

import (
	"context"
	"fmt"
	"time"
)

// APIFile is one row of api_files: an attachment an institution's system
// uploaded, sealed in the blob store, ready to be named in notifications.
type APIFile struct {
	ID            string
	InstitutionID string
	APIKeyID      string
	Mode          string
	Filename      string
	TypeID        string
	MediaType     string
	Size          int64
	SHA256        string
	BlobKey       string
	CreatedAt     time.Time
}

const apiFileColumns = `id, institution_id, api_key_id, mode, filename, type_id, media_type, size, sha256, blob_key, created_at`

// InsertAPIFile records an uploaded file.
func (tx *Tx) InsertAPIFile(ctx context.Context, f *APIFile) error {
	if f.ID == "" {
		f.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO api_files (`+apiFileColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		f.ID, f.InstitutionID, f.APIKeyID, f.Mode, f.Filename, f.TypeID, f.MediaType, f.Size, f.SHA256, f.BlobKey, micros(f.CreatedAt))
	return wrapWrite("insert API file", err)
}

// APIFile returns one of an institution's uploaded files, or ErrNotFound
// (also for another institution's file).
func (tx *Tx) APIFile(ctx context.Context, institutionID, id string) (*APIFile, error) {
	if !validUUID(id) || !validUUID(institutionID) {
		return nil, fmt.Errorf("API file %q: %w", id, ErrNotFound)
	}
	var (
		f       APIFile
		created int64
	)
	err := tx.q.QueryRowContext(ctx, `SELECT `+apiFileColumns+` FROM api_files WHERE id = $1 AND institution_id = $2`,
		id, institutionID).Scan(&f.ID, &f.InstitutionID, &f.APIKeyID, &f.Mode, &f.Filename, &f.TypeID, &f.MediaType, &f.Size,
		&f.SHA256, &f.BlobKey, &created)
	if err != nil {
		return nil, wrap("API file", err)
	}
	f.CreatedAt = fromMicros(created)
	return &f, nil
}
