package identity

import (
	"context"
	"errors"
	"strings"
	"time"

	"buzon/internal/nui"
	"buzon/internal/store"
)

// Sign-in methods, as recorded in sessions and the sign-in history.
const (
	MethodPassword         = "contraseña"
	MethodPasswordTOTP     = "contraseña+totp"
	MethodPasswordRecovery = "contraseña+código_de_recuperación"
	MethodPasswordPasskey  = "contraseña+llave"
	MethodPasskey          = "llave"
)

// Sign-in outcomes, as recorded in the history.
const (
	OutcomeOK            = "correcto"
	OutcomeBadPassword   = "contraseña_incorrecta"
	OutcomeBadCode       = "código_incorrecto"
	OutcomeThrottled     = "bloqueado"
	OutcomeSuspended     = "cuenta_suspendida"
	OutcomePasskeyFailed = "llave_rechazada"
)

// SecondFactorWindow is how long a person has, after a correct password, to
// give the second factor.
const SecondFactorWindow = 5 * time.Minute

// SignInStep is the outcome of a correct password.
type SignInStep struct {
	Account *Account
	// SecondFactor is true when two-step verification is on: the session
	// starts only after VerifySecondFactor (or a passkey) succeeds.
	SecondFactor bool
	// Passkeys is true when the person has passkeys, which the second step
	// offers besides the code.
	Passkeys bool
}

// CheckPassword is the first step of signing in with a N.U.I. and a
// password. A wrong N.U.I., a wrong password and an account without a
// password all get ErrBadCredentials; failures count against the N.U.I. and
// the client address, and past the allowance attempts are refused with a
// *ThrottleError (matching ErrThrottled) before the password is looked at.
func (s *Service) CheckPassword(ctx context.Context, rawNUI, password string, c Client) (*SignInStep, error) {
	id, err := nui.Parse(rawNUI)
	if err != nil {
		return nil, err
	}
	if password == "" {
		return nil, ErrPasswordEmpty
	}
	if len(password) > 4*MaxPasswordLength {
		return nil, ErrBadCredentials
	}
	now := s.Now()
	keys := []throttleCheck{{nuiKey(string(id)), AccountThrottle}, {addrKey(c.Address), AddressThrottle}}
	reader := s.db.Reader()
	if err := checkThrottle(ctx, reader, now, keys...); err != nil {
		var row *store.Identity
		if r, lerr := reader.IdentityByNUI(ctx, string(id)); lerr == nil {
			row = r
		}
		s.recordAttempt(ctx, row, MethodPassword, OutcomeThrottled, c, now)
		return nil, err
	}
	row, err := reader.IdentityByNUI(ctx, string(id))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	hash := ""
	if row != nil {
		hash = row.PasswordHash
	}
	ok, err := s.passwordMatches(password, hash)
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := s.db.Write(ctx, func(tx *store.Tx) error {
			if err := countFailure(ctx, tx, now, keys...); err != nil {
				return err
			}
			if row != nil {
				return tx.RecordSignIn(ctx, signIn(row.ID, MethodPassword, OutcomeBadPassword, c, now))
			}
			return nil
		}); err != nil {
			return nil, err
		}
		return nil, ErrBadCredentials
	}
	switch State(row.State) {
	case StateActive:
	case StateSuspended:
		s.recordAttempt(ctx, row, MethodPassword, OutcomeSuspended, c, now)
		return nil, ErrSuspended
	default:
		return nil, ErrBadCredentials
	}
	step := &SignInStep{Account: accountOf(row), SecondFactor: len(row.TOTPSecret) > 0}
	if step.SecondFactor {
		keys, err := reader.PasskeysOf(ctx, row.ID)
		if err != nil {
			return nil, err
		}
		step.Passkeys = len(keys) > 0
	}
	return step, nil
}

// passwordMatches compares password with hash; with no hash (no such
// account, or not yet activated) it still spends the time of a comparison,
// so that timing does not reveal who has an account.
func (s *Service) passwordMatches(password, hash string) (bool, error) {
	if hash == "" {
		s.dummyOnce.Do(func() { s.dummyHash, _ = hashPassword("buzon-dummy-password", &s.params) })
		verifyPassword(password, s.dummyHash)
		return false, nil
	}
	return verifyPassword(password, hash)
}

// recordAttempt writes a refused attempt to the person's history, if there
// is a person; it is best effort (the refusal stands either way).
func (s *Service) recordAttempt(ctx context.Context, row *store.Identity, method, outcome string, c Client, now time.Time) {
	if row == nil {
		return
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.RecordSignIn(ctx, signIn(row.ID, method, outcome, c, now)) })
	if err != nil {
		s.log.Warn("record sign-in attempt", "err", err)
	}
}

func signIn(identityID, method, outcome string, c Client, now time.Time) *store.SignIn {
	return &store.SignIn{IdentityID: identityID, At: now, Method: method, Outcome: outcome, Address: c.Address, UserAgent: c.UserAgent}
}

// VerifySecondFactor is the second step of signing in: a code from the
// authenticator app (six digits; a code already used is refused) or one of
// the recovery codes. It returns the method to start the session with.
// Failures count against the account and the address like wrong passwords.
func (s *Service) VerifySecondFactor(ctx context.Context, accountID, code string, c Client) (string, error) {
	code = normalizeCode(code)
	if code == "" {
		return "", ErrCodeEmpty
	}
	now := s.Now()
	row, err := s.db.Reader().IdentityByID(ctx, accountID)
	if err != nil {
		return "", err
	}
	if len(row.TOTPSecret) == 0 {
		return "", ErrTOTPNotSetUp
	}
	keys := []throttleCheck{{nuiKey(row.NUI), AccountThrottle}, {addrKey(c.Address), AddressThrottle}}
	if err := checkThrottle(ctx, s.db.Reader(), now, keys...); err != nil {
		s.recordAttempt(ctx, row, MethodPasswordTOTP, OutcomeThrottled, c, now)
		return "", err
	}
	var method string
	var refusal error
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if isTOTPCode(code) {
			method = MethodPasswordTOTP
			refusal = s.useTOTP(ctx, tx, row, code, now)
		} else {
			method = MethodPasswordRecovery
			ok, err := tx.UseRecoveryCode(ctx, row.ID, hashRecoveryCode(code), now)
			if err != nil {
				return err
			}
			if !ok {
				refusal = ErrCodeInvalid
			}
		}
		if refusal != nil && !IsShown(refusal) {
			return refusal
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if refusal != nil {
		if err := s.db.Write(ctx, func(tx *store.Tx) error {
			if err := countFailure(ctx, tx, now, keys...); err != nil {
				return err
			}
			return tx.RecordSignIn(ctx, signIn(row.ID, method, OutcomeBadCode, c, now))
		}); err != nil {
			return "", err
		}
		return "", refusal
	}
	return method, nil
}

func normalizeCode(code string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(code)))
}

func isTOTPCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}
