package store

import (
	"context"
	"database/sql"
	"time"
)

// AuditEntry is one row of audit_log: a staff action. The table is
// append-only: there is no method to change or remove a row, and triggers
// refuse it on both engines.
type AuditEntry struct {
	ID            string
	At            time.Time
	ActorID       string // empty for the admin command line or the system
	ActorNUI      string
	ActorRole     string
	Action        string
	Reason        string
	SubjectID     string
	SubjectNUI    string
	InstitutionID string
	Address       string
	Detail        string
}

// AppendAudit writes one entry.
func (tx *Tx) AppendAudit(ctx context.Context, e *AuditEntry) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO audit_log (id, at, actor_id, actor_nui, actor_role, action, reason,
			subject_id, subject_nui, institution_id, address, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.ID, micros(e.At), nullable(e.ActorID), e.ActorNUI, e.ActorRole, e.Action, e.Reason,
		nullable(e.SubjectID), e.SubjectNUI, nullable(e.InstitutionID), e.Address, e.Detail)
	return wrap("append audit", err)
}

// AuditFilter selects audit entries. Empty fields match everything.
type AuditFilter struct {
	SubjectID     string
	ActorID       string
	SubjectNUI    string
	ActorNUI      string
	Action        string
	InstitutionID string
	Before        time.Time // entries strictly older, for paging; zero: newest
	Limit         int       // default 100
}

// AuditEntries returns entries matching f, newest first.
func (tx *Tx) AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	before := micros(f.Before)
	if f.Before.IsZero() {
		before = 1<<63 - 1
	}
	for _, id := range []string{f.SubjectID, f.ActorID, f.InstitutionID} {
		if id != "" && !validUUID(id) {
			return nil, nil
		}
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT id, at, actor_id, actor_nui, actor_role, action, reason, subject_id, subject_nui,
			institution_id, address, detail
		FROM audit_log
		WHERE ($1 = '' OR subject_id = `+tx.uuidParam(1)+`) AND ($2 = '' OR actor_id = `+tx.uuidParam(2)+`)
			AND ($3 = '' OR subject_nui = $3) AND ($4 = '' OR actor_nui = $4) AND ($5 = '' OR action = $5)
			AND ($6 = '' OR institution_id = `+tx.uuidParam(6)+`) AND at < $7
		ORDER BY at DESC, id DESC LIMIT $8`,
		f.SubjectID, f.ActorID, f.SubjectNUI, f.ActorNUI, f.Action, f.InstitutionID, before, f.Limit)
	if err != nil {
		return nil, wrap("audit entries", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var (
			e                      AuditEntry
			at                     int64
			actor, subject, instit sql.NullString
		)
		if err := rows.Scan(&e.ID, &at, &actor, &e.ActorNUI, &e.ActorRole, &e.Action, &e.Reason, &subject, &e.SubjectNUI,
			&instit, &e.Address, &e.Detail); err != nil {
			return nil, wrap("audit entries", err)
		}
		e.At, e.ActorID, e.SubjectID, e.InstitutionID = fromMicros(at), actor.String, subject.String, instit.String
		out = append(out, e)
	}
	return out, wrap("audit entries", rows.Err())
}

// uuidParam compares a UUID column with text parameter n: PostgreSQL would
// otherwise type the parameter as uuid and fail on the empty string.
func (tx *Tx) uuidParam(n int) string {
	p := "$" + string(rune('0'+n))
	if tx.engine == Postgres {
		return "CAST(NULLIF(" + p + ", '') AS UUID)"
	}
	return p
}
