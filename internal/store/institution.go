package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Institution is one row of institutions: a public body MINTEL activated.
// The institution package turns it into institution.Institution.
type Institution struct {
	ID          string
	Name        string
	Acronym     string
	RUC         string
	RUCKind     string
	Sector      string
	Modality    string
	State       string
	StateReason string
	DailyQuota  int
	Address     string
	Phone       string
	Email       string
	Website     string
	OfficeHours string
	RequestID   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const institutionColumns = `id, name, acronym, ruc, ruc_kind, sector, modality, state, state_reason, daily_quota,
	address, phone, email, website, office_hours, request_id, created_at, updated_at`

func scanInstitution(row interface{ Scan(...any) error }) (*Institution, error) {
	var (
		i                Institution
		created, updated int64
	)
	if err := row.Scan(&i.ID, &i.Name, &i.Acronym, &i.RUC, &i.RUCKind, &i.Sector, &i.Modality, &i.State, &i.StateReason,
		&i.DailyQuota, &i.Address, &i.Phone, &i.Email, &i.Website, &i.OfficeHours, &i.RequestID, &created, &updated); err != nil {
		return nil, err
	}
	i.CreatedAt, i.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &i, nil
}

// CreateInstitution inserts an institution; ErrDuplicate when its RUC is
// already registered.
func (tx *Tx) CreateInstitution(ctx context.Context, i *Institution) error {
	if i.ID == "" {
		i.ID = NewID()
	}
	if i.UpdatedAt.IsZero() {
		i.UpdatedAt = i.CreatedAt
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO institutions (`+institutionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		i.ID, i.Name, i.Acronym, i.RUC, i.RUCKind, i.Sector, i.Modality, i.State, i.StateReason, i.DailyQuota,
		i.Address, i.Phone, i.Email, i.Website, i.OfficeHours, i.RequestID, micros(i.CreatedAt), micros(i.UpdatedAt))
	return wrapWrite("create institution", err)
}

// InstitutionByID returns one institution, or ErrNotFound.
func (tx *Tx) InstitutionByID(ctx context.Context, id string) (*Institution, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("institution %q: %w", id, ErrNotFound)
	}
	i, err := scanInstitution(tx.q.QueryRowContext(ctx, `SELECT `+institutionColumns+` FROM institutions WHERE id = $1`, id))
	return i, wrap("institution by id", err)
}

// InstitutionByRUC returns the institution registered with a RUC, or ErrNotFound.
func (tx *Tx) InstitutionByRUC(ctx context.Context, ruc string) (*Institution, error) {
	i, err := scanInstitution(tx.q.QueryRowContext(ctx, `SELECT `+institutionColumns+` FROM institutions WHERE ruc = $1`, ruc))
	return i, wrap("institution by RUC", err)
}

// InstitutionState returns only an institution's state: the check made
// before every notification is sent, kept to one indexed column.
func (tx *Tx) InstitutionState(ctx context.Context, id string) (string, error) {
	if !validUUID(id) {
		return "", fmt.Errorf("institution %q: %w", id, ErrNotFound)
	}
	var state string
	err := tx.q.QueryRowContext(ctx, `SELECT state FROM institutions WHERE id = $1`, id).Scan(&state)
	return state, wrap("institution state", err)
}

// InstitutionFilter selects institutions for the MINTEL console.
type InstitutionFilter struct {
	State    string // empty: any
	Modality string // empty: any
	// Text matches the name, the acronym or the RUC, ignoring case.
	Text  string
	Limit int // default 200
}

// ListInstitutions returns the institutions matching f, by name.
func (tx *Tx) ListInstitutions(ctx context.Context, f InstitutionFilter) ([]Institution, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	text := "%" + escapeLike(strings.ToLower(strings.TrimSpace(f.Text))) + "%"
	rows, err := tx.q.QueryContext(ctx, `SELECT `+institutionColumns+` FROM institutions
		WHERE ($1 = '' OR state = $1) AND ($2 = '' OR modality = $2)
			AND (lower(name) LIKE $3 ESCAPE '\' OR lower(acronym) LIKE $3 ESCAPE '\' OR ruc LIKE $3 ESCAPE '\')
		ORDER BY name, id LIMIT $4`, f.State, f.Modality, text, f.Limit)
	if err != nil {
		return nil, wrap("list institutions", err)
	}
	defer rows.Close()
	var out []Institution
	for rows.Next() {
		i, err := scanInstitution(rows)
		if err != nil {
			return nil, wrap("list institutions", err)
		}
		out = append(out, *i)
	}
	return out, wrap("list institutions", rows.Err())
}

// escapeLike makes s match literally inside a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SetInstitutionState changes an institution's state and the reason for it.
func (tx *Tx) SetInstitutionState(ctx context.Context, id, state, reason string, now time.Time) error {
	return tx.updateInstitution(ctx, "set institution state", `state = $2, state_reason = $3, updated_at = $4`, id, state, reason, micros(now))
}

// SetInstitutionModality changes how an institution sends.
func (tx *Tx) SetInstitutionModality(ctx context.Context, id, modality string, now time.Time) error {
	return tx.updateInstitution(ctx, "set institution modality", `modality = $2, updated_at = $3`, id, modality, micros(now))
}

// SetInstitutionQuota changes how many notifications an institution may send a day.
func (tx *Tx) SetInstitutionQuota(ctx context.Context, id string, quota int, now time.Time) error {
	return tx.updateInstitution(ctx, "set institution quota", `daily_quota = $2, updated_at = $3`, id, quota, micros(now))
}

// InstitutionProfile is the part of an institution its administrator edits:
// what citizens see about the sender of a notification.
type InstitutionProfile struct {
	Address     string
	Phone       string
	Email       string
	Website     string
	OfficeHours string
}

// SetInstitutionProfile replaces an institution's public contact profile.
func (tx *Tx) SetInstitutionProfile(ctx context.Context, id string, p InstitutionProfile, now time.Time) error {
	return tx.updateInstitution(ctx, "set institution profile",
		`address = $2, phone = $3, email = $4, website = $5, office_hours = $6, updated_at = $7`,
		id, p.Address, p.Phone, p.Email, p.Website, p.OfficeHours, micros(now))
}

func (tx *Tx) updateInstitution(ctx context.Context, op, set, id string, args ...any) error {
	if !validUUID(id) {
		return fmt.Errorf("%s: %w", op, ErrNotFound)
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE institutions SET `+set+` WHERE id = $1`, append([]any{id}, args...)...)
	return affectedOne(op, res, err)
}

// InstitutionLogo is an institution's logo as stored.
type InstitutionLogo struct {
	InstitutionID string
	Content       []byte
	ContentType   string
	SHA256        string
	UpdatedAt     time.Time
}

// SetInstitutionLogo stores or replaces an institution's logo.
func (tx *Tx) SetInstitutionLogo(ctx context.Context, l *InstitutionLogo) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO institution_logos (institution_id, content, content_type, sha256, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (institution_id) DO UPDATE SET content = excluded.content, content_type = excluded.content_type,
			sha256 = excluded.sha256, updated_at = excluded.updated_at`,
		l.InstitutionID, l.Content, l.ContentType, l.SHA256, micros(l.UpdatedAt))
	return wrapWrite("set institution logo", err)
}

// InstitutionLogoOf returns an institution's logo, or ErrNotFound when it has none.
func (tx *Tx) InstitutionLogoOf(ctx context.Context, institutionID string) (*InstitutionLogo, error) {
	if !validUUID(institutionID) {
		return nil, fmt.Errorf("institution logo: %w", ErrNotFound)
	}
	var (
		l       InstitutionLogo
		updated int64
	)
	err := tx.q.QueryRowContext(ctx, `SELECT institution_id, content, content_type, sha256, updated_at
		FROM institution_logos WHERE institution_id = $1`, institutionID).Scan(&l.InstitutionID, &l.Content, &l.ContentType, &l.SHA256, &updated)
	if err != nil {
		return nil, wrap("institution logo", err)
	}
	l.UpdatedAt = fromMicros(updated)
	return &l, nil
}

// InstitutionLogoSum returns the SHA-256 of an institution's logo, or ""
// when it has none, without reading the image: pages use it to version the
// logo's URL.
func (tx *Tx) InstitutionLogoSum(ctx context.Context, institutionID string) (string, error) {
	if !validUUID(institutionID) {
		return "", nil
	}
	var sum string
	err := tx.q.QueryRowContext(ctx, `SELECT sha256 FROM institution_logos WHERE institution_id = $1`, institutionID).Scan(&sum)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return sum, wrap("institution logo", err)
}

// DeleteInstitutionLogo removes an institution's logo; no logo is not an error.
func (tx *Tx) DeleteInstitutionLogo(ctx context.Context, institutionID string) error {
	if !validUUID(institutionID) {
		return nil
	}
	_, err := tx.q.ExecContext(ctx, `DELETE FROM institution_logos WHERE institution_id = $1`, institutionID)
	return wrap("delete institution logo", err)
}
