package identity

import (
	"context"
	"time"

	"buzon/internal/registry"
	"buzon/internal/store"
)

// ActionRegisterVirtual is the audit action of a citizen account created
// (or a citizen role added) by the virtual channel, once the signed
// registration document was verified.
const ActionRegisterVirtual = "cuenta.registrar_virtual"

// CheckVirtualRegistration is the first step of the virtual channel (package
// registration): the same checks as in person — the cédula, the registry,
// the eligibility policy and no citizen account yet — without an operator.
// It returns the registry's data and changes nothing.
func (s *Service) CheckVirtualRegistration(ctx context.Context, rawNUI string) (registry.Person, error) {
	person, err := s.eligible(ctx, rawNUI, s.Now())
	if err != nil {
		return registry.Person{}, err
	}
	_, isCitizen, err := s.existing(ctx, s.db.Reader(), person.NUI)
	if err != nil {
		return registry.Person{}, err
	}
	if isCitizen {
		return registry.Person{}, ErrAlreadyRegistered
	}
	return person, nil
}

// RegisterVirtual is the last step of the virtual channel, run in the
// caller's transaction once the signed registration document was verified:
// it creates the citizen's identity pending activation (or finds the
// identity he already has as staff), grants the citizen role and audits it
// as the citizen's own act, from client. While the account is pending it
// issues an activation token and returns it, without emailing it: the
// citizen sets his password on the registration page (Activate). An
// account already active gets "" and keeps its password. detail is added
// to the audit entry (e.g. the certificate's serial number).
func (s *Service) RegisterVirtual(ctx context.Context, tx *store.Tx, person registry.Person, rawEmail string, client Client, detail string, now time.Time) (*Account, string, error) {
	email, err := ParseEmail(rawEmail)
	if err != nil {
		return nil, "", err
	}
	acc, isCitizen, err := s.existing(ctx, tx, person.NUI)
	if err != nil {
		return nil, "", err
	}
	if isCitizen {
		return nil, "", ErrAlreadyRegistered
	}
	if acc == nil {
		if acc, err = s.createIdentity(ctx, tx, person, email, ChannelVirtual, now); err != nil {
			return nil, "", err
		}
	} else {
		detail = joinDetail("identidad existente: se añade el rol ciudadano", detail)
	}
	if err := tx.GrantRole(ctx, &store.Role{IdentityID: acc.ID, Role: string(RoleCitizen), GrantedAt: now, GrantedBy: acc.ID}); err != nil {
		return nil, "", err
	}
	actor := &Principal{Account: *acc, Client: client}
	if err := s.audit(ctx, tx, actor, RoleCitizen, AuditRecord{Action: ActionRegisterVirtual, SubjectID: acc.ID,
		SubjectNUI: string(acc.NUI), Detail: joinDetail("correo: "+email, detail)}, now); err != nil {
		return nil, "", err
	}
	if acc.State != StatePending {
		return acc, "", nil
	}
	token, hash := newToken()
	if err := tx.CreateToken(ctx, &store.Token{Hash: hash, IdentityID: acc.ID, Purpose: string(PurposeActivation),
		CreatedAt: now, ExpiresAt: now.Add(ActivationLifetime)}); err != nil {
		return nil, "", err
	}
	return acc, token, nil
}
