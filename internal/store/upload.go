package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// States of a recipients file checked and deposited in the background.
const (
	UploadChecking   = "validando"   // the check job is reading the file
	UploadChecked    = "validada"    // the report is ready; waiting for the notifier's confirmation
	UploadRefused    = "rechazada"   // the file as a whole is unusable (not a CSV, no cédula column…)
	UploadDepositing = "depositando" // confirmed: the deposit job works through it chunk by chunk
	UploadDone       = "terminada"   // every chunk deposited
	UploadStopped    = "fallida"     // the deposit stopped (quota, institution suspended); chunks done stay done
)

// Stages and outcomes of a row of an upload's report.
const (
	UploadStageCheck   = "revision"
	UploadStageDeposit = "deposito"
	UploadDeposited    = "depositada"
	UploadRowRefused   = "rechazada"
)

// RecipientUpload is one row of recipient_uploads.
type RecipientUpload struct {
	ID            string // also the id of the draft holding the send's content
	InstitutionID string
	CreatedBy     string
	Filename      string
	BlobKey       string
	Size          int64
	State         string

	BytesRead int64
	RowsRead  int
	Entries   int // valid, distinct rows
	Checked   int // entries whose buzón was looked up
	Ready     int // entries that will receive the notification
	Problems  int // rows refused while checking
	Columns   string
	Sample    []byte // sealed

	ErrorCode, ErrorES, ErrorEN string

	Payload     []byte // sealed; set at confirmation
	ConfirmedBy string
	ChunkSize   int
	ChunksDone  int
	Processed   int
	Deposited   int
	Refused     int

	CreatedAt, UpdatedAt, ConfirmedAt, FinishedAt time.Time
}

const uploadColumns = `id, institution_id, created_by, filename, blob_key, size, state, bytes_read, rows_read, entries,
	checked, ready, problems, var_columns, sample, error_code, error_es, error_en, payload, confirmed_by, chunk_size,
	chunks_done, processed, deposited, refused, created_at, updated_at, confirmed_at, finished_at`

// InsertRecipientUpload records a file waiting for its check.
func (tx *Tx) InsertRecipientUpload(ctx context.Context, u *RecipientUpload) error {
	if u.ID == "" {
		u.ID = NewID()
	}
	if u.State == "" {
		u.State = UploadChecking
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO recipient_uploads (id, institution_id, created_by, filename, blob_key, size,
		state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
		u.ID, u.InstitutionID, u.CreatedBy, u.Filename, u.BlobKey, u.Size, u.State, micros(u.CreatedAt))
	u.UpdatedAt = u.CreatedAt
	return wrapWrite("insert recipient upload", err)
}

// RecipientUpload returns one upload; callers decide who may see it.
func (tx *Tx) RecipientUpload(ctx context.Context, id string) (*RecipientUpload, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("recipient upload %q: %w", id, ErrNotFound)
	}
	var (
		u                                 RecipientUpload
		created, updated, confirmed, done int64
	)
	err := tx.q.QueryRowContext(ctx, `SELECT `+uploadColumns+` FROM recipient_uploads WHERE id = $1`, id).Scan(
		&u.ID, &u.InstitutionID, &u.CreatedBy, &u.Filename, &u.BlobKey, &u.Size, &u.State, &u.BytesRead, &u.RowsRead,
		&u.Entries, &u.Checked, &u.Ready, &u.Problems, &u.Columns, &u.Sample, &u.ErrorCode, &u.ErrorES, &u.ErrorEN,
		&u.Payload, &u.ConfirmedBy, &u.ChunkSize, &u.ChunksDone, &u.Processed, &u.Deposited, &u.Refused,
		&created, &updated, &confirmed, &done)
	if err != nil {
		return nil, wrap("recipient upload "+id, err)
	}
	u.CreatedAt, u.UpdatedAt, u.ConfirmedAt, u.FinishedAt = fromMicros(created), fromMicros(updated), fromMicros(confirmed), fromMicros(done)
	return &u, nil
}

