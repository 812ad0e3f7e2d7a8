package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// RegistrationApplication is one row of registration_applications: a
// citizen's virtual registration, from the N.U.I. and email he typed to the
// account it created. The registration package gives the states meaning.
type RegistrationApplication struct {
	ID         string
	SecretHash []byte
	NUI        string
	GivenNames string
	Surnames   string
	Email      string
	Lang       string
	State      string
	Address    string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UpdatedAt  time.Time

	EmailCodeHash      []byte
	EmailCodeExpiresAt time.Time
	EmailCodeFailures  int
	EmailCodesSent     int
	EmailVerifiedAt    time.Time

	// The issued document; Code is "" until it is issued.
	Code           string
	DocumentKey    string
	DocumentSHA256 string
	DocumentSize   int64
	IssuedAt       time.Time

	VerifiedAt time.Time
	IdentityID string
	// ActivationToken is sealed; nil once used.
	ActivationToken []byte
	ActivatedAt     time.Time
}

const registrationColumns = `id, secret_hash, nui, given_names, surnames, email, lang, state, client_address,
	created_at, expires_at, updated_at, email_code_hash, email_code_expires_at, email_code_failures, email_codes_sent,
	email_verified_at, code, document_key, document_sha256, document_size, issued_at, verified_at, identity_id,
	activation_token, activated_at`

func scanRegistration(row interface{ Scan(...any) error }) (*RegistrationApplication, error) {
	var (
		a                                                   RegistrationApplication
		created, expires, updated, codeExp, emailOK, issued int64
		verified, activated                                 int64
		code, docKey, identityID                            sql.NullString
	)
	if err := row.Scan(&a.ID, &a.SecretHash, &a.NUI, &a.GivenNames, &a.Surnames, &a.Email, &a.Lang, &a.State, &a.Address,
		&created, &expires, &updated, &a.EmailCodeHash, &codeExp, &a.EmailCodeFailures, &a.EmailCodesSent,
		&emailOK, &code, &docKey, &a.DocumentSHA256, &a.DocumentSize, &issued, &verified, &identityID,
		&a.ActivationToken, &activated); err != nil {
		return nil, err
	}
	a.Code, a.DocumentKey, a.IdentityID = code.String, docKey.String, identityID.String
	a.CreatedAt, a.ExpiresAt, a.UpdatedAt = fromMicros(created), fromMicros(expires), fromMicros(updated)
	a.EmailCodeExpiresAt, a.EmailVerifiedAt, a.IssuedAt = fromMicros(codeExp), fromMicros(emailOK), fromMicros(issued)
	a.VerifiedAt, a.ActivatedAt = fromMicros(verified), fromMicros(activated)
	return &a, nil
}

// CreateRegistrationApplication inserts a new application, waiting for its
// email code.
func (tx *Tx) CreateRegistrationApplication(ctx context.Context, a *RegistrationApplication) error {
	if a.ID == "" {
		a.ID = NewID()
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.CreatedAt
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO registration_applications (`+registrationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
			$23, $24, $25, $26)`,
		a.ID, a.SecretHash, a.NUI, a.GivenNames, a.Surnames, a.Email, a.Lang, a.State, a.Address,
		micros(a.CreatedAt), micros(a.ExpiresAt), micros(a.UpdatedAt), a.EmailCodeHash, micros(a.EmailCodeExpiresAt),
		a.EmailCodeFailures, a.EmailCodesSent, micros(a.EmailVerifiedAt), nullable(a.Code), nullable(a.DocumentKey),
		a.DocumentSHA256, a.DocumentSize, micros(a.IssuedAt), micros(a.VerifiedAt), nullable(a.IdentityID),
		a.ActivationToken, micros(a.ActivatedAt))
	return wrapWrite("create registration application", err)
}

// RegistrationApplication returns one application, or ErrNotFound.
func (tx *Tx) RegistrationApplication(ctx context.Context, id string) (*RegistrationApplication, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("registration application %q: %w", id, ErrNotFound)
	}
	row := tx.q.QueryRowContext(ctx, `SELECT `+registrationColumns+` FROM registration_applications WHERE id = $1`, id)
	a, err := scanRegistration(row)
	return a, wrap("registration application", err)
}

