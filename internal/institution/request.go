package institution

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"buzon/internal/filetype"
	"buzon/internal/identity"
	"buzon/internal/mail"
	"buzon/internal/nui"
	"buzon/internal/registry"
	"buzon/internal/store"
)

// RequestKind says what a request asks MINTEL. The values are stored.
type RequestKind string

// The kinds of request.
const (
	KindActivation  RequestKind = "activacion"
	KindAdminChange RequestKind = "cambio_administrador"
)

// Spanish names the kind as the consoles show it.
func (k RequestKind) Spanish() string {
	if k == KindAdminChange {
		return "Cambio de administrador"
	}
	return "Activación de institución"
}

// English names the kind in English.
func (k RequestKind) English() string {
	if k == KindAdminChange {
		return "Administrator change"
	}
	return "Institution activation"
}

// RequestState is where a request stands. The values are stored.
type RequestState string

// The states of a request.
const (
	RequestPending  RequestState = "pendiente"
	RequestApproved RequestState = "aprobada"
	RequestRejected RequestState = "rechazada"
)

// Spanish names the state.
func (s RequestState) Spanish() string {
	switch s {
	case RequestPending:
		return "Pendiente de revisión"
	case RequestApproved:
		return "Aprobada"
	case RequestRejected:
		return "Rechazada"
	}
	return string(s)
}

// English names the state.
func (s RequestState) English() string {
	switch s {
	case RequestPending:
		return "Awaiting review"
	case RequestApproved:
		return "Approved"
	case RequestRejected:
		return "Rejected"
	}
	return string(s)
}

// Person is someone named in a request: the requester or the administrator.
type Person struct {
	Names    string
	NUI      string
	Position string
	Email    string
	Phone    string
}

// Document is a signed PDF of a request, as MINTEL's console lists it.
type Document struct {
	ID       string
	Kind     DocumentKind
	Filename string
	Size     int64
	SHA256   string
}

// Request is an activation or administrator change request, as MINTEL
// reviews it.
type Request struct {
	ID       string
	Tracking string
	Kind     RequestKind
	State    RequestState
	RUC      string
	// RUCKind is nui.Kind's name; anything but "public" is flagged.
	RUCKind       string
	InstitutionID string
	// The institution as requested (activation); for a change, its name.
	Name         string
	Acronym      string
	Sector       Sector
	Address      string
	Website      string
	ContactPhone string
	ContactEmail string
	Modality     Modality
	Requester    Person
	Admin        Person

	SubmittedAt    time.Time
	DecidedAt      time.Time
	DecidedBy      string
	DecisionReason string
	Documents      []Document
}

// Flagged reports whether the RUC is not a public body's: MINTEL checks the
// institution is really part of the public sector before approving.
func (r *Request) Flagged() bool { return r.RUCKind != nui.KindPublic.String() }

// Pending reports whether the request still awaits MINTEL.
func (r *Request) Pending() bool { return r.State == RequestPending }

func requestOf(r *store.InstitutionRequest) *Request {
	return &Request{
		ID: r.ID, Tracking: r.Tracking, Kind: RequestKind(r.Kind), State: RequestState(r.State), RUC: r.RUC,
		RUCKind: r.RUCKind, InstitutionID: r.InstitutionID, Name: r.Name, Acronym: r.Acronym, Sector: Sector(r.Sector),
		Address: r.Address, Website: r.Website, ContactPhone: r.ContactPhone, ContactEmail: r.ContactEmail,
		Modality:  Modality(r.Modality),
		Requester: Person{Names: r.RequesterNames, NUI: r.RequesterNUI, Position: r.RequesterPosition, Email: r.RequesterEmail},
		Admin: Person{Names: r.AdminNames, NUI: r.AdminNUI, Position: r.AdminPosition, Email: r.AdminEmail,
			Phone: r.AdminPhone},
		SubmittedAt: r.SubmittedAt, DecidedAt: r.DecidedAt, DecidedBy: r.DecidedBy, DecisionReason: r.DecisionReason,
	}
}

// Status is what anyone holding a tracking number may see of a request: no
// personal data, only where it stands.
type Status struct {
	Tracking    string
	Kind        RequestKind
	State       RequestState
	Institution string
	SubmittedAt time.Time
	DecidedAt   time.Time
	// Reason is MINTEL's reason, shown once the request is decided.
	Reason string
}

