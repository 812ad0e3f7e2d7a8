package identity

import (
	"context"
	"errors"

	"buzon/internal/nui"
	"buzon/internal/store"
)

// RequestPasswordReset queues a reset link to the account's email when the
// N.U.I. belongs to an active account. It answers the same whether or not
// there is such an account (only a malformed cédula is refused), so the form
// reveals nothing; reset emails per account are limited (ResetThrottle),
// also silently.
func (s *Service) RequestPasswordReset(ctx context.Context, rawNUI string, c Client) error {
	id, err := nui.Parse(rawNUI)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		row, err := tx.IdentityByNUI(ctx, string(id))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if State(row.State) != StateActive {
			return nil
		}
		limit := throttleCheck{resetKey(row.NUI), ResetThrottle}
		if err := checkThrottle(ctx, tx, now, limit); err != nil {
			if errors.Is(err, ErrThrottled) {
				s.log.Info("password reset email held back by the limit", "nui", id.Masked(), "address", c.Address)
				return nil
			}
			return err
		}
		if err := countFailure(ctx, tx, now, limit); err != nil {
			return err
		}
		token, hash := newToken()
		exp := now.Add(ResetLifetime)
		if err := tx.CreateToken(ctx, &store.Token{Hash: hash, IdentityID: row.ID, Purpose: string(PurposeReset), CreatedAt: now, ExpiresAt: exp}); err != nil {
			return err
		}
		acc := accountOf(row)
		return s.queueMail(ctx, tx, MailReset, acc.Email, MailData{Name: acc.FullName(), Link: s.link("/restablecer", token), Expires: exp}, now)
	})
}

// ResetPassword follows a reset link: a new password (checked against the
// policy), the link used up, every session ended and the account's failed
// attempts forgiven (the person proved he reads the account's email).
func (s *Service) ResetPassword(ctx context.Context, token, password, confirm string) (*Account, error) {
	acc, err := s.TokenAccount(ctx, PurposeReset, token)
	if err != nil {
		return nil, err
	}
	if err := CheckPassword(password, confirm, personal(acc)); err != nil {
		return nil, err
	}
	hash, err := hashPassword(password, &s.params)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		t, err := tx.UseToken(ctx, hashToken(token), string(PurposeReset), now)
		if errors.Is(err, store.ErrNotFound) {
			return ErrTokenInvalid
		}
		if err != nil {
			return err
		}
		row, err := tx.IdentityByID(ctx, t.IdentityID)
		if err != nil {
			return err
		}
		if State(row.State) != StateActive {
			return ErrTokenInvalid
		}
		if err := tx.SetIdentityPassword(ctx, row.ID, hash, now); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessionsOf(ctx, row.ID, ""); err != nil {
			return err
		}
		return tx.ClearThrottle(ctx, nuiKey(row.NUI))
	})
	if err != nil {
		return nil, err
	}
	return acc, nil
}
