package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// API batch and item states.
const (
	APIBatchAccepted   = "accepted"
	APIBatchProcessing = "processing"
	APIBatchCompleted  = "completed"

	APIBatchItemPending   = "pending"
	APIBatchItemSucceeded = "succeeded"
	APIBatchItemFailed    = "failed"
)

// APIBatch is one row of api_batches: many notifications accepted in one
// request and deposited in the background, with its progress counters.
type APIBatch struct {
	ID            string
	InstitutionID string
	APIKeyID      string
	Mode          string
	State         string
	Total         int
	Processed     int
	Succeeded     int // items handled (at least looked at every recipient)
	Failed        int // items refused as a whole (invalid, quota)
	Deposited     int // notifications deposited, over all items
	Refused       int // recipients refused, over all items
	CreatedAt     time.Time
	UpdatedAt     time.Time
	CompletedAt   time.Time
}

// APIBatchItem is one notification request of a batch and its outcome.
type APIBatchItem struct {
	BatchID     string
	Position    int // from 1
	Request     []byte
	State       string
	Result      []byte
	ProcessedAt time.Time
}

const apiBatchColumns = `id, institution_id, api_key_id, mode, state, total, processed, succeeded, failed, deposited, refused,
	created_at, updated_at, completed_at`

// InsertAPIBatch stores a batch and its items (each item's request as
// given), all pending.
func (tx *Tx) InsertAPIBatch(ctx context.Context, b *APIBatch, requests [][]byte) error {
	if b.ID == "" {
		b.ID = NewID()
	}
	b.State, b.Total, b.UpdatedAt = APIBatchAccepted, len(requests), b.CreatedAt
	if _, err := tx.q.ExecContext(ctx, `INSERT INTO api_batches (`+apiBatchColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, 0, 0, $7, $7, 0)`,
		b.ID, b.InstitutionID, b.APIKeyID, b.Mode, b.State, b.Total, micros(b.CreatedAt)); err != nil {
		return wrapWrite("insert API batch", err)
	}
	const rowsPerInsert = 250
	for start := 0; start < len(requests); start += rowsPerInsert {
		end := min(start+rowsPerInsert, len(requests))
		var sb strings.Builder
		sb.WriteString(`INSERT INTO api_batch_items (batch_id, position, request, state) VALUES `)
		args := make([]any, 0, 3*(end-start))
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&sb, "($%d, $%d, $%d, 'pending')", n+1, n+2, n+3)
			args = append(args, b.ID, i+1, requests[i])
		}
		if _, err := tx.q.ExecContext(ctx, sb.String(), args...); err != nil {
			return wrapWrite("insert API batch items", err)
		}
	}
	return nil
}

func scanAPIBatch(row interface{ Scan(...any) error }) (*APIBatch, error) {
	var (
		b                           APIBatch
		created, updated, completed int64
	)
	if err := row.Scan(&b.ID, &b.InstitutionID, &b.APIKeyID, &b.Mode, &b.State, &b.Total, &b.Processed, &b.Succeeded, &b.Failed,
		&b.Deposited, &b.Refused, &created, &updated, &completed); err != nil {
		return nil, err
	}
	b.CreatedAt, b.UpdatedAt, b.CompletedAt = fromMicros(created), fromMicros(updated), fromMicros(completed)
	return &b, nil
}

// APIBatch returns one of an institution's batches, or ErrNotFound (also
// for another institution's). An empty institutionID reads any batch, for
// the background worker.
func (tx *Tx) APIBatch(ctx context.Context, institutionID, id string) (*APIBatch, error) {
	if !validUUID(id) || (institutionID != "" && !validUUID(institutionID)) {
		return nil, fmt.Errorf("API batch %q: %w", id, ErrNotFound)
	}
	q := `SELECT ` + apiBatchColumns + ` FROM api_batches WHERE id = $1`
	args := []any{id}
	if institutionID != "" {
		q += ` AND institution_id = $2`
		args = append(args, institutionID)
	}
	b, err := scanAPIBatch(tx.q.QueryRowContext(ctx, q, args...))
	return b, wrap("API batch", err)
}

// APIBatchItems returns a batch's items after position after, in order,
// with or without their requests.
func (tx *Tx) APIBatchItems(ctx context.Context, batchID string, after, limit int, pendingOnly bool) ([]APIBatchItem, error) {
	if !validUUID(batchID) {
		return nil, nil
	}
	cols := `batch_id, position, state, result, processed_at`
	if pendingOnly {
		cols += `, request`
	}
	where := `batch_id = $1 AND position > $2`
	if pendingOnly {
		where += ` AND state = 'pending'`
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+cols+` FROM api_batch_items WHERE `+where+` ORDER BY position LIMIT $3`,
		batchID, after, limitOr(limit, 1000))
	if err != nil {
		return nil, wrap("API batch items", err)
	}
	defer rows.Close()
	var out []APIBatchItem
	for rows.Next() {
		var (
			it        APIBatchItem
			processed int64
		)
		dest := []any{&it.BatchID, &it.Position, &it.State, &it.Result, &processed}
		if pendingOnly {
			dest = append(dest, &it.Request)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, wrap("API batch items", err)
		}
		it.ProcessedAt = fromMicros(processed)
		out = append(out, it)
	}
	return out, wrap("API batch items", rows.Err())
}

// FinishAPIBatchItem records a pending item's outcome; ErrNotFound when it
// was already finished (by an earlier run of the worker).
func (tx *Tx) FinishAPIBatchItem(ctx context.Context, batchID string, position int, state string, result []byte, now time.Time) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE api_batch_items SET state = $3, result = $4, processed_at = $5
		WHERE batch_id = $1 AND position = $2 AND state = 'pending'`, batchID, position, state, result, micros(now))
	return affectedOne("finish API batch item", res, err)
}

// APIBatchProgress is what a chunk of processed items adds to a batch.
type APIBatchProgress struct {
	Processed, Succeeded, Failed, Deposited, Refused int
}

// AddAPIBatchProgress adds a chunk's counts to a batch and marks it
// processing, or completed when complete is true.
func (tx *Tx) AddAPIBatchProgress(ctx context.Context, id string, p APIBatchProgress, complete bool, now time.Time) error {
	state, completed := APIBatchProcessing, int64(0)
	if complete {
		state, completed = APIBatchCompleted, micros(now)
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE api_batches SET processed = processed + $2, succeeded = succeeded + $3,
		failed = failed + $4, deposited = deposited + $5, refused = refused + $6, state = $7, updated_at = $8,
		completed_at = $9 WHERE id = $1`,
		id, p.Processed, p.Succeeded, p.Failed, p.Deposited, p.Refused, state, micros(now), completed)
	return affectedOne("API batch progress", res, err)
}
