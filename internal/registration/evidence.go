package registration

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"

	"buzon/internal/identity"
	"buzon/internal/nui"
	"buzon/internal/store"
)

// ActionEvidenceView is the audit action of staff looking at a citizen's
// registration evidence (or downloading part of it).
const ActionEvidenceView = "registro.consultar_evidencia"

// ActionApplicationsView is the audit action of staff listing the online
// applications made with a N.U.I.
const ActionApplicationsView = "registro.consultar_solicitudes"

// Evidence is the record of a virtual registration kept with the account:
// the application, every verification attempt, and the accepted one with
// its signed PDF, report and certificate.
type Evidence struct {
	Application *Application
	// Accepted is the attempt whose signature created the account.
	Accepted *Attempt
	// Certificate is the signer's certificate of the accepted attempt.
	Certificate *x509.Certificate

	signedKey string
	issuedKey string
	certDER   []byte
}

// CertificatePEM returns the signer's certificate in PEM.
func (e *Evidence) CertificatePEM() []byte {
	if len(e.certDER) == 0 {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.certDER})
}

// SignedName is the file name of the signed PDF.
func (e *Evidence) SignedName() string {
	return "registro-buzon-" + e.Application.Code + "-firmado.pdf"
}

// OwnEvidence returns the registration evidence of the signed-in person's
// own account; ErrNoEvidence when it was not registered online.
func (s *Service) OwnEvidence(ctx context.Context, p *identity.Principal) (*Evidence, error) {
	if p == nil || p.IsSystem() || p.ID == "" {
		return nil, identity.ErrForbidden
	}
	return s.evidence(ctx, p.ID)
}

// CitizenEvidence returns the registration evidence of the account of a
// N.U.I. to a DIGERCIC operator or an auditor, recording in the audit log
// that he saw it (what says what he looked at or downloaded).
func (s *Service) CitizenEvidence(ctx context.Context, p *identity.Principal, rawNUI, what string) (*Evidence, error) {
	if err := identity.Require(p, identity.RoleDIGERCIC, identity.RoleAuditor); err != nil {
		return nil, err
	}
	id, err := nui.Parse(rawNUI)
	if err != nil {
		return nil, err
	}
	row, err := s.db.Reader().IdentityByNUI(ctx, string(id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, identity.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	ev, err := s.evidence(ctx, row.ID)
	if err != nil {
		return nil, err
	}
	role := identity.RoleDIGERCIC
	if !p.Has(role) {
		role = identity.RoleAuditor
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		return identity.RecordAudit(ctx, tx, p, role, identity.AuditRecord{Action: ActionEvidenceView, SubjectID: row.ID,
			SubjectNUI: row.NUI, Detail: what}, s.Now())
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// CitizenApplications lists, for a DIGERCIC operator or an auditor helping
// a citizen, the online applications made with a N.U.I. (newest first,
// with their attempts), whether or not they led to an account; the view is
// audited.
func (s *Service) CitizenApplications(ctx context.Context, p *identity.Principal, rawNUI string) ([]*Application, error) {
	if err := identity.Require(p, identity.RoleDIGERCIC, identity.RoleAuditor); err != nil {
		return nil, err
	}
	id, err := nui.Parse(rawNUI)
	if err != nil {
		return nil, err
	}
	tx := s.db.Reader()
	rows, err := tx.RegistrationApplicationsByNUI(ctx, string(id), 20)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	out := make([]*Application, 0, len(rows))
	for i := range rows {
		attempts, err := tx.RegistrationAttempts(ctx, rows[i].ID)
		if err != nil {
			return nil, err
		}
		v := s.view(&rows[i], attempts, now)
		v.GivenNames, v.Surnames = rows[i].GivenNames, rows[i].Surnames
		out = append(out, v)
	}
	role := identity.RoleDIGERCIC
	if !p.Has(role) {
		role = identity.RoleAuditor
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		return identity.RecordAudit(ctx, tx, p, role, identity.AuditRecord{Action: ActionApplicationsView,
			SubjectNUI: string(id), Detail: fmt.Sprintf("%d solicitudes de registro en línea", len(out))}, now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) evidence(ctx context.Context, identityID string) (*Evidence, error) {
	tx := s.db.Reader()
	a, err := tx.RegistrationApplicationOfIdentity(ctx, identityID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoEvidence
	}
	if err != nil {
		return nil, err
	}
	attempts, err := tx.RegistrationAttempts(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	ev := &Evidence{Application: s.view(a, attempts, s.Now()), issuedKey: a.DocumentKey}
	for i, at := range attempts {
		if at.Outcome != OutcomeAccepted {
			continue
		}
		ev.Accepted = &ev.Application.Attempts[i]
		ev.signedKey, ev.certDER = at.SignedKey, at.Certificate
		if len(at.Certificate) > 0 {
			if ev.Certificate, err = x509.ParseCertificate(at.Certificate); err != nil {
				return nil, fmt.Errorf("stored signer certificate: %w", err)
			}
		}
	}
	return ev, nil
}

// OpenSigned opens the accepted signed PDF, as uploaded; the caller closes it.
func (s *Service) OpenSigned(ctx context.Context, ev *Evidence) (io.ReadCloser, error) {
	if ev.signedKey == "" {
		return nil, ErrNoEvidence
	}
	return s.docs.Get(ctx, ev.signedKey)
}

// OpenIssued opens the registration document as issued; the caller closes it.
func (s *Service) OpenIssued(ctx context.Context, ev *Evidence) (io.ReadCloser, error) {
	if ev.issuedKey == "" {
		return nil, ErrNoEvidence
	}
	return s.docs.Get(ctx, ev.issuedKey)
}
