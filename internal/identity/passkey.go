package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"buzon/internal/store"
)

// Passkeys (WebAuthn) serve two ways: as the second step after a password
// (instead of the authenticator app's code), and alone, as a passwordless
// sign-in with user verification (the device's PIN or biometrics), which is
// two factors in itself. A ceremony has two halves: Begin… returns the
// options for the browser (JSON for navigator.credentials) and a state the
// web layer keeps in the person's session until Finish… receives the
// browser's answer (JSON) with that state.

// PasskeyInfo describes a registered passkey, for the account page.
type PasskeyInfo struct {
	ID         string
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// passkeyUser adapts an identity to webauthn.User.
type passkeyUser struct {
	row   *store.Identity
	creds []webauthn.Credential
	keys  []store.Passkey
}

func (u *passkeyUser) WebAuthnID() []byte                         { return u.row.PasskeyHandle }
func (u *passkeyUser) WebAuthnName() string                       { return u.row.NUI }
func (u *passkeyUser) WebAuthnDisplayName() string                { return accountOf(u.row).FullName() }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func (s *Service) passkeyUser(ctx context.Context, tx *store.Tx, row *store.Identity) (*passkeyUser, error) {
	keys, err := tx.PasskeysOf(ctx, row.ID)
	if err != nil {
		return nil, err
	}
	u := &passkeyUser{row: row, keys: keys}
	for _, k := range keys {
		var c webauthn.Credential
		if err := json.Unmarshal(k.Credential, &c); err != nil {
			return nil, fmt.Errorf("passkey %s: %w", k.ID, err)
		}
		u.creds = append(u.creds, c)
	}
	return u, nil
}

// Passkeys lists the person's passkeys.
func (s *Service) Passkeys(ctx context.Context, p *Principal) ([]PasskeyInfo, error) {
	keys, err := s.db.Reader().PasskeysOf(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := make([]PasskeyInfo, len(keys))
	for i, k := range keys {
		out[i] = PasskeyInfo{ID: k.ID, Name: k.Name, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt}
	}
	return out, nil
}

// BeginPasskeyRegistration starts adding a passkey to the signed-in
// person's account. It asks for a discoverable credential when the device
// can make one (so it also serves passwordless sign-in) and excludes the
// person's existing passkeys.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, p *Principal) (options, state []byte, err error) {
	if s.webauthn == nil {
		return nil, nil, ErrPasskeysUnavailable
	}
	if p == nil || p.IsSystem() {
		return nil, nil, ErrForbidden
	}
	r := s.db.Reader()
	row, err := r.IdentityByID(ctx, p.ID)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.passkeyUser(ctx, r, row)
	if err != nil {
		return nil, nil, err
	}
	exclude := make([]protocol.CredentialDescriptor, len(u.creds))
	for i, c := range u.creds {
		exclude[i] = c.Descriptor()
	}
	creation, session, err := s.webauthn.BeginRegistration(u,
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementPreferred),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationPreferred,
		}),
		webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, nil, fmt.Errorf("begin passkey registration: %w", err)
	}
	return marshalCeremony(creation, session)
}

// FinishPasskeyRegistration verifies the browser's answer and stores the
// new passkey under name (a default name when empty).
func (s *Service) FinishPasskeyRegistration(ctx context.Context, p *Principal, state, response []byte, name string) (*PasskeyInfo, error) {
	if s.webauthn == nil {
		return nil, ErrPasskeysUnavailable
	}
	if p == nil || p.IsSystem() {
		return nil, ErrForbidden
	}
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 60 {
		return nil, ErrPasskeyNameTooLong
	}
	now := s.Now()
	if name == "" {
		name = "Llave de acceso del " + dateES(now)
	}
	session, err := unmarshalState(state)
	if err != nil {
		return nil, ErrPasskeyFailed
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		s.log.Info("passkey registration refused", "err", err)
		return nil, ErrPasskeyFailed
	}
	var info *PasskeyInfo
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		row, err := tx.IdentityByID(ctx, p.ID)
		if err != nil {
			return err
		}
		u, err := s.passkeyUser(ctx, tx, row)
		if err != nil {
			return err
		}
		cred, err := s.webauthn.CreateCredential(u, *session, parsed)
		if err != nil {
			s.log.Info("passkey registration refused", "err", err)
			return ErrPasskeyFailed
		}
		body, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		k := &store.Passkey{IdentityID: row.ID, CredentialID: cred.ID, Name: name, Credential: body, CreatedAt: now}
		if err := tx.CreatePasskey(ctx, k); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return ErrPasskeyFailed
			}
			return err
		}
		info = &PasskeyInfo{ID: k.ID, Name: k.Name, CreatedAt: now}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return info, nil
}

