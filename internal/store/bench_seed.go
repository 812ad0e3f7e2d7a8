package store

import (
	"context"
	"fmt"
)

// Seeding for `buzon bench`: millions of rows written the fastest way
// (COPY on PostgreSQL, multi-row INSERTs on SQLite), skipping the domain's
// per-row work. Seeded notifications have no evidence events and no
// alert jobs (their alert is recorded as sent); they exist to give the
// inbox and the indexes their national-scale size.

// SeedCitizens inserts active identities holding the citizen role, in one
// transaction. Each needs ID, NUI, names, Email, PasswordHash, a unique
// PasskeyHandle and CreatedAt.
func (db *DB) SeedCitizens(ctx context.Context, ids []Identity) error {
	rows := make([][]any, len(ids))
	roles := make([][]any, len(ids))
	for i := range ids {
		id := &ids[i]
		if id.ID == "" {
			id.ID = NewID()
		}
		at := micros(id.CreatedAt)
		rows[i] = []any{id.ID, id.NUI, id.GivenNames, id.Surnames, id.Email, "activa", "presencial",
			id.PasswordHash, at, id.PasskeyHandle, at, at, at}
		roles[i] = []any{NewID(), id.ID, "ciudadano", at}
	}
	if err := db.bulkInsert(ctx, "identities", []string{"id", "nui", "given_names", "surnames", "email", "state", "channel",
		"password_hash", "password_changed_at", "passkey_handle", "created_at", "updated_at", "activated_at"}, rows); err != nil {
		return fmt.Errorf("seed citizens: %w", err)
	}
	if err := db.bulkInsert(ctx, "identity_roles", []string{"id", "identity_id", "role", "granted_at"}, roles); err != nil {
		return fmt.Errorf("seed citizens: %w", err)
	}
	return nil
}

// SeedNotifications inserts deposited notifications in one transaction,
// every column as InsertNotification writes it, the alert marked sent.
// Their batches and institutions must exist.
func (db *DB) SeedNotifications(ctx context.Context, ns []Notification) error {
	rows := make([][]any, len(ns))
	for i := range ns {
		n := &ns[i]
		if n.ID == "" {
			n.ID = NewID()
		}
		rows[i] = []any{n.ID, n.BatchID, n.InstitutionID, n.InstitutionName, n.RecipientID, n.RecipientNUI, n.Subject,
			n.Reference, n.Category, n.BodySealed, n.BodySHA256, n.SearchText, nullable(n.TramiteID), nullable(n.RectifiesID),
			n.DeadlineKind, n.DeadlineCount, n.DeadlineDate, n.DueDate, n.VerificationCode, n.ActorKind, n.ActorID,
			micros(n.DepositedAt), n.DepositDay, AlertSent, micros(n.DepositedAt)}
	}
	err := db.bulkInsert(ctx, "notifications", []string{"id", "batch_id", "institution_id", "institution_name",
		"recipient_id", "recipient_nui", "subject", "reference", "category", "body_sealed", "body_sha256", "search_text",
		"tramite_id", "rectifies_id", "deadline_kind", "deadline_count", "deadline_date", "due_date", "verification_code",
		"actor_kind", "actor_id", "deposited_at", "deposit_day", "alert_state", "alert_at"}, rows)
	if err != nil {
		return fmt.Errorf("seed notifications: %w", err)
	}
	return nil
}

// BenchAnalyze refreshes the planner's statistics after seeding, as an
// operator would after a bulk load.
func (db *DB) BenchAnalyze(ctx context.Context) error {
	_, err := db.writer.ExecContext(ctx, `ANALYZE`)
	return wrap("analyze", err)
}

// benchTables are the tables BenchCount may count.
var benchTables = map[string]bool{"notifications": true, "identities": true, "evidence_events": true, "jobs": true, "bench_rows": true}

// BenchCount counts the rows of one of the bench's tables.
func (db *DB) BenchCount(ctx context.Context, table string) (int64, error) {
	if !benchTables[table] {
		return 0, fmt.Errorf("bench count: table %q not allowed", table)
	}
	var n int64
	err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n)
	return n, wrap("count "+table, err)
}

// BenchJobs counts the jobs of one kind in one state.
func (db *DB) BenchJobs(ctx context.Context, kind, state string) (int, error) {
	var n int
	err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind = $1 AND state = $2`, kind, state).Scan(&n)
	return n, wrap("count jobs", err)
}

// BenchJobAttempts returns, for the jobs of one kind, how many were
// attempted how many times: the scale-out test's proof that no job ran twice.
func (db *DB) BenchJobAttempts(ctx context.Context, kind string) (map[int]int, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT attempts, count(*) FROM jobs WHERE kind = $1 GROUP BY attempts`, kind)
	if err != nil {
		return nil, wrap("job attempts", err)
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var a, n int
		if err := rows.Scan(&a, &n); err != nil {
			return nil, wrap("job attempts", err)
		}
		out[a] = n
	}
	return out, wrap("job attempts", rows.Err())
}
