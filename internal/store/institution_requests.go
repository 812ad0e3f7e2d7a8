package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// InstitutionRequest is one row of institution_requests: an activation
// request or an administrator change, waiting for or decided by MINTEL.
type InstitutionRequest struct {
	ID            string
	Tracking      string
	Kind          string
	State         string
	RUC           string
	RUCKind       string
	InstitutionID string
	// The institution, as requested (activation only).
	Name         string
	Acronym      string
	Sector       string
	Address      string
	Website      string
	ContactPhone string
	ContactEmail string
	Modality     string
	// Who asked (activation only; for a change, the new administrator asks).
	RequesterNames    string
	RequesterNUI      string
	RequesterPosition string
	RequesterEmail    string
	// The designated Administrador Institucional.
	AdminNames    string
	AdminNUI      string
	AdminPosition string
	AdminEmail    string
	AdminPhone    string

	SubmittedAt    time.Time
	DecidedAt      time.Time
	DecidedBy      string
	DecisionReason string
}

const institutionRequestColumns = `id, tracking, kind, state, ruc, ruc_kind, institution_id, name, acronym, sector, address,
	website, contact_phone, contact_email, modality, requester_names, requester_nui, requester_position, requester_email,
	admin_names, admin_nui, admin_position, admin_email, admin_phone, submitted_at, decided_at, decided_by, decision_reason`

func scanInstitutionRequest(row interface{ Scan(...any) error }) (*InstitutionRequest, error) {
	var (
		r                  InstitutionRequest
		inst, by           sql.NullString
		submitted, decided int64
	)
	if err := row.Scan(&r.ID, &r.Tracking, &r.Kind, &r.State, &r.RUC, &r.RUCKind, &inst, &r.Name, &r.Acronym, &r.Sector,
		&r.Address, &r.Website, &r.ContactPhone, &r.ContactEmail, &r.Modality, &r.RequesterNames, &r.RequesterNUI,
		&r.RequesterPosition, &r.RequesterEmail, &r.AdminNames, &r.AdminNUI, &r.AdminPosition, &r.AdminEmail, &r.AdminPhone,
		&submitted, &decided, &by, &r.DecisionReason); err != nil {
		return nil, err
	}
	r.InstitutionID, r.DecidedBy = inst.String, by.String
	r.SubmittedAt, r.DecidedAt = fromMicros(submitted), fromMicros(decided)
	return &r, nil
}

// CreateInstitutionRequest inserts a pending request. It fails with
// ErrDuplicate when the RUC already has a pending request (or, rarely, when
// the tracking number is taken: the caller draws another).
func (tx *Tx) CreateInstitutionRequest(ctx context.Context, r *InstitutionRequest) error {
	if r.ID == "" {
		r.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO institution_requests (`+institutionRequestColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
			$23, $24, $25, $26, $27, $28)`,
		r.ID, r.Tracking, r.Kind, r.State, r.RUC, r.RUCKind, nullable(r.InstitutionID), r.Name, r.Acronym, r.Sector,
		r.Address, r.Website, r.ContactPhone, r.ContactEmail, r.Modality, r.RequesterNames, r.RequesterNUI,
		r.RequesterPosition, r.RequesterEmail, r.AdminNames, r.AdminNUI, r.AdminPosition, r.AdminEmail, r.AdminPhone,
		micros(r.SubmittedAt), micros(r.DecidedAt), nullable(r.DecidedBy), r.DecisionReason)
	return wrapWrite("create institution request", err)
}

// InstitutionRequestByID returns one request, or ErrNotFound.
func (tx *Tx) InstitutionRequestByID(ctx context.Context, id string) (*InstitutionRequest, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("institution request %q: %w", id, ErrNotFound)
	}
	r, err := scanInstitutionRequest(tx.q.QueryRowContext(ctx,
		`SELECT `+institutionRequestColumns+` FROM institution_requests WHERE id = $1`, id))
	return r, wrap("institution request by id", err)
}

// InstitutionRequestByTracking returns the request with a tracking number, or ErrNotFound.
func (tx *Tx) InstitutionRequestByTracking(ctx context.Context, tracking string) (*InstitutionRequest, error) {
	r, err := scanInstitutionRequest(tx.q.QueryRowContext(ctx,
		`SELECT `+institutionRequestColumns+` FROM institution_requests WHERE tracking = $1`, tracking))
	return r, wrap("institution request by tracking", err)
}

// PendingInstitutionRequestOfRUC returns the pending request of a RUC, or ErrNotFound.
func (tx *Tx) PendingInstitutionRequestOfRUC(ctx context.Context, ruc string) (*InstitutionRequest, error) {
	r, err := scanInstitutionRequest(tx.q.QueryRowContext(ctx,
		`SELECT `+institutionRequestColumns+` FROM institution_requests WHERE ruc = $1 AND state = 'pendiente'`, ruc))
	return r, wrap("pending institution request", err)
}