// DeletePasskey removes one of the person's passkeys.
func (s *Service) DeletePasskey(ctx context.Context, p *Principal, id string) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.DeletePasskey(ctx, p.ID, id) })
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// BeginPasskeySignIn starts a passwordless sign-in: the browser offers the
// passkeys it holds for this site, with user verification required.
func (s *Service) BeginPasskeySignIn(ctx context.Context) (options, state []byte, err error) {
	if s.webauthn == nil {
		return nil, nil, ErrPasskeysUnavailable
	}
	assertion, session, err := s.webauthn.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, nil, fmt.Errorf("begin passkey sign-in: %w", err)
	}
	return marshalCeremony(assertion, session)
}

// FinishPasskeySignIn verifies a passwordless sign-in and returns the
// account to start a session for (method MethodPasskey). Failures count
// against the client address; the account must be active.
func (s *Service) FinishPasskeySignIn(ctx context.Context, state, response []byte, c Client) (*Account, error) {
	if s.webauthn == nil {
		return nil, ErrPasskeysUnavailable
	}
	now := s.Now()
	addr := []throttleCheck{{addrKey(c.Address), AddressThrottle}}
	if err := checkThrottle(ctx, s.db.Reader(), now, addr...); err != nil {
		return nil, err
	}
	var (
		acc     *Account
		refusal error
		failed  *store.Identity
	)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		session, err := unmarshalState(state)
		if err != nil {
			refusal = ErrPasskeyFailed
			return nil
		}
		parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
		if err != nil {
			refusal = ErrPasskeyFailed
			return nil
		}
		var user *passkeyUser
		handler := func(rawID, userHandle []byte) (webauthn.User, error) {
			row, err := tx.IdentityByPasskeyHandle(ctx, userHandle)
			if err != nil {
				return nil, err
			}
			user, err = s.passkeyUser(ctx, tx, row)
			return user, err
		}
		_, cred, err := s.webauthn.ValidatePasskeyLogin(handler, *session, parsed)
		if err != nil {
			s.log.Info("passkey sign-in refused", "err", err)
			if user != nil {
				failed = user.row
			}
			refusal = ErrPasskeyFailed
			return nil
		}
		if refusal = s.storeUse(ctx, tx, user, cred, now); refusal != nil {
			failed = user.row
			return nil
		}
		switch State(user.row.State) {
		case StateActive:
			acc = accountOf(user.row)
		case StateSuspended:
			refusal = ErrSuspended
		default:
			refusal = ErrPasskeyFailed
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		if errors.Is(refusal, ErrPasskeyFailed) {
			if err := s.db.Write(ctx, func(tx *store.Tx) error {
				if err := countFailure(ctx, tx, now, addr...); err != nil {
					return err
				}
				if failed != nil {
					return tx.RecordSignIn(ctx, signIn(failed.ID, MethodPasskey, OutcomePasskeyFailed, c, now))
				}
				return nil
			}); err != nil {
				return nil, err
			}
		}
		return nil, refusal
	}
	return acc, nil
}