// RegistrationApplicationOfIdentity returns the application that created
// (or added the citizen role to) an identity, or ErrNotFound for an account
// registered another way.
func (tx *Tx) RegistrationApplicationOfIdentity(ctx context.Context, identityID string) (*RegistrationApplication, error) {
	if !validUUID(identityID) {
		return nil, fmt.Errorf("registration of identity %q: %w", identityID, ErrNotFound)
	}
	row := tx.q.QueryRowContext(ctx, `SELECT `+registrationColumns+` FROM registration_applications WHERE identity_id = $1`, identityID)
	a, err := scanRegistration(row)
	return a, wrap("registration of identity", err)
}

// CountRegistrationApplications counts the applications made since a moment
// with an email address and from a client address, for the limits that keep
// the public form from being used to send mail in bulk.
func (tx *Tx) CountRegistrationApplications(ctx context.Context, email, address string, since time.Time) (byEmail, byAddress int, err error) {
	err = tx.q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM registration_applications WHERE email = $1 AND created_at >= $3),
		(SELECT COUNT(*) FROM registration_applications WHERE client_address = $2 AND created_at >= $3)`,
		email, address, micros(since)).Scan(&byEmail, &byAddress)
	return byEmail, byAddress, wrap("count registration applications", err)
}

// SetRegistrationEmailCode replaces the application's email code (the hash
// of a new one), counts it as sent and forgives earlier wrong guesses; only
// while the application waits for its code.
func (tx *Tx) SetRegistrationEmailCode(ctx context.Context, id string, hash []byte, expires, now time.Time) error {
	return tx.updateRegistration(ctx, "set registration email code", `email_code_hash = $3, email_code_expires_at = $4,
		email_code_failures = 0, email_codes_sent = email_codes_sent + 1, updated_at = $5`, id, "correo_pendiente",
		hash, micros(expires), micros(now))
}

// CountRegistrationCodeFailure records a wrong email code and returns the
// number of wrong codes since the last one sent.
func (tx *Tx) CountRegistrationCodeFailure(ctx context.Context, id string, now time.Time) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `UPDATE registration_applications
		SET email_code_failures = email_code_failures + 1, updated_at = $2
		WHERE id = $1 AND state = 'correo_pendiente' RETURNING email_code_failures`, id, micros(now)).Scan(&n)
	return n, wrap("count registration code failure", err)
}

// IssueRegistrationDocument records that the email was confirmed and the
// registration document issued: its code, blob key, SHA-256 and size. The
// application then waits for the signed document.
func (tx *Tx) IssueRegistrationDocument(ctx context.Context, id, code, key, sha256Hex string, size int64, now time.Time) error {
	return tx.updateRegistration(ctx, "issue registration document", `state = 'por_firmar', email_code_hash = NULL,
		email_verified_at = $3, code = $4, document_key = $5, document_sha256 = $6, document_size = $7, issued_at = $3,
		updated_at = $3`, id, "correo_pendiente", micros(now), code, key, sha256Hex, size)
}

// AcceptRegistration records that the signed document was verified and the
// account created (identityID). With a sealed activation token the
// application waits for the password; without one (the account was already
// active) it is complete.
func (tx *Tx) AcceptRegistration(ctx context.Context, id, identityID string, sealedToken []byte, now time.Time) error {
	state := "verificada"
	activated := int64(0)
	if sealedToken == nil {
		state, activated = "activada", micros(now)
	}
	return tx.updateRegistration(ctx, "accept registration", `state = $3, verified_at = $4, identity_id = $5,
		activation_token = $6, activated_at = $7, updated_at = $4`, id, "por_firmar", state, micros(now), identityID,
		sealedToken, activated)
}

// CompleteRegistration records that the citizen set his password: the
// activation token is forgotten.
func (tx *Tx) CompleteRegistration(ctx context.Context, id string, now time.Time) error {
	return tx.updateRegistration(ctx, "complete registration", `state = 'activada', activation_token = NULL,
		activated_at = $3, updated_at = $3`, id, "verificada", micros(now))
}

// CancelRegistration ends an application that can no longer go on (too many
// wrong codes, the person registered another way); its record stays.
func (tx *Tx) CancelRegistration(ctx context.Context, id string, now time.Time) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE registration_applications SET state = 'anulada', email_code_hash = NULL,
		updated_at = $2 WHERE id = $1 AND state IN ('correo_pendiente', 'por_firmar')`, id, micros(now))
	return affectedOne("cancel registration", res, err)
}

