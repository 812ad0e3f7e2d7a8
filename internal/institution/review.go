package institution

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"buzon/internal/identity"
	"buzon/internal/mail"
	"buzon/internal/nui"
	"buzon/internal/registry"
	"buzon/internal/store"
)

// RequestFilter selects requests in MINTEL's queue.
type RequestFilter struct {
	State RequestState // empty: any
	Kind  RequestKind  // empty: any
	// Flagged keeps only requests whose RUC is not a public body's.
	Flagged bool
	// Text matches the institution's name, acronym or RUC.
	Text  string
	Limit int
}

// requireMINTEL lets platform administrators through (with two-step
// verification on, as identity.Require checks).
func requireMINTEL(p *identity.Principal) error {
	if identity.Require(p, identity.RolePlatformAdmin) != nil {
		return ErrForbidden
	}
	return nil
}

// Requests is MINTEL's queue, oldest first.
func (s *Service) Requests(ctx context.Context, p *identity.Principal, f RequestFilter) ([]Request, error) {
	if err := requireMINTEL(p); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	rows, err := s.db.Reader().ListInstitutionRequests(ctx, store.InstitutionRequestFilter{
		State: string(f.State), Kind: string(f.Kind), Flagged: f.Flagged, Text: f.Text, Limit: f.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]Request, len(rows))
	for i := range rows {
		out[i] = *requestOf(&rows[i])
	}
	return out, nil
}

// PendingCount is the number of requests awaiting MINTEL.
func (s *Service) PendingCount(ctx context.Context, p *identity.Principal) (int, error) {
	if err := requireMINTEL(p); err != nil {
		return 0, err
	}
	return s.db.Reader().CountInstitutionRequests(ctx, string(RequestPending))
}

// Request returns one request with its documents, for MINTEL's review.
// Opening it is recorded in the audit log: it holds personal data.
func (s *Service) Request(ctx context.Context, p *identity.Principal, id string) (*Request, error) {
	if err := requireMINTEL(p); err != nil {
		return nil, err
	}
	row, err := s.db.Reader().InstitutionRequestByID(ctx, id)
	if err != nil {
		return nil, notFound(err)
	}
	r := requestOf(row)
	docs, err := s.db.Reader().InstitutionDocumentsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		r.Documents = append(r.Documents, Document{ID: d.ID, Kind: DocumentKind(d.Kind), Filename: d.Filename, Size: d.Size, SHA256: d.SHA256})
	}
	now := s.Now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		return audit(ctx, tx, p, identity.RolePlatformAdmin, identity.AuditRecord{Action: ActionViewRequest,
			SubjectNUI: r.Admin.NUI, InstitutionID: r.InstitutionID, Detail: "solicitud " + r.Tracking}, now)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// OpenDocument streams a request's document to MINTEL, recording the
// access in the audit log first; the caller closes the reader. A document
// of another request is ErrNotFound. The reader fails (blob.ErrCorrupt) if
// the stored file was altered.
func (s *Service) OpenDocument(ctx context.Context, p *identity.Principal, requestID, documentID string) (io.ReadCloser, *Document, error) {
	if err := requireMINTEL(p); err != nil {
		return nil, nil, err
	}
	req, err := s.db.Reader().InstitutionRequestByID(ctx, requestID)
	if err != nil {
		return nil, nil, notFound(err)
	}
	docs, err := s.db.Reader().InstitutionDocumentsOf(ctx, requestID)
	if err != nil {
		return nil, nil, err
	}
	var doc *store.InstitutionDocument
	for i := range docs {
		if docs[i].ID == documentID {
			doc = &docs[i]
		}
	}
	if doc == nil {
		return nil, nil, ErrNotFound
	}
	now := s.Now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		return audit(ctx, tx, p, identity.RolePlatformAdmin, identity.AuditRecord{Action: ActionViewDocument,
			SubjectNUI: req.AdminNUI, InstitutionID: req.InstitutionID,
			Detail: fmt.Sprintf("solicitud %s; documento: %s; SHA-256 %s", req.Tracking, doc.Kind, doc.SHA256)}, now)
	})
	if err != nil {
		return nil, nil, err
	}
	rc, err := s.docs.Get(ctx, doc.BlobKey)
	if err != nil {
		return nil, nil, fmt.Errorf("open document %s: %w", doc.ID, err)
	}
	return rc, &Document{ID: doc.ID, Kind: DocumentKind(doc.Kind), Filename: doc.Filename, Size: doc.Size, SHA256: doc.SHA256}, nil
}