// InstitutionRequestFilter selects requests for MINTEL's queue.
type InstitutionRequestFilter struct {
	State string // empty: any
	Kind  string // empty: any
	// Flagged keeps only requests whose RUC is not a public body's.
	Flagged bool
	// Text matches the institution's name, acronym or RUC, ignoring case.
	Text string
	// InstitutionID keeps the requests of one institution.
	InstitutionID string
	Limit         int // default 200
}

// ListInstitutionRequests returns the requests matching f, oldest first:
// the queue is worked in the order it was filed.
func (tx *Tx) ListInstitutionRequests(ctx context.Context, f InstitutionRequestFilter) ([]InstitutionRequest, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	text := "%" + escapeLike(strings.ToLower(strings.TrimSpace(f.Text))) + "%"
	where := `WHERE ($1 = '' OR state = $1) AND ($2 = '' OR kind = $2) AND ($3 = 0 OR ruc_kind <> 'public')
		AND (lower(name) LIKE $4 ESCAPE '\' OR lower(acronym) LIKE $4 ESCAPE '\' OR ruc LIKE $4 ESCAPE '\')`
	args := []any{f.State, f.Kind, boolInt(f.Flagged), text, f.Limit}
	if f.InstitutionID != "" {
		if !validUUID(f.InstitutionID) {
			return nil, nil
		}
		where += ` AND institution_id = $6`
		args = append(args, f.InstitutionID)
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+institutionRequestColumns+` FROM institution_requests `+where+`
		ORDER BY submitted_at, id LIMIT $5`, args...)
	if err != nil {
		return nil, wrap("list institution requests", err)
	}
	defer rows.Close()
	var out []InstitutionRequest
	for rows.Next() {
		r, err := scanInstitutionRequest(rows)
		if err != nil {
			return nil, wrap("list institution requests", err)
		}
		out = append(out, *r)
	}
	return out, wrap("list institution requests", rows.Err())
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// DecideInstitutionRequest moves a pending request to state (aprobada or
// rechazada) with who decided and why; institutionID, when not empty, links
// an approved activation to the institution it created. It fails with
// ErrNotFound unless the request is still pending, which is how two MINTEL
// officers deciding at once cannot both succeed.
func (tx *Tx) DecideInstitutionRequest(ctx context.Context, id, state, institutionID, decidedBy, reason string, now time.Time) error {
	if !validUUID(id) {
		return fmt.Errorf("decide institution request: %w", ErrNotFound)
	}
	var (
		res sql.Result
		err error
	)
	if institutionID == "" {
		res, err = tx.q.ExecContext(ctx, `UPDATE institution_requests SET state = $2, decided_by = $3, decision_reason = $4,
			decided_at = $5 WHERE id = $1 AND state = 'pendiente'`, id, state, nullable(decidedBy), reason, micros(now))
	} else {
		res, err = tx.q.ExecContext(ctx, `UPDATE institution_requests SET state = $2, decided_by = $3, decision_reason = $4,
			decided_at = $5, institution_id = $6 WHERE id = $1 AND state = 'pendiente'`,
			id, state, nullable(decidedBy), reason, micros(now), institutionID)
	}
	return affectedOne("decide institution request", res, err)
}

// CountInstitutionRequests counts the requests in a state, for the console's badge.
func (tx *Tx) CountInstitutionRequests(ctx context.Context, state string) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM institution_requests WHERE state = $1`, state).Scan(&n)
	return n, wrap("count institution requests", err)
}

// InstitutionDocument is one row of institution_documents: a signed PDF
// attached to a request, sealed in the blob store under BlobKey.
type InstitutionDocument struct {
	ID        string
	RequestID string
	Kind      string
	Filename  string
	BlobKey   string
	Size      int64
	SHA256    string
	CreatedAt time.Time
}

// AddInstitutionDocument records a document of a request.
func (tx *Tx) AddInstitutionDocument(ctx context.Context, d *InstitutionDocument) error {
	if d.ID == "" {
		d.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO institution_documents (id, request_id, kind, filename, blob_key, size, sha256, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		d.ID, d.RequestID, d.Kind, d.Filename, d.BlobKey, d.Size, d.SHA256, micros(d.CreatedAt))
	return wrapWrite("add institution document", err)
}

// InstitutionDocumentsOf lists a request's documents.
func (tx *Tx) InstitutionDocumentsOf(ctx context.Context, requestID string) ([]InstitutionDocument, error) {
	if !validUUID(requestID) {
		return nil, nil
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT id, request_id, kind, filename, blob_key, size, sha256, created_at
		FROM institution_documents WHERE request_id = $1 ORDER BY kind DESC, id`, requestID)
	if err != nil {
		return nil, wrap("institution documents", err)
	}
	defer rows.Close()
	var out []InstitutionDocument
	for rows.Next() {
		var (
			d       InstitutionDocument
			created int64
		)
		if err := rows.Scan(&d.ID, &d.RequestID, &d.Kind, &d.Filename, &d.BlobKey, &d.Size, &d.SHA256, &created); err != nil {
			return nil, wrap("institution documents", err)
		}
		d.CreatedAt = fromMicros(created)
		out = append(out, d)
	}
	return out, wrap("institution documents", rows.Err())
}
