package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrDuplicate is returned when a row would repeat a unique value: a second
// identity for one N.U.I., a role already granted, a passkey registered twice.
var ErrDuplicate = errors.New("store: duplicate")

// Identity is one row of identities: a person known to Buzón, with his
// credentials. The identity package turns it into an Account.
type Identity struct {
	ID                string
	NUI               string
	GivenNames        string
	Surnames          string
	Email             string
	State             string
	StateReason       string
	Channel           string
	PasswordHash      string
	PasswordChangedAt time.Time
	TOTPSecret        []byte // sealed; nil when TOTP is off
	TOTPPending       []byte // sealed; a secret being set up, not yet confirmed
	TOTPEnabledAt     time.Time
	TOTPLastStep      int64
	PasskeyHandle     []byte
	CreatedAt         time.Time
	UpdatedAt         time.Time
	ActivatedAt       time.Time
}

const identityColumns = `id, nui, given_names, surnames, email, state, state_reason, channel,
	password_hash, password_changed_at, totp_secret, totp_pending, totp_enabled_at, totp_last_step,
	passkey_handle, created_at, updated_at, activated_at`

// identityScan receives one identity row; its times arrive as micros.
type identityScan struct {
	id                                             Identity
	pwChanged, totpOn, created, updated, activated int64
}

func (s *identityScan) targets() []any {
	return []any{&s.id.ID, &s.id.NUI, &s.id.GivenNames, &s.id.Surnames, &s.id.Email, &s.id.State, &s.id.StateReason, &s.id.Channel,
		&s.id.PasswordHash, &s.pwChanged, &s.id.TOTPSecret, &s.id.TOTPPending, &s.totpOn, &s.id.TOTPLastStep,
		&s.id.PasskeyHandle, &s.created, &s.updated, &s.activated}
}

func (s *identityScan) identity() *Identity {
	id := s.id
	id.PasswordChangedAt = fromMicros(s.pwChanged)
	id.TOTPEnabledAt = fromMicros(s.totpOn)
	id.CreatedAt = fromMicros(s.created)
	id.UpdatedAt = fromMicros(s.updated)
	id.ActivatedAt = fromMicros(s.activated)
	return &id
}

func scanIdentity(row interface{ Scan(...any) error }) (*Identity, error) {
	var s identityScan
	if err := row.Scan(s.targets()...); err != nil {
		return nil, err
	}
	return s.identity(), nil
}

