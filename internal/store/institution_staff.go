package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// InstitutionStaff is one row of institution_staff: one appointment of a
// person as an institution's administrator or notifier, open while EndedAt
// is zero.
type InstitutionStaff struct {
	ID            string
	InstitutionID string
	IdentityID    string
	Role          string
	NUI           string
	FullName      string
	Position      string
	Email         string
	Phone         string
	RequestID     string
	StartedAt     time.Time
	StartedBy     string
	EndedAt       time.Time
	EndedBy       string
	EndReason     string
	// AccountState is the state of the person's identity (read only):
	// "pendiente" until he follows his invitation.
	AccountState string
}

const institutionStaffColumns = `id, institution_id, identity_id, role, nui, full_name, position, email, phone, request_id,
	started_at, started_by, ended_at, ended_by, end_reason`

// institutionStaffSelect reads appointments with their holder's account state.
const institutionStaffSelect = `SELECT s.id, s.institution_id, s.identity_id, s.role, s.nui, s.full_name, s.position, s.email,
	s.phone, s.request_id, s.started_at, s.started_by, s.ended_at, s.ended_by, s.end_reason, i.state
	FROM institution_staff s JOIN identities i ON i.id = s.identity_id `

// AddInstitutionStaff opens an appointment; ErrDuplicate when the person
// already holds the role in the institution.
func (tx *Tx) AddInstitutionStaff(ctx context.Context, s *InstitutionStaff) error {
	if s.ID == "" {
		s.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO institution_staff (`+institutionStaffColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		s.ID, s.InstitutionID, s.IdentityID, s.Role, s.NUI, s.FullName, s.Position, s.Email, s.Phone, nullable(s.RequestID),
		micros(s.StartedAt), nullable(s.StartedBy), micros(s.EndedAt), nullable(s.EndedBy), s.EndReason)
	return wrapWrite("add institution staff", err)
}

// EndInstitutionStaff closes an open appointment; ErrNotFound when it is not open.
func (tx *Tx) EndInstitutionStaff(ctx context.Context, id, endedBy, reason string, now time.Time) error {
	if !validUUID(id) {
		return fmt.Errorf("end institution staff: %w", ErrNotFound)
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE institution_staff SET ended_at = $2, ended_by = $3, end_reason = $4
		WHERE id = $1 AND ended_at = 0`, id, micros(now), nullable(endedBy), reason)
	return affectedOne("end institution staff", res, err)
}

// InstitutionStaffByID returns one appointment, or ErrNotFound.
func (tx *Tx) InstitutionStaffByID(ctx context.Context, id string) (*InstitutionStaff, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("institution staff %q: %w", id, ErrNotFound)
	}
	s, err := scanInstitutionStaff(tx.q.QueryRowContext(ctx,
		institutionStaffSelect+`WHERE s.id = $1`, id))
	return s, wrap("institution staff by id", err)
}

// InstitutionStaffOf lists an institution's appointments in a role (any
// role when empty), the current ones first, then by start, newest first.
// current keeps only the open ones.
func (tx *Tx) InstitutionStaffOf(ctx context.Context, institutionID, role string, current bool) ([]InstitutionStaff, error) {
	if !validUUID(institutionID) {
		return nil, nil
	}
	q := institutionStaffSelect + `WHERE s.institution_id = $1 AND ($2 = '' OR s.role = $2)`
	if current {
		q += ` AND s.ended_at = 0`
	}
	q += ` ORDER BY CASE WHEN s.ended_at = 0 THEN 0 ELSE 1 END, s.started_at DESC, s.id DESC`
	return tx.queryInstitutionStaff(ctx, q, institutionID, role)
}

// InstitutionStaffOfIdentity lists a person's open appointments, in every institution.
func (tx *Tx) InstitutionStaffOfIdentity(ctx context.Context, identityID string) ([]InstitutionStaff, error) {
	if !validUUID(identityID) {
		return nil, nil
	}
	return tx.queryInstitutionStaff(ctx, institutionStaffSelect+`WHERE s.identity_id = $1 AND s.ended_at = 0
		ORDER BY s.started_at, s.id`, identityID)
}

func (tx *Tx) queryInstitutionStaff(ctx context.Context, q string, args ...any) ([]InstitutionStaff, error) {
	rows, err := tx.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap("institution staff", err)
	}
	defer rows.Close()
	var out []InstitutionStaff
	for rows.Next() {
		s, err := scanInstitutionStaff(rows)
		if err != nil {
			return nil, wrap("institution staff", err)
		}
		out = append(out, *s)
	}
	return out, wrap("institution staff", rows.Err())
}

func scanInstitutionStaff(row interface{ Scan(...any) error }) (*InstitutionStaff, error) {
	var (
		s                InstitutionStaff
		req, by, endedBy sql.NullString
		started, ended   int64
	)
	if err := row.Scan(&s.ID, &s.InstitutionID, &s.IdentityID, &s.Role, &s.NUI, &s.FullName, &s.Position, &s.Email, &s.Phone,
		&req, &started, &by, &ended, &endedBy, &s.EndReason, &s.AccountState); err != nil {
		return nil, err
	}
	s.RequestID, s.StartedBy, s.EndedBy = req.String, by.String, endedBy.String
	s.StartedAt, s.EndedAt = fromMicros(started), fromMicros(ended)
	return &s, nil
}
