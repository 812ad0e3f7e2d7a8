package identity

import (
	"context"
	"errors"
	"strings"

	"buzon/internal/store"
)

// ChangePassword replaces the signed-in person's password after checking
// the current one, and ends his other sessions.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, password, confirm string) error {
	if p == nil || p.IsSystem() {
		return ErrForbidden
	}
	if err := s.reauthenticate(ctx, p, current); err != nil {
		return err
	}
	if err := CheckPassword(password, confirm, personal(&p.Account)); err != nil {
		return err
	}
	hash, err := hashPassword(password, &s.params)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetIdentityPassword(ctx, p.ID, hash, now); err != nil {
			return err
		}
		_, err := tx.DeleteUserSessionsOf(ctx, p.ID, p.SessionID)
		return err
	})
}

// RequestEmailChange sends a confirmation link to a new address, after
// checking the password; the address changes only when the link is followed
// (ConfirmEmailChange).
func (s *Service) RequestEmailChange(ctx context.Context, p *Principal, password, rawEmail string) error {
	if p == nil || p.IsSystem() {
		return ErrForbidden
	}
	email, err := ParseEmail(rawEmail)
	if err != nil {
		return err
	}
	if strings.EqualFold(email, p.Email) {
		return ErrEmailUnchanged
	}
	if err := s.reauthenticate(ctx, p, password); err != nil {
		return err
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		token, hash := newToken()
		exp := now.Add(EmailChangeLifetime)
		if err := tx.CreateToken(ctx, &store.Token{Hash: hash, IdentityID: p.ID, Purpose: string(PurposeEmailChange), Email: email,
			CreatedAt: now, ExpiresAt: exp}); err != nil {
			return err
		}
		return s.queueMail(ctx, tx, MailVerifyEmail, email, MailData{Name: p.FullName(), Link: s.link("/correo/confirmar", token),
			Expires: exp, NewEmail: email}, now)
	})
}

// ConfirmEmailChange follows the link sent to a new address: the address
// becomes the account's and the old one is told.
func (s *Service) ConfirmEmailChange(ctx context.Context, token string) (*Account, error) {
	if !wellFormedToken(token) {
		return nil, ErrTokenInvalid
	}
	now := s.Now()
	var acc *Account
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		t, err := tx.UseToken(ctx, hashToken(token), string(PurposeEmailChange), now)
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
		old := row.Email
		if err := tx.SetIdentityEmail(ctx, row.ID, t.Email, now); err != nil {
			return err
		}
		row.Email = t.Email
		acc = accountOf(row)
		return s.queueMail(ctx, tx, MailEmailChanged, old, MailData{Name: acc.FullName(), NewEmail: maskEmail(t.Email), At: now}, now)
	})
	if err != nil {
		return nil, err
	}
	return acc, nil
}

// Account returns the signed-in person's account as stored now.
func (s *Service) Account(ctx context.Context, accountID string) (*Account, error) {
	row, err := s.db.Reader().IdentityByID(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return accountOf(row), nil
}

// maskEmail hides most of an address's local part ("ma***@example.com"), for
// the notice sent to the old address.
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return "***"
	}
	r := []rune(local)
	if len(r) <= 2 {
		return strings.Repeat("*", len(r)) + "@" + domain
	}
	return string(r[:2]) + "***@" + domain
}