// SetUploadProgress records how far the check has gone; it changes nothing
// once the check is over.
func (tx *Tx) SetUploadProgress(ctx context.Context, id string, bytesRead int64, rowsRead, checked int, now time.Time) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE recipient_uploads SET bytes_read = $2, rows_read = $3, checked = $4, updated_at = $5
		WHERE id = $1 AND state = 'validando'`, id, bytesRead, rowsRead, checked, micros(now))
	return wrap("upload progress", err)
}

// UploadCheck is the outcome of a check: counts and sample for a checked
// file (State UploadChecked), or the reason a file was refused (UploadRefused).
type UploadCheck struct {
	State                       string
	RowsRead, Entries, Ready    int
	Problems                    int
	Columns                     string
	Sample                      []byte
	ErrorCode, ErrorES, ErrorEN string
}

// FinishUploadCheck ends a check; it reports false if the upload was no
// longer being checked (a second run of the job finished first).
func (tx *Tx) FinishUploadCheck(ctx context.Context, id string, c UploadCheck, now time.Time) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE recipient_uploads SET state = $2, rows_read = $3, entries = $4, checked = $4,
		ready = $5, problems = $6, var_columns = $7, sample = $8, error_code = $9, error_es = $10, error_en = $11,
		bytes_read = size, updated_at = $12 WHERE id = $1 AND state = 'validando'`,
		id, c.State, c.RowsRead, c.Entries, c.Ready, c.Problems, c.Columns, c.Sample, c.ErrorCode, c.ErrorES, c.ErrorEN, micros(now))
	return affected("finish upload check", res, err)
}

// ConfirmUpload starts the deposit of a checked upload with its sealed
// content; it reports false if the upload was not waiting for confirmation.
func (tx *Tx) ConfirmUpload(ctx context.Context, id, by string, payload []byte, chunkSize int, now time.Time) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE recipient_uploads SET state = 'depositando', payload = $2, confirmed_by = $3,
		chunk_size = $4, confirmed_at = $5, updated_at = $5 WHERE id = $1 AND state = 'validada'`,
		id, payload, by, chunkSize, micros(now))
	return affected("confirm upload", res, err)
}

// ClaimUploadChunk records that chunk index (from 0) of a deposit is being
// deposited. It must run first in the chunk's deposit transaction: it
// reports false, and the caller rolls back, when the chunk is already
// recorded (another run got there first; on PostgreSQL the second waits for
// the first to commit) or the deposit was stopped, so that no chunk is ever
// deposited twice.
func (tx *Tx) ClaimUploadChunk(ctx context.Context, id string, index int, now time.Time) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE recipient_uploads SET chunks_done = chunks_done + 1, updated_at = $3
		WHERE id = $1 AND chunks_done = $2 AND state = 'depositando'`, id, index, micros(now))
	return affected("claim upload chunk", res, err)
}

// UploadChunk is what one chunk of a deposit adds to the upload's counters.
type UploadChunk struct {
	Processed, Deposited, Refused int
	Last                          bool // the upload is done after it
}

// RecordUploadChunk adds a claimed chunk's outcome to the upload's counters,
// in the chunk's transaction, and ends the upload after its last chunk.
func (tx *Tx) RecordUploadChunk(ctx context.Context, id string, c UploadChunk, now time.Time) error {
	state, finished := UploadDepositing, int64(0)
	if c.Last {
		state, finished = UploadDone, micros(now)
	}
	_, err := tx.q.ExecContext(ctx, `UPDATE recipient_uploads SET processed = processed + $2, deposited = deposited + $3,
		refused = refused + $4, state = $5, finished_at = $6, updated_at = $7 WHERE id = $1`,
		id, c.Processed, c.Deposited, c.Refused, state, finished, micros(now))
	return wrap("record upload chunk", err)
}

