package identity

import (
	"context"
	"errors"
	"time"

	"buzon/internal/registry"
	"buzon/internal/store"
)

// Invitation is what an institution's invitation email needs about the
// person named: his account and, while it is still pending activation, a
// fresh single-use activation link.
type Invitation struct {
	Account *Account
	// Created tells whether the identity was created for this invitation.
	Created bool
	// Link is the activation link, "" when the account is already active
	// (the person signs in as usual and finds the new role).
	Link    string
	Expires time.Time
}

// InviteStaff is EnsureIdentity for the institutions package, whose own
// invitation email (naming the institution and the role) carries the
// activation link: it finds the identity of person or creates it pending
// activation, and while the account is pending issues a new activation
// token, without queuing the account's own activation email. It runs in the
// caller's transaction, so the appointment and the account commit together;
// look the person up first with LookupPerson, outside the transaction. An
// existing identity keeps its email.
func (s *Service) InviteStaff(ctx context.Context, tx *store.Tx, actor *Principal, person registry.Person, rawEmail string, now time.Time) (*Invitation, error) {
	email, err := ParseEmail(rawEmail)
	if err != nil {
		return nil, err
	}
	inv := &Invitation{}
	row, err := tx.IdentityByNUI(ctx, string(person.NUI))
	switch {
	case err == nil:
		inv.Account = accountOf(row)
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	default:
		if inv.Account, err = s.createIdentity(ctx, tx, person, email, ChannelInstitution, now); err != nil {
			return nil, err
		}
		inv.Created = true
		if err := s.audit(ctx, tx, actor, "", AuditRecord{Action: ActionCreateIdentity, SubjectID: inv.Account.ID,
			SubjectNUI: string(inv.Account.NUI), Detail: "correo: " + email}, now); err != nil {
			return nil, err
		}
	}
	if inv.Account.State != StatePending {
		return inv, nil
	}
	token, hash := newToken()
	inv.Expires = now.Add(ActivationLifetime)
	if err := tx.CreateToken(ctx, &store.Token{Hash: hash, IdentityID: inv.Account.ID, Purpose: string(PurposeActivation),
		CreatedAt: now, ExpiresAt: inv.Expires}); err != nil {
		return nil, err
	}
	inv.Link = s.link("/activar", token)
	return inv, nil
}