// Submit files an activation request: it checks every field and both
// documents, refusing with *Invalid (every refusal next to its field) and
// storing nothing when anything is wrong; otherwise it stores the documents
// encrypted, the request, and queues the acknowledgement to the requester,
// whose tracking number it returns in the Request.
func (s *Service) Submit(ctx context.Context, f ActivationForm) (*Request, error) {
	var p problems
	a := f.check(&p)
	p.add("letter", checkPDF("letter", f.Letter, s.maxDoc))
	p.add("delegation", checkPDF("delegation", f.Delegation, s.maxDoc))
	if !p.has("ruc") {
		if err := s.rucFree(ctx, s.db.Reader(), a.ruc); err != nil {
			p.add("ruc", err)
		}
	}
	if !p.has("admin_nui") {
		if err := s.checkInRegistry(ctx, a.admin.nui); err != nil {
			p.add("admin_nui", err)
		}
	}
	if err := p.err(); err != nil {
		for _, e := range p.errs {
			if !IsShown(e) {
				return nil, e
			}
		}
		return nil, err
	}
	now := s.Now()
	row := &store.InstitutionRequest{
		ID: store.NewID(), Tracking: newTracking(now), Kind: string(KindActivation), State: string(RequestPending),
		RUC: a.ruc.String(), RUCKind: a.ruc.Kind.String(), Name: a.name, Acronym: a.acronym, Sector: string(a.sector),
		Address: a.address, Website: a.website, ContactPhone: a.contactPhone, ContactEmail: a.contactEmail,
		Modality: string(a.modality), RequesterNames: a.requesterNames, RequesterNUI: string(a.requesterNUI),
		RequesterPosition: a.requesterPosition, RequesterEmail: a.requesterEmail,
		AdminNames: a.admin.names, AdminNUI: string(a.admin.nui), AdminPosition: a.admin.position,
		AdminEmail: a.admin.email, AdminPhone: a.admin.phone, SubmittedAt: now,
	}
	uploads := map[DocumentKind]Upload{DocumentLetter: f.Letter, DocumentDelegation: f.Delegation}
	err := s.file(ctx, row, uploads, func(tx *store.Tx) error {
		return s.queueMail(ctx, tx, "institution_request_received", row.RequesterEmail, mail.InstitutionRequestReceivedData{
			Name: row.RequesterNames, Institution: row.Name, Request: row.Tracking, At: now}, now)
	})
	if err != nil {
		return nil, err
	}
	return requestOf(row), nil
}