// updateRegistration changes an application that is in state; ErrNotFound
// when it is not (another request moved it first).
func (tx *Tx) updateRegistration(ctx context.Context, op, set, id, state string, args ...any) error {
	if !validUUID(id) {
		return fmt.Errorf("%s: %w", op, ErrNotFound)
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE registration_applications SET `+set+` WHERE id = $1 AND state = $2`,
		append([]any{id, state}, args...)...)
	return affectedOne(op, res, err)
}

// RegistrationAttempt is one row of registration_attempts: an upload that
// reached the verifier, with its outcome and the verifier's report.
type RegistrationAttempt struct {
	ID            string
	ApplicationID string
	AttemptedAt   time.Time
	Outcome       string // aceptada, rechazada
	Step          string
	Code          string
	FileSHA256    string
	FileSize      int64
	Report        []byte // JSON
	SignedKey     string // accepted only
	SignedSize    int64
	Certificate   []byte // DER, accepted only
	Address       string
}

const attemptColumns = `id, application_id, attempted_at, outcome, step, code, file_sha256, file_size, report,
	signed_key, signed_size, certificate, client_address`

// AddRegistrationAttempt records one verification.
func (tx *Tx) AddRegistrationAttempt(ctx context.Context, a *RegistrationAttempt) error {
	if a.ID == "" {
		a.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO registration_attempts (`+attemptColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.ApplicationID, micros(a.AttemptedAt), a.Outcome, a.Step, a.Code, a.FileSHA256, a.FileSize, string(a.Report),
		nullable(a.SignedKey), a.SignedSize, a.Certificate, a.Address)
	return wrapWrite("add registration attempt", err)
}

// RegistrationAttempts lists an application's verifications, oldest first.
func (tx *Tx) RegistrationAttempts(ctx context.Context, applicationID string) ([]RegistrationAttempt, error) {
	if !validUUID(applicationID) {
		return nil, nil
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+attemptColumns+` FROM registration_attempts
		WHERE application_id = $1 ORDER BY attempted_at, id`, applicationID)
	if err != nil {
		return nil, wrap("registration attempts", err)
	}
	defer rows.Close()
	var out []RegistrationAttempt
	for rows.Next() {
		var (
			a      RegistrationAttempt
			at     int64
			report string
			key    sql.NullString
		)
		if err := rows.Scan(&a.ID, &a.ApplicationID, &at, &a.Outcome, &a.Step, &a.Code, &a.FileSHA256, &a.FileSize,
			&report, &key, &a.SignedSize, &a.Certificate, &a.Address); err != nil {
			return nil, wrap("registration attempts", err)
		}
		a.AttemptedAt, a.Report, a.SignedKey = fromMicros(at), []byte(report), key.String
		out = append(out, a)
	}
	return out, wrap("registration attempts", rows.Err())
}

// RegistrationApplicationsByNUI lists the applications made for a N.U.I.,
// newest first, for the DIGERCIC help desk.
func (tx *Tx) RegistrationApplicationsByNUI(ctx context.Context, nui string, limit int) ([]RegistrationApplication, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+registrationColumns+` FROM registration_applications
		WHERE nui = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, nui, limit)
	if err != nil {
		return nil, wrap("registration applications by N.U.I.", err)
	}
	defer rows.Close()
	var out []RegistrationApplication
	for rows.Next() {
		a, err := scanRegistration(rows)
		if err != nil {
			return nil, wrap("registration applications by N.U.I.", err)
		}
		out = append(out, *a)
	}
	return out, wrap("registration applications by N.U.I.", rows.Err())
}