// StopUpload ends a deposit that cannot go on, with the reason; chunks done
// stay done.
func (tx *Tx) StopUpload(ctx context.Context, id, code, es, en string, now time.Time) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE recipient_uploads SET state = 'fallida', error_code = $2, error_es = $3,
		error_en = $4, finished_at = $5, updated_at = $5 WHERE id = $1 AND state = 'depositando'`, id, code, es, en, micros(now))
	return affected("stop upload", res, err)
}

// UploadRow is one line of an upload's report.
type UploadRow struct {
	UploadID       string
	Line           int
	Stage          string // UploadStageCheck or UploadStageDeposit
	Outcome        string // UploadDeposited or UploadRowRefused
	NUI            string // as written
	Column         string
	Code           string
	ReasonES       string
	ReasonEN       string
	NotificationID string
}

// ClearCheckRows removes the rows an unfinished check wrote, so that a
// check that runs again starts afresh; a finished check's rows stay.
func (tx *Tx) ClearCheckRows(ctx context.Context, uploadID string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM recipient_upload_rows WHERE upload_id = $1 AND stage = 'revision'
		AND EXISTS (SELECT 1 FROM recipient_uploads u WHERE u.id = $1 AND u.state = 'validando')`, uploadID)
	return wrap("clear check rows", err)
}

// InsertUploadRows adds report rows, many per statement.
func (tx *Tx) InsertUploadRows(ctx context.Context, rows []UploadRow) error {
	const cols = 10
	for _, chunk := range idChunks(rows, 90) { // 900 parameters: under every engine's limit
		var b strings.Builder
		args := make([]any, 0, len(chunk)*cols)
		b.WriteString(`INSERT INTO recipient_upload_rows (upload_id, line, stage, outcome, nui_text, column_name, code,
			reason_es, reason_en, notification_id) VALUES `)
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + paramList(i*cols+1, cols) + ")")
			args = append(args, r.UploadID, r.Line, r.Stage, r.Outcome, r.NUI, r.Column, r.Code, r.ReasonES, r.ReasonEN,
				nullable(r.NotificationID))
		}
		if _, err := tx.q.ExecContext(ctx, b.String(), args...); err != nil {
			return wrapWrite("insert upload rows", err)
		}
	}
	return nil
}

// UploadRows returns up to limit rows of an upload's report after line
// afterLine, in line order; outcome "" means both outcomes.
func (tx *Tx) UploadRows(ctx context.Context, uploadID, outcome string, afterLine, limit int) ([]UploadRow, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT upload_id, line, stage, outcome, nui_text, column_name, code, reason_es,
		reason_en, notification_id FROM recipient_upload_rows WHERE upload_id = $1 AND line > $2 AND ($3 = '' OR outcome = $3)
		ORDER BY line LIMIT `+fmt.Sprint(limitOr(limit, 10000)), uploadID, afterLine, outcome)
	if err != nil {
		return nil, wrap("upload rows", err)
	}
	defer rows.Close()
	var out []UploadRow
	for rows.Next() {
		var r UploadRow
		var nid sql.NullString
		if err := rows.Scan(&r.UploadID, &r.Line, &r.Stage, &r.Outcome, &r.NUI, &r.Column, &r.Code, &r.ReasonES, &r.ReasonEN, &nid); err != nil {
			return nil, wrap("upload rows", err)
		}
		r.NotificationID = nid.String
		out = append(out, r)
	}
	return out, wrap("upload rows", rows.Err())
}

// UploadRowLines returns the lines with a report row of one stage.
func (tx *Tx) UploadRowLines(ctx context.Context, uploadID, stage string) (map[int]bool, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT line FROM recipient_upload_rows WHERE upload_id = $1 AND stage = $2`, uploadID, stage)
	if err != nil {
		return nil, wrap("upload row lines", err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var l int
		if err := rows.Scan(&l); err != nil {
			return nil, wrap("upload row lines", err)
		}
		out[l] = true
	}
	return out, wrap("upload row lines", rows.Err())
}