// prefixed qualifies each column of a list with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// CreateIdentity inserts a new identity; it fails with ErrDuplicate when the
// N.U.I. already has one.
func (tx *Tx) CreateIdentity(ctx context.Context, id *Identity) error {
	if id.ID == "" {
		id.ID = NewID()
	}
	if id.UpdatedAt.IsZero() {
		id.UpdatedAt = id.CreatedAt
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO identities (`+identityColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		id.ID, id.NUI, id.GivenNames, id.Surnames, id.Email, id.State, id.StateReason, id.Channel,
		id.PasswordHash, micros(id.PasswordChangedAt), id.TOTPSecret, id.TOTPPending, micros(id.TOTPEnabledAt), id.TOTPLastStep,
		id.PasskeyHandle, micros(id.CreatedAt), micros(id.UpdatedAt), micros(id.ActivatedAt))
	return wrapWrite("create identity", err)
}

// IdentityByID returns one identity, or ErrNotFound.
func (tx *Tx) IdentityByID(ctx context.Context, id string) (*Identity, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("identity %q: %w", id, ErrNotFound)
	}
	row := tx.q.QueryRowContext(ctx, `SELECT `+identityColumns+` FROM identities WHERE id = $1`, id)
	i, err := scanIdentity(row)
	return i, wrap("identity by id", err)
}

// IdentityByNUI returns the identity of a N.U.I., or ErrNotFound.
func (tx *Tx) IdentityByNUI(ctx context.Context, nui string) (*Identity, error) {
	row := tx.q.QueryRowContext(ctx, `SELECT `+identityColumns+` FROM identities WHERE nui = $1`, nui)
	i, err := scanIdentity(row)
	return i, wrap("identity by N.U.I.", err)
}

// IdentityByPasskeyHandle returns the identity whose WebAuthn user handle is
// handle, or ErrNotFound.
func (tx *Tx) IdentityByPasskeyHandle(ctx context.Context, handle []byte) (*Identity, error) {
	row := tx.q.QueryRowContext(ctx, `SELECT `+identityColumns+` FROM identities WHERE passkey_handle = $1`, handle)
	i, err := scanIdentity(row)
	return i, wrap("identity by passkey handle", err)
}

// SetIdentityState changes an identity's state and the reason for it.
func (tx *Tx) SetIdentityState(ctx context.Context, id, state, reason string, now time.Time) error {
	return tx.updateIdentity(ctx, "set identity state", `state = $2, state_reason = $3, updated_at = $4`, id, state, reason, micros(now))
}

// ActivateIdentity sets the first password and makes a pending identity
// active; it fails with ErrNotFound unless the identity is pending.
func (tx *Tx) ActivateIdentity(ctx context.Context, id, passwordHash string, now time.Time) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE identities SET state = 'activa', state_reason = '', password_hash = $2,
		password_changed_at = $3, activated_at = $3, updated_at = $3 WHERE id = $1 AND state = 'pendiente'`,
		id, passwordHash, micros(now))
	return affectedOne("activate identity", res, err)
}

// SetIdentityPassword replaces the password hash.
func (tx *Tx) SetIdentityPassword(ctx context.Context, id, passwordHash string, now time.Time) error {
	return tx.updateIdentity(ctx, "set password", `password_hash = $2, password_changed_at = $3, updated_at = $3`, id, passwordHash, micros(now))
}

// SetIdentityEmail replaces the email address.
func (tx *Tx) SetIdentityEmail(ctx context.Context, id, email string, now time.Time) error {
	return tx.updateIdentity(ctx, "set email", `email = $2, updated_at = $3`, id, email, micros(now))
}

// SetIdentityNames replaces the names, as the civil registry now gives them.
func (tx *Tx) SetIdentityNames(ctx context.Context, id, given, surnames string, now time.Time) error {
	return tx.updateIdentity(ctx, "set names", `given_names = $2, surnames = $3, updated_at = $4`, id, given, surnames, micros(now))
}

// SetTOTPPending keeps a sealed TOTP secret being set up (nil clears it).
func (tx *Tx) SetTOTPPending(ctx context.Context, id string, sealed []byte, now time.Time) error {
	return tx.updateIdentity(ctx, "set pending TOTP", `totp_pending = $2, updated_at = $3`, id, sealed, micros(now))
}

// EnableTOTP makes the sealed secret the identity's second factor, clearing
// the pending one; lastStep is the step of the code that confirmed it.
func (tx *Tx) EnableTOTP(ctx context.Context, id string, sealed []byte, lastStep int64, now time.Time) error {
	return tx.updateIdentity(ctx, "enable TOTP",
		`totp_secret = $2, totp_pending = NULL, totp_enabled_at = $3, totp_last_step = $4, updated_at = $3`,
		id, sealed, micros(now), lastStep)
}

// DisableTOTP removes the TOTP secret and every recovery code.
func (tx *Tx) DisableTOTP(ctx context.Context, id string, now time.Time) error {
	if err := tx.updateIdentity(ctx, "disable TOTP",
		`totp_secret = NULL, totp_pending = NULL, totp_enabled_at = 0, updated_at = $2`, id, micros(now)); err != nil {
		return err
	}
	_, err := tx.q.ExecContext(ctx, `DELETE FROM recovery_codes WHERE identity_id = $1`, id)
	return wrap("disable TOTP", err)
}

// AdvanceTOTPStep records step as the last TOTP step used, only if it is
// later than the one recorded; it reports false when the step (or a later
// one) was already used, which is how a replayed code is refused even when
// two nodes check it at the same moment.
func (tx *Tx) AdvanceTOTPStep(ctx context.Context, id string, step int64) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE identities SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, id, step)
	if err != nil {
		return false, wrap("advance TOTP step", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap("advance TOTP step", err)
}

func (tx *Tx) updateIdentity(ctx context.Context, op, set string, id string, args ...any) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE identities SET `+set+` WHERE id = $1`, append([]any{id}, args...)...)
	return affectedOne(op, res, err)
}

// IdentityFilter selects identities for the consoles.
type IdentityFilter struct {
	State string // empty: any
	Role  string // empty: any
	Limit int    // default 100
}

// ListIdentities returns identities matching f, newest first.
func (tx *Tx) ListIdentities(ctx context.Context, f IdentityFilter) ([]Identity, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q := `SELECT ` + identityColumns + ` FROM identities WHERE ($1 = '' OR state = $1)
		AND ($2 = '' OR id IN (SELECT identity_id FROM identity_roles WHERE role = $2))
		ORDER BY created_at DESC, id DESC LIMIT $3`
	rows, err := tx.q.QueryContext(ctx, q, f.State, f.Role, f.Limit)
	if err != nil {
		return nil, wrap("list identities", err)
	}
	defer rows.Close()
	var out []Identity
	for rows.Next() {
		i, err := scanIdentity(rows)
		if err != nil {
			return nil, wrap("list identities", err)
		}
		out = append(out, *i)
	}
	return out, wrap("list identities", rows.Err())
}

// Role is one row of identity_roles. InstitutionID is empty for roles that
// are not scoped to an institution.
type Role struct {
	ID            string
	IdentityID    string
	Role          string
	InstitutionID string
	GrantedAt     time.Time
	GrantedBy     string // identity id; empty for the admin command line
}

// GrantRole adds a role; it fails with ErrDuplicate when the identity holds it already.
func (tx *Tx) GrantRole(ctx context.Context, r *Role) error {
	if r.ID == "" {
		r.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO identity_roles (id, identity_id, role, institution_id, granted_at, granted_by)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		r.ID, r.IdentityID, r.Role, nullable(r.InstitutionID), micros(r.GrantedAt), nullable(r.GrantedBy))
	return wrapWrite("grant role", err)
}

// RevokeRole removes a role; ErrNotFound when the identity does not hold it.
func (tx *Tx) RevokeRole(ctx context.Context, identityID, role, institutionID string) error {
	var (
		res sql.Result
		err error
	)
	if institutionID == "" {
		res, err = tx.q.ExecContext(ctx, `DELETE FROM identity_roles WHERE identity_id = $1 AND role = $2 AND institution_id IS NULL`,
			identityID, role)
	} else {
		res, err = tx.q.ExecContext(ctx, `DELETE FROM identity_roles WHERE identity_id = $1 AND role = $2 AND institution_id = $3`,
			identityID, role, institutionID)
	}
	return affectedOne("revoke role", res, err)
}

// RolesOf lists an identity's roles, oldest first.
func (tx *Tx) RolesOf(ctx context.Context, identityID string) ([]Role, error) {
	return tx.queryRoles(ctx, "roles of identity", `WHERE identity_id = $1 ORDER BY granted_at, id`, identityID)
}

// RoleHolders lists who holds role (in institutionID, when not empty).
func (tx *Tx) RoleHolders(ctx context.Context, role, institutionID string) ([]Role, error) {
	if institutionID == "" {
		return tx.queryRoles(ctx, "role holders", `WHERE role = $1 ORDER BY granted_at, id`, role)
	}
	return tx.queryRoles(ctx, "role holders", `WHERE role = $1 AND institution_id = $2 ORDER BY granted_at, id`, role, institutionID)
}

func (tx *Tx) queryRoles(ctx context.Context, op, where string, args ...any) ([]Role, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id, identity_id, role, institution_id, granted_at, granted_by FROM identity_roles `+where, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []Role
	for rows.Next() {
		var (
			r         Role
			inst, by  sql.NullString
			grantedAt int64
		)
		if err := rows.Scan(&r.ID, &r.IdentityID, &r.Role, &inst, &grantedAt, &by); err != nil {
			return nil, wrap(op, err)
		}
		r.InstitutionID, r.GrantedBy, r.GrantedAt = inst.String, by.String, fromMicros(grantedAt)
		out = append(out, r)
	}
	return out, wrap(op, rows.Err())
}

// nullable stores an empty string as NULL (for optional UUID columns).
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// affectedOne turns "no row changed" into ErrNotFound.
func affectedOne(op string, res sql.Result, err error) error {
	if err != nil {
		return wrapWrite(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, ErrNotFound)
	}
	return nil
}

// wrapWrite is wrap that also recognises unique violations as ErrDuplicate.
func wrapWrite(op string, err error) error {
	if err == nil {
		return nil
	}
	if isUniqueViolation(err) {
		return fmt.Errorf("%s: %w: %v", op, ErrDuplicate, err)
	}
	return wrap(op, err)
}

func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "constraint failed: UNIQUE")
}

// validUUID reports whether s has the shape of a UUID, so that PostgreSQL
// is never asked to cast garbage (which fails the whole transaction).
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
