package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Savepoint marks a point inside a write transaction that RollbackTo can
// return to, undoing what came after while keeping what came before. The API
// uses it to try a deposit for a test key (and throw it away), and to keep
// one batch item's failure from spoiling the others' in a shared
// transaction (on PostgreSQL a failed statement aborts the whole
// transaction unless it is rolled back to a savepoint).
func (tx *Tx) Savepoint(ctx context.Context, name string) error {
	if !savepointName(name) {
		return errors.New("savepoint: bad name " + name)
	}
	_, err := tx.q.ExecContext(ctx, `SAVEPOINT `+name)
	return wrap("savepoint", err)
}

// RollbackTo undoes everything since the savepoint and releases it.
func (tx *Tx) RollbackTo(ctx context.Context, name string) error {
	if !savepointName(name) {
		return errors.New("rollback to savepoint: bad name " + name)
	}
	if _, err := tx.q.ExecContext(ctx, `ROLLBACK TO SAVEPOINT `+name); err != nil {
		return wrap("rollback to savepoint", err)
	}
	_, err := tx.q.ExecContext(ctx, `RELEASE SAVEPOINT `+name)
	return wrap("release savepoint", err)
}

// Release keeps everything since the savepoint and forgets it.
func (tx *Tx) Release(ctx context.Context, name string) error {
	if !savepointName(name) {
		return errors.New("release savepoint: bad name " + name)
	}
	_, err := tx.q.ExecContext(ctx, `RELEASE SAVEPOINT `+name)
	return wrap("release savepoint", err)
}

func savepointName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// SandboxNotification is one row of api_sandbox_notifications: what a test
// key "sent" to one recipient. Nothing reached the citizen; the row exists
// so the sandbox answers reads like the live API.
type SandboxNotification struct {
	ID               string
	InstitutionID    string
	APIKeyID         string
	RecipientNUI     string
	Subject          string
	Reference        string
	Category         string
	Deadline         string // the deadline as JSON, "" for none
	DueDate          string // YYYY-MM-DD or ""
	VerificationCode string
	Attachments      []byte // JSON
	CreatedAt        time.Time
}

const sandboxColumns = `id, institution_id, api_key_id, recipient_nui, subject, reference, category, deadline, due_date,
	verification_code, attachments, created_at`

// InsertSandboxNotification records a test-mode notification.
func (tx *Tx) InsertSandboxNotification(ctx context.Context, n *SandboxNotification) error {
	if n.ID == "" {
		n.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO api_sandbox_notifications (`+sandboxColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		n.ID, n.InstitutionID, n.APIKeyID, n.RecipientNUI, n.Subject, n.Reference, n.Category, n.Deadline, n.DueDate,
		n.VerificationCode, n.Attachments, micros(n.CreatedAt))
	return wrapWrite("insert sandbox notification", err)
}

func scanSandbox(row interface{ Scan(...any) error }) (*SandboxNotification, error) {
	var (
		n       SandboxNotification
		created int64
	)
	if err := row.Scan(&n.ID, &n.InstitutionID, &n.APIKeyID, &n.RecipientNUI, &n.Subject, &n.Reference, &n.Category, &n.Deadline,
		&n.DueDate, &n.VerificationCode, &n.Attachments, &created); err != nil {
		return nil, err
	}
	n.CreatedAt = fromMicros(created)
	return &n, nil
}

// SandboxNotification returns one of an institution's test-mode
// notifications, or ErrNotFound.
func (tx *Tx) SandboxNotification(ctx context.Context, institutionID, id string) (*SandboxNotification, error) {
	if !validUUID(id) || !validUUID(institutionID) {
		return nil, fmt.Errorf("sandbox notification %q: %w", id, ErrNotFound)
	}
	n, err := scanSandbox(tx.q.QueryRowContext(ctx, `SELECT `+sandboxColumns+` FROM api_sandbox_notifications
		WHERE id = $1 AND institution_id = $2`, id, institutionID))
	return n, wrap("sandbox notification", err)
}

// SandboxQuery selects an institution's test-mode notifications for the
// API's list, oldest first, after a keyset cursor.
type SandboxQuery struct {
	InstitutionID string
	Reference     string
	Since         time.Time
	AfterAt       time.Time // with AfterID: the last row of the previous page
	AfterID       string
	Limit         int // default and maximum 100
}

// SandboxNotifications lists test-mode notifications.
func (tx *Tx) SandboxNotifications(ctx context.Context, q SandboxQuery) ([]SandboxNotification, error) {
	if !validUUID(q.InstitutionID) {
		return nil, nil
	}
	where := `institution_id = $1 AND created_at >= $2`
	args := []any{q.InstitutionID, micros(q.Since)}
	if q.Reference != "" {
		args = append(args, q.Reference)
		where += fmt.Sprintf(` AND reference = $%d`, len(args))
	}
	if q.AfterID != "" {
		args = append(args, micros(q.AfterAt), q.AfterID)
		where += fmt.Sprintf(` AND (created_at > $%d OR (created_at = $%d AND id > $%d))`, len(args)-1, len(args)-1, len(args))
	}
	args = append(args, limitOr(q.Limit, 100))
	rows, err := tx.q.QueryContext(ctx, `SELECT `+sandboxColumns+` FROM api_sandbox_notifications WHERE `+where+
		fmt.Sprintf(` ORDER BY created_at, id LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, wrap("sandbox notifications", err)
	}
	defer rows.Close()
	var out []SandboxNotification
	for rows.Next() {
		n, err := scanSandbox(rows)
		if err != nil {
			return nil, wrap("sandbox notifications", err)
		}
		out = append(out, *n)
	}
	return out, wrap("sandbox notifications", rows.Err())
}