// Decision is MINTEL's answer to a request.
type Decision struct {
	Approve bool
	// Reason is mandatory either way: why it was rejected, or what was
	// checked before approving.
	Reason string
}

// Decide approves or rejects a pending request. Approving an activation
// creates the institution, active, and appoints its administrator;
// approving a change moves the administrator role from the old holder to
// the new one, ending the old one's sessions. Everything, including the
// emails to the requester and the people concerned, commits in one
// transaction. It returns the institution concerned (nil when rejected).
func (s *Service) Decide(ctx context.Context, p *identity.Principal, requestID string, d Decision) (*Institution, error) {
	if err := requireMINTEL(p); err != nil {
		return nil, err
	}
	reason, err := checkReason(d.Reason)
	if err != nil {
		return nil, err
	}
	row, err := s.db.Reader().InstitutionRequestByID(ctx, requestID)
	if err != nil {
		return nil, notFound(err)
	}
	if RequestState(row.State) != RequestPending {
		return nil, ErrAlreadyDecided
	}
	if !d.Approve {
		return nil, s.reject(ctx, p, row, reason)
	}
	person, err := s.person(ctx, row.AdminNUI)
	if err != nil {
		return nil, err
	}
	var inst *Institution
	now := s.Now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if RequestKind(row.Kind) == KindActivation {
			inst, err = s.activate(ctx, tx, p, row, person, reason, now)
		} else {
			inst, err = s.changeAdmin(ctx, tx, p, row, person, reason, now)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return inst, nil
}

func (s *Service) reject(ctx context.Context, p *identity.Principal, row *store.InstitutionRequest, reason string) error {
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := decide(ctx, tx, p, row, RequestRejected, "", reason, now); err != nil {
			return err
		}
		if RequestKind(row.Kind) == KindActivation {
			if err := s.queueMail(ctx, tx, "institution_request_decided", row.RequesterEmail, mail.InstitutionRequestDecidedData{
				Name: row.RequesterNames, Institution: row.Name, Request: row.Tracking, Reason: reason, At: now}, now); err != nil {
				return err
			}
		} else if err := s.queueMail(ctx, tx, "institution_admin_change_decided", row.AdminEmail, mail.InstitutionAdminChangeDecidedData{
			Name: row.AdminNames, Institution: row.Name, Request: row.Tracking, Reason: reason, At: now}, now); err != nil {
			return err
		}
		return audit(ctx, tx, p, identity.RolePlatformAdmin, identity.AuditRecord{Action: ActionReject, Reason: reason,
			SubjectNUI: row.AdminNUI, InstitutionID: row.InstitutionID,
			Detail: fmt.Sprintf("solicitud %s (%s) de %s, RUC %s", row.Tracking, RequestKind(row.Kind).Spanish(), row.Name, row.RUC)}, now)
	})
}

// decide marks the request decided; a request someone else decided in the
// meantime is ErrAlreadyDecided.
func decide(ctx context.Context, tx *store.Tx, p *identity.Principal, row *store.InstitutionRequest, state RequestState, institutionID, reason string, now time.Time) error {
	err := tx.DecideInstitutionRequest(ctx, row.ID, string(state), institutionID, p.ID, reason, now)
	if errors.Is(err, store.ErrNotFound) {
		return ErrAlreadyDecided
	}
	return err
}

// person is who the civil registry says holds a cédula, or, when Buzón
// already knows him, his identity's names (the registry was asked when it
// was created).
func (s *Service) person(ctx context.Context, cedula string) (registry.Person, error) {
	id, err := nui.Parse(cedula)
	if err != nil {
		return registry.Person{}, err
	}
	row, err := s.db.Reader().IdentityByNUI(ctx, string(id))
	if err == nil {
		return registry.Person{NUI: id, GivenNames: row.GivenNames, Surnames: row.Surnames, Status: registry.StatusValid}, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return registry.Person{}, err
	}
	person, err := s.ids.LookupPerson(ctx, string(id))
	if errors.Is(err, registry.ErrUnavailable) {
		return registry.Person{}, ErrRegistryUnavailable
	}
	return person, err
}