// BeginPasskeySecondFactor starts the second step of a password sign-in
// with one of the account's passkeys.
func (s *Service) BeginPasskeySecondFactor(ctx context.Context, accountID string) (options, state []byte, err error) {
	if s.webauthn == nil {
		return nil, nil, ErrPasskeysUnavailable
	}
	r := s.db.Reader()
	row, err := r.IdentityByID(ctx, accountID)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.passkeyUser(ctx, r, row)
	if err != nil {
		return nil, nil, err
	}
	if len(u.creds) == 0 {
		return nil, nil, ErrPasskeyFailed
	}
	assertion, session, err := s.webauthn.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, nil, fmt.Errorf("begin passkey second factor: %w", err)
	}
	return marshalCeremony(assertion, session)
}

// FinishPasskeySecondFactor verifies the second step with a passkey and
// returns the method to start the session with. Failures count like wrong
// codes.
func (s *Service) FinishPasskeySecondFactor(ctx context.Context, accountID string, state, response []byte, c Client) (string, error) {
	if s.webauthn == nil {
		return "", ErrPasskeysUnavailable
	}
	now := s.Now()
	row, err := s.db.Reader().IdentityByID(ctx, accountID)
	if err != nil {
		return "", err
	}
	keys := []throttleCheck{{nuiKey(row.NUI), AccountThrottle}, {addrKey(c.Address), AddressThrottle}}
	if err := checkThrottle(ctx, s.db.Reader(), now, keys...); err != nil {
		return "", err
	}
	var refusal error
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		session, err := unmarshalState(state)
		if err != nil {
			refusal = ErrPasskeyFailed
			return nil
		}
		parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
		if err != nil {
			refusal = ErrPasskeyFailed
			return nil
		}
		u, err := s.passkeyUser(ctx, tx, row)
		if err != nil {
			return err
		}
		cred, err := s.webauthn.ValidateLogin(u, *session, parsed)
		if err != nil {
			s.log.Info("passkey second factor refused", "err", err)
			refusal = ErrPasskeyFailed
			return nil
		}
		refusal = s.storeUse(ctx, tx, u, cred, now)
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
			return tx.RecordSignIn(ctx, signIn(row.ID, MethodPasswordPasskey, OutcomePasskeyFailed, c, now))
		}); err != nil {
			return "", err
		}
		return "", refusal
	}
	return MethodPasswordPasskey, nil
}

// storeUse saves the credential as the library updated it (its signature
// counter); a counter that went backwards means a cloned authenticator, and
// the sign-in is refused.
func (s *Service) storeUse(ctx context.Context, tx *store.Tx, u *passkeyUser, cred *webauthn.Credential, now time.Time) error {
	if cred.Authenticator.CloneWarning {
		s.log.Warn("passkey signature counter went backwards: possible cloned authenticator", "identity", u.row.ID)
		return ErrPasskeyFailed
	}
	for _, k := range u.keys {
		if bytes.Equal(k.CredentialID, cred.ID) {
			body, err := json.Marshal(cred)
			if err != nil {
				return err
			}
			return tx.UsePasskey(ctx, k.ID, body, now)
		}
	}
	return ErrPasskeyFailed
}

func marshalCeremony(options any, session *webauthn.SessionData) ([]byte, []byte, error) {
	o, err := json.Marshal(options)
	if err != nil {
		return nil, nil, err
	}
	st, err := json.Marshal(session)
	if err != nil {
		return nil, nil, err
	}
	return o, st, nil
}

func unmarshalState(state []byte) (*webauthn.SessionData, error) {
	if len(state) == 0 {
		return nil, errors.New("no passkey ceremony in progress")
	}
	var s webauthn.SessionData
	if err := json.Unmarshal(state, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// PasskeyCount counts an account's passkeys, so the second step of signing
// in offers them only to people who have one.
func (s *Service) PasskeyCount(ctx context.Context, accountID string) (int, error) {
	keys, err := s.db.Reader().PasskeysOf(ctx, accountID)
	return len(keys), err
}