// ComposeFile is a blob a notifier stored while composing a send.
type ComposeFile struct {
	BlobKey       string
	InstitutionID string
	OwnerID       string // the draft (and upload) that uses it; "" until the draft is saved
	CreatedAt     time.Time
}

// InsertComposeFile records a blob before it is written, so that one the
// request never finished is found by the cleanup too.
func (tx *Tx) InsertComposeFile(ctx context.Context, f *ComposeFile) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO compose_files (blob_key, institution_id, owner_id, created_at) VALUES ($1, $2, $3, $4)`,
		f.BlobKey, f.InstitutionID, nullable(f.OwnerID), micros(f.CreatedAt))
	return wrapWrite("insert compose file", err)
}

// OwnComposeFiles marks blobs as used by a draft, which keeps them while the
// draft lives.
func (tx *Tx) OwnComposeFiles(ctx context.Context, ownerID string, keys []string) error {
	for _, k := range keys {
		if _, err := tx.q.ExecContext(ctx, `UPDATE compose_files SET owner_id = $1 WHERE blob_key = $2`, ownerID, k); err != nil {
			return wrap("own compose files", err)
		}
	}
	return nil
}

// ForgetComposeFile drops the row of a blob that a deposit now uses: the
// blob belongs to the deposited notifications and is never cleaned up.
func (tx *Tx) ForgetComposeFile(ctx context.Context, key string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM compose_files WHERE blob_key = $1`, key)
	return wrap("forget compose file", err)
}

// ClaimAbandonedComposeFiles marks for deletion, and returns, up to limit
// blobs stored before storedBefore that no deposited notification uses and
// whose owner neither is a draft created at or after draftsSince nor an
// upload being checked or deposited. A claim older than staleClaim is
// claimed again (its deleter died).
func (tx *Tx) ClaimAbandonedComposeFiles(ctx context.Context, storedBefore, draftsSince, staleClaim, now time.Time, limit int) ([]string, error) {
	rows, err := tx.q.QueryContext(ctx, `UPDATE compose_files SET deleting_at = $4 WHERE blob_key IN (
		SELECT f.blob_key FROM compose_files f
		WHERE f.created_at < $1 AND (f.deleting_at = 0 OR f.deleting_at < $3)
		AND NOT EXISTS (SELECT 1 FROM notification_attachments a WHERE a.blob_key = f.blob_key)
		AND (f.owner_id IS NULL OR (
			NOT EXISTS (SELECT 1 FROM notification_drafts d WHERE d.id = f.owner_id AND d.created_at >= $2)
			AND NOT EXISTS (SELECT 1 FROM recipient_uploads u WHERE u.id = f.owner_id AND u.state IN ('validando', 'depositando'))))
		ORDER BY f.created_at LIMIT `+fmt.Sprint(limitOr(limit, 1000))+`) RETURNING blob_key`,
		micros(storedBefore), micros(draftsSince), micros(staleClaim), micros(now))
	if err != nil {
		return nil, wrap("claim abandoned compose files", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, wrap("claim abandoned compose files", err)
		}
		out = append(out, k)
	}
	return out, wrap("claim abandoned compose files", rows.Err())
}

// DeleteComposeFile removes the row of a blob the cleanup deleted.
func (tx *Tx) DeleteComposeFile(ctx context.Context, key string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM compose_files WHERE blob_key = $1 AND deleting_at <> 0`, key)
	return wrap("delete compose file", err)
}

// ComposeFileExists reports whether a blob is still recorded as a compose file.
func (tx *Tx) ComposeFileExists(ctx context.Context, key string) (bool, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM compose_files WHERE blob_key = $1`, key).Scan(&n)
	return n > 0, wrap("compose file", err)
}