// SubmitAdminChange files the service-desk request of a new administrator:
// the institution's RUC, his data and the delegation document. Refusals
// are as for Submit; the acknowledgement goes to the new administrator.
func (s *Service) SubmitAdminChange(ctx context.Context, f AdminChangeForm) (*Request, error) {
	var p problems
	ruc, err := nui.ParseRUC(f.RUC)
	p.add("ruc", err)
	ad := f.Admin.check(&p)
	p.add("delegation", checkPDF("delegation", f.Delegation, s.maxDoc))
	var inst *store.Institution
	if err == nil {
		inst, err = s.db.Reader().InstitutionByRUC(ctx, ruc.String())
		switch {
		case errors.Is(err, store.ErrNotFound):
			p.add("ruc", ErrRUCUnknown)
		case err != nil:
			return nil, err
		default:
			if _, err := s.db.Reader().PendingInstitutionRequestOfRUC(ctx, ruc.String()); err == nil {
				p.add("ruc", ErrRUCRequested)
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		}
	}
	if !p.has("admin_nui") {
		if err := s.checkInRegistry(ctx, ad.nui); err != nil {
			p.add("admin_nui", err)
		}
	}
	if err := p.err(); err != nil {
		for _, e := range p.errs {
			if !IsShown(e) {
				return nil, e
			}
		}
		return nil, err
	}
	now := s.Now()
	row := &store.InstitutionRequest{
		ID: store.NewID(), Tracking: newTracking(now), Kind: string(KindAdminChange), State: string(RequestPending),
		RUC: inst.RUC, RUCKind: inst.RUCKind, InstitutionID: inst.ID, Name: inst.Name, Acronym: inst.Acronym,
		Sector: inst.Sector, Modality: inst.Modality,
		RequesterNames: ad.names, RequesterNUI: string(ad.nui), RequesterPosition: ad.position, RequesterEmail: ad.email,
		AdminNames: ad.names, AdminNUI: string(ad.nui), AdminPosition: ad.position, AdminEmail: ad.email, AdminPhone: ad.phone,
		SubmittedAt: now,
	}
	err = s.file(ctx, row, map[DocumentKind]Upload{DocumentDelegation: f.Delegation}, func(tx *store.Tx) error {
		return s.queueMail(ctx, tx, "institution_admin_change_received", row.AdminEmail, mail.InstitutionAdminChangeReceivedData{
			Name: row.AdminNames, Institution: row.Name, Request: row.Tracking, At: now}, now)
	})
	if err != nil {
		return nil, err
	}
	return requestOf(row), nil
}

// rucFree refuses a RUC whose institution is already active or which has
// a request pending.
func (s *Service) rucFree(ctx context.Context, tx *store.Tx, ruc nui.RUC) error {
	if _, err := tx.InstitutionByRUC(ctx, ruc.String()); err == nil {
		return ErrRUCActive
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if _, err := tx.PendingInstitutionRequestOfRUC(ctx, ruc.String()); err == nil {
		return ErrRUCRequested
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// checkInRegistry refuses a cédula the civil registry does not hold as
// valid. Without a registry, or while it cannot be reached, the request is
// accepted: MINTEL's approval asks again, and needs the answer.
func (s *Service) checkInRegistry(ctx context.Context, id nui.NUI) error {
	if _, err := s.db.Reader().IdentityByNUI(ctx, string(id)); err == nil {
		return nil // already known to Buzón
	}
	_, err := s.ids.LookupPerson(ctx, string(id))
	switch {
	case err == nil, errors.Is(err, identity.ErrRegistryNotConfigured), errors.Is(err, registry.ErrUnavailable):
		return nil
	case IsShown(err):
		return err
	}
	s.log.Warn("civil registry lookup failed; request accepted, MINTEL will check again", "err", err)
	return nil
}

// file stores the documents sealed, then the request, its documents and
// whatever then adds (the acknowledgement) in one transaction. If the
// transaction fails the documents are removed again, so a refused request
// leaves nothing behind.
func (s *Service) file(ctx context.Context, row *store.InstitutionRequest, uploads map[DocumentKind]Upload, then func(tx *store.Tx) error) error {
	var docs []*store.InstitutionDocument
	cleanup := func() {
		for _, d := range docs {
			if err := s.docs.Delete(context.WithoutCancel(ctx), d.BlobKey); err != nil {
				s.log.Warn("remove the document of a refused request", "key", d.BlobKey, "err", err)
			}
		}
	}
	for _, kind := range []DocumentKind{DocumentLetter, DocumentDelegation} {
		u, ok := uploads[kind]
		if !ok {
			continue
		}
		d := &store.InstitutionDocument{ID: store.NewID(), RequestID: row.ID, Kind: string(kind),
			Filename: filetype.WithExt(filetype.SafeName(u.Name), filetype.PDF), CreatedAt: row.SubmittedAt}
		d.BlobKey = "institution-requests/" + row.ID + "/" + d.ID
		docs = append(docs, d)
		info, err := s.docs.Put(ctx, d.BlobKey, io.NewSectionReader(u.Content, 0, u.Size))
		if err != nil {
			cleanup()
			return fmt.Errorf("store %s document: %w", kind, err)
		}
		d.Size, d.SHA256 = info.Size, info.Hex()
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if row.Kind == string(KindActivation) {
			ruc, err := nui.ParseRUC(row.RUC)
			if err != nil {
				return err
			}
			if err := s.rucFree(ctx, tx, ruc); err != nil {
				return onField("ruc", err)
			}
		}
		if err := tx.CreateInstitutionRequest(ctx, row); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				// Another request for the RUC won the race (a tracking
				// number collision is a 2⁻⁴⁰ event, not worth a branch).
				return &Invalid{Errors: []error{ErrRUCRequested}}
			}
			return err
		}
		for _, d := range docs {
			if err := tx.AddInstitutionDocument(ctx, d); err != nil {
				return err
			}
		}
		return then(tx)
	})
	if err != nil {
		cleanup()
		var e *Error
		if errors.As(err, &e) {
			return &Invalid{Errors: []error{e}}
		}
		return err
	}
	return nil
}

// Status returns where a request stands, for whoever holds its tracking
// number (the public follow-up page). An unknown number is ErrTrackingNotFound.
func (s *Service) Status(ctx context.Context, tracking string) (*Status, error) {
	t, err := ParseTracking(tracking)
	if err != nil {
		return nil, err
	}
	r, err := s.db.Reader().InstitutionRequestByTracking(ctx, t)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrTrackingNotFound
	}
	if err != nil {
		return nil, err
	}
	st := &Status{Tracking: r.Tracking, Kind: RequestKind(r.Kind), State: RequestState(r.State), Institution: r.Name,
		SubmittedAt: r.SubmittedAt, DecidedAt: r.DecidedAt}
	if st.State != RequestPending {
		st.Reason = r.DecisionReason
	}
	return st, nil
}