// activate creates the institution of an approved activation request and
// appoints its administrator.
func (s *Service) activate(ctx context.Context, tx *store.Tx, p *identity.Principal, row *store.InstitutionRequest, person registry.Person, reason string, now time.Time) (*Institution, error) {
	inst := &store.Institution{
		ID: store.NewID(), Name: row.Name, Acronym: row.Acronym, RUC: row.RUC, RUCKind: row.RUCKind, Sector: row.Sector,
		Modality: row.Modality, State: string(StateActive), DailyQuota: s.quota, Address: row.Address,
		Phone: row.ContactPhone, Email: row.ContactEmail, Website: row.Website, RequestID: row.ID, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.CreateInstitution(ctx, inst); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, ErrRUCActive.at("")
		}
		return nil, err
	}
	if err := decide(ctx, tx, p, row, RequestApproved, inst.ID, reason, now); err != nil {
		return nil, err
	}
	err := s.audit(ctx, tx, p, identity.RolePlatformAdmin, identity.AuditRecord{Action: ActionApprove, Reason: reason,
		SubjectNUI: row.AdminNUI, InstitutionID: inst.ID,
		Detail: fmt.Sprintf("solicitud %s; institución activada: %s, RUC %s, modalidad %s", row.Tracking, inst.Name, inst.RUC, inst.Modality)}, now)
	if err != nil {
		return nil, err
	}
	if err := s.appoint(ctx, tx, p, inst, identity.RoleInstitutionAdmin, person, staffData{
		names: row.AdminNames, position: row.AdminPosition, email: row.AdminEmail, phone: row.AdminPhone, requestID: row.ID,
	}, now); err != nil {
		return nil, err
	}
	if err := s.queueMail(ctx, tx, "institution_request_decided", row.RequesterEmail, mail.InstitutionRequestDecidedData{
		Name: row.RequesterNames, Institution: inst.Name, Request: row.Tracking, Approved: true, At: now}, now); err != nil {
		return nil, err
	}
	return institutionOf(inst, ""), nil
}

// changeAdmin gives the administrator role to the person of an approved
// change request and takes it from the current holders, ending their
// sessions, in the caller's transaction.
func (s *Service) changeAdmin(ctx context.Context, tx *store.Tx, p *identity.Principal, row *store.InstitutionRequest, person registry.Person, reason string, now time.Time) (*Institution, error) {
	inst, err := tx.InstitutionByID(ctx, row.InstitutionID)
	if err != nil {
		return nil, notFound(err)
	}
	if err := decide(ctx, tx, p, row, RequestApproved, "", reason, now); err != nil {
		return nil, err
	}
	current, err := tx.InstitutionStaffOf(ctx, inst.ID, string(identity.RoleInstitutionAdmin), true)
	if err != nil {
		return nil, err
	}
	why := fmt.Sprintf("el MINTEL aprobó la solicitud %s de cambio de administrador", row.Tracking)
	for _, old := range current {
		if old.NUI == string(person.NUI) {
			// The same person with new contact data: the old appointment
			// closes and a new one opens below, the role stays.
			if err := tx.EndInstitutionStaff(ctx, old.ID, p.ID, "datos actualizados por la solicitud "+row.Tracking, now); err != nil {
				return nil, err
			}
			continue
		}
		if err := s.dismiss(ctx, tx, p, inst, &old, sentence(why), now); err != nil {
			return nil, err
		}
	}
	if err := s.audit(ctx, tx, p, identity.RolePlatformAdmin, identity.AuditRecord{Action: ActionChangeAdmin, Reason: reason,
		SubjectNUI: row.AdminNUI, InstitutionID: inst.ID,
		Detail: fmt.Sprintf("solicitud %s; administradores anteriores: %s", row.Tracking, nuisOf(current))}, now); err != nil {
		return nil, err
	}
	if err := s.appoint(ctx, tx, p, inst, identity.RoleInstitutionAdmin, person, staffData{
		names: row.AdminNames, position: row.AdminPosition, email: row.AdminEmail, phone: row.AdminPhone, requestID: row.ID,
	}, now); err != nil {
		return nil, err
	}
	if err := s.queueMail(ctx, tx, "institution_admin_change_decided", row.AdminEmail, mail.InstitutionAdminChangeDecidedData{
		Name: row.AdminNames, Institution: inst.Name, Request: row.Tracking, Approved: true, At: now}, now); err != nil {
		return nil, err
	}
	logo, err := tx.InstitutionLogoSum(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	return institutionOf(inst, logo), nil
}

func nuisOf(staff []store.InstitutionStaff) string {
	if len(staff) == 0 {
		return "ninguno"
	}
	var out []string
	for _, s := range staff {
		out = append(out, s.NUI)
	}
	return strings.Join(out, ", ")
}

func (s *Service) audit(ctx context.Context, tx *store.Tx, p *identity.Principal, role identity.Role, rec identity.AuditRecord, now time.Time) error {
	return audit(ctx, tx, p, role, rec, now)
}
