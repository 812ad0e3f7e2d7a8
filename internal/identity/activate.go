package identity

import (
	"context"
	"errors"

	"buzon/internal/eligibility"
	"buzon/internal/registry"
	"buzon/internal/store"
)

// TokenAccount returns the account an emailed link is for, without using
// the link, so its page can greet the person and show the form only while
// the link works. Anything else is ErrTokenInvalid.
func (s *Service) TokenAccount(ctx context.Context, purpose Purpose, token string) (*Account, error) {
	if !wellFormedToken(token) {
		return nil, ErrTokenInvalid
	}
	t, err := s.db.Reader().PeekToken(ctx, hashToken(token), string(purpose), s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, err
	}
	row, err := s.db.Reader().IdentityByID(ctx, t.IdentityID)
	if err != nil {
		return nil, err
	}
	acc := accountOf(row)
	if purpose == PurposeEmailChange {
		acc.Email = t.Email // the address being confirmed
	}
	return acc, nil
}

// Activate follows an activation link: it checks the password policy, uses
// the single-use token and makes the account active with its first
// password. A link used, expired or superseded by a newer one is
// ErrTokenInvalid; a refused password leaves the link usable.
func (s *Service) Activate(ctx context.Context, token, password, confirm string) (*Account, error) {
	acc, err := s.TokenAccount(ctx, PurposeActivation, token)
	if err != nil {
		return nil, err
	}
	if err := CheckPassword(password, confirm, personal(acc)); err != nil {
		return nil, err
	}
	if err := s.stillValid(ctx, acc); err != nil {
		return nil, err
	}
	hash, err := hashPassword(password, &s.params)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		t, err := tx.UseToken(ctx, hashToken(token), string(PurposeActivation), now)
		if errors.Is(err, store.ErrNotFound) {
			return ErrTokenInvalid
		}
		if err != nil {
			return err
		}
		err = tx.ActivateIdentity(ctx, t.IdentityID, hash, now)
		if errors.Is(err, store.ErrNotFound) {
			return ErrTokenInvalid // suspended or closed since the link was sent
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	acc.State, acc.HasPassword, acc.ActivatedAt = StateActive, true, now
	return acc, nil
}

// stillValid asks the registry again, when there is one, whether the person
// is still alive and his cédula in force: an activation can come days after
// the registration.
func (s *Service) stillValid(ctx context.Context, acc *Account) error {
	if s.registry == nil {
		return nil
	}
	p, err := s.registry.Lookup(ctx, acc.NUI)
	switch {
	case errors.Is(err, registry.ErrNotFound):
		return eligibility.ErrNotInRegistry
	case err != nil:
		return err
	case p.Status == registry.StatusDeceased:
		return eligibility.ErrDeceased
	case p.Status != registry.StatusValid:
		return eligibility.ErrCancelled
	}
	return nil
}

func personal(acc *Account) PersonalData {
	return PersonalData{NUI: string(acc.NUI), GivenNames: acc.GivenNames, Surnames: acc.Surnames, Email: acc.Email}
}
