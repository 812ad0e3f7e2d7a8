package identity

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"buzon/internal/nui"
	"buzon/internal/store"
)

// AccountRecord is what the DIGERCIC console shows about one account.
type AccountRecord struct {
	Account *Account
	Roles   []Grant
	// LockedUntil is when sign-in attempts are accepted again after too
	// many failures; zero when the account is not locked.
	LockedUntil time.Time
	// Failures counts the recent failed attempts.
	Failures int
	// Sessions counts the open sessions.
	Sessions int
	SignIns  []SignInRecord
	// History is the audit log about the account, newest first.
	History []AuditEntry
}

// FindAccount is the console's search by cédula. It is audited (the
// operator saw a person's account).
func (s *Service) FindAccount(ctx context.Context, p *Principal, rawNUI string) (*AccountRecord, error) {
	if err := Require(p, RoleDIGERCIC); err != nil {
		return nil, err
	}
	id, err := nui.Parse(rawNUI)
	if err != nil {
		return nil, err
	}
	row, err := s.db.Reader().IdentityByNUI(ctx, string(id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if err := s.db.Write(ctx, func(tx *store.Tx) error {
		return s.audit(ctx, tx, p, RoleDIGERCIC, AuditRecord{Action: ActionAccountView, SubjectID: row.ID, SubjectNUI: row.NUI}, now)
	}); err != nil {
		return nil, err
	}
	return s.accountRecord(ctx, row, now)
}

// AccountRecord returns the console's view of an account by id (after an
// action, to show the result). It is not audited again.
func (s *Service) AccountRecord(ctx context.Context, p *Principal, accountID string) (*AccountRecord, error) {
	if err := Require(p, RoleDIGERCIC); err != nil {
		return nil, err
	}
	row, err := s.db.Reader().IdentityByID(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return s.accountRecord(ctx, row, s.Now())
}

func (s *Service) accountRecord(ctx context.Context, row *store.Identity, now time.Time) (*AccountRecord, error) {
	r := s.db.Reader()
	rec := &AccountRecord{Account: accountOf(row)}
	roles, err := r.RolesOf(ctx, row.ID)
	if err != nil {
		return nil, err
	}
	rec.Roles = grants(roles)
	th, err := r.ThrottleByKey(ctx, nuiKey(row.NUI))
	if err != nil {
		return nil, err
	}
	if th.LockedUntil.After(now) {
		rec.LockedUntil = th.LockedUntil
	}
	if now.Sub(th.LastFailureAt) < AccountThrottle.Forget {
		rec.Failures = th.Failures
	}
	sessions, err := r.UserSessionsOf(ctx, row.ID, now)
	if err != nil {
		return nil, err
	}
	rec.Sessions = len(sessions)
	if rec.SignIns, err = s.SignInHistory(ctx, row.ID, 20); err != nil {
		return nil, err
	}
	hist, err := r.AuditEntries(ctx, store.AuditFilter{SubjectID: row.ID, Limit: 50})
	if err != nil {
		return nil, err
	}
	rec.History = auditEntries(hist)
	return rec, nil
}

// Suspend stops an account, with a mandatory reason: no more sign-in, and
// its sessions end at once.
func (s *Service) Suspend(ctx context.Context, p *Principal, accountID, reason string) error {
	return s.consoleAction(ctx, p, accountID, reason, true, func(tx *store.Tx, row *store.Identity, reason string, now time.Time) (AuditRecord, error) {
		switch State(row.State) {
		case StateSuspended:
			return AuditRecord{}, ErrAlreadySuspended
		case StateClosed:
			return AuditRecord{}, ErrClosed
		}
		if err := tx.SetIdentityState(ctx, row.ID, string(StateSuspended), reason, now); err != nil {
			return AuditRecord{}, err
		}
		n, err := EndSessions(ctx, tx, row.ID)
		if err != nil {
			return AuditRecord{}, err
		}
		return AuditRecord{Action: ActionSuspend, Detail: "estado anterior: " + row.State + "; sesiones cerradas: " + itoa(n)}, nil
	})
}

// Reactivate lifts a suspension, with a mandatory reason. An account that was
// never activated goes back to pending.
func (s *Service) Reactivate(ctx context.Context, p *Principal, accountID, reason string) error {
	return s.consoleAction(ctx, p, accountID, reason, true, func(tx *store.Tx, row *store.Identity, reason string, now time.Time) (AuditRecord, error) {
		if State(row.State) != StateSuspended {
			return AuditRecord{}, ErrNotSuspended
		}
		next := StateActive
		if row.PasswordHash == "" {
			next = StatePending
		}
		if err := tx.SetIdentityState(ctx, row.ID, string(next), "", now); err != nil {
			return AuditRecord{}, err
		}
		return AuditRecord{Action: ActionReactivate, Detail: "nuevo estado: " + string(next)}, nil
	})
}

// ChangeEmail is the operator's change of a citizen's email (the citizen
// proved who he is at the counter): immediate, reason mandatory, the old
// address told. A pending account gets a fresh activation link at the new
// address.
func (s *Service) ChangeEmail(ctx context.Context, p *Principal, accountID, rawEmail, reason string) error {
	email, err := ParseEmail(rawEmail)
	if err != nil {
		return err
	}
	return s.consoleAction(ctx, p, accountID, reason, true, func(tx *store.Tx, row *store.Identity, reason string, now time.Time) (AuditRecord, error) {
		if strings.EqualFold(row.Email, email) {
			return AuditRecord{}, ErrEmailUnchanged
		}
		if State(row.State) == StateClosed {
			return AuditRecord{}, ErrClosed
		}
		old := row.Email
		if err := tx.SetIdentityEmail(ctx, row.ID, email, now); err != nil {
			return AuditRecord{}, err
		}
		row.Email = email
		acc := accountOf(row)
		if err := s.queueMail(ctx, tx, MailEmailChanged, old, MailData{Name: acc.FullName(), NewEmail: maskEmail(email), At: now}, now); err != nil {
			return AuditRecord{}, err
		}
		if acc.State == StatePending {
			if _, err := s.sendActivation(ctx, tx, acc, false, now); err != nil {
				return AuditRecord{}, err
			}
		}
		return AuditRecord{Action: ActionChangeEmail, Detail: "de " + old + " a " + email}, nil
	})
}

// ResendActivation sends a new activation link to a pending account; the
// earlier links stop working.
func (s *Service) ResendActivation(ctx context.Context, p *Principal, accountID string) error {
	return s.consoleAction(ctx, p, accountID, "", false, func(tx *store.Tx, row *store.Identity, _ string, now time.Time) (AuditRecord, error) {
		if State(row.State) != StatePending {
			return AuditRecord{}, ErrNotPending
		}
		acc := accountOf(row)
		roles, err := tx.RolesOf(ctx, row.ID)
		if err != nil {
			return AuditRecord{}, err
		}
		staff := false
		for _, r := range roles {
			staff = staff || Role(r.Role).Staff()
		}
		if _, err := s.sendActivation(ctx, tx, acc, staff, now); err != nil {
			return AuditRecord{}, err
		}
		return AuditRecord{Action: ActionResendActivation, Detail: "correo: " + row.Email}, nil
	})
}

// Unlock forgives an account's failed sign-in attempts, lifting a lockout,
// with a mandatory reason.
func (s *Service) Unlock(ctx context.Context, p *Principal, accountID, reason string) error {
	return s.consoleAction(ctx, p, accountID, reason, true, func(tx *store.Tx, row *store.Identity, reason string, now time.Time) (AuditRecord, error) {
		th, err := tx.ThrottleByKey(ctx, nuiKey(row.NUI))
		if err != nil {
			return AuditRecord{}, err
		}
		if err := tx.ClearThrottle(ctx, nuiKey(row.NUI)); err != nil {
			return AuditRecord{}, err
		}
		return AuditRecord{Action: ActionUnlock, Detail: "intentos fallidos: " + itoa(th.Failures)}, nil
	})
}

// consoleAction runs one audited operator action on an account in one
// transaction: the role is checked, the reason trimmed (and required when
// needReason), the account loaded, and fn's record written to the audit log.
// Operators cannot act on their own account.
func (s *Service) consoleAction(ctx context.Context, p *Principal, accountID, reason string, needReason bool,
	fn func(tx *store.Tx, row *store.Identity, reason string, now time.Time) (AuditRecord, error)) error {
	if err := Require(p, RoleDIGERCIC); err != nil {
		return err
	}
	if needReason {
		var err error
		if reason, err = checkReason(reason); err != nil {
			return err
		}
	}
	if accountID == p.ID {
		return ErrOwnAccount
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		row, err := tx.IdentityByID(ctx, accountID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		rec, err := fn(tx, row, reason, now)
		if err != nil {
			return err
		}
		rec.Reason, rec.SubjectID, rec.SubjectNUI = reason, row.ID, row.NUI
		return s.audit(ctx, tx, p, RoleDIGERCIC, rec, now)
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
