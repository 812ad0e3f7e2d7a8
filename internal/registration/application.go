package registration

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"buzon/internal/eligibility"
	"buzon/internal/identity"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/nui"
	"buzon/internal/outbox"
	"buzon/internal/store"
)

// State is where an application stands. The values are stored.
type State string

// The application states, in order.
const (
	// StateEmailPending: waiting for the code sent to the email.
	StateEmailPending State = "correo_pendiente"
	// StateAwaitingSignature: the document is issued; waiting for it signed.
	StateAwaitingSignature State = "por_firmar"
	// StateVerified: the signature was accepted and the account created,
	// pending activation; waiting for the password.
	StateVerified State = "verificada"
	// StateActivated: the account is active.
	StateActivated State = "activada"
	// StateCancelled: ended without an account (too many wrong codes, the
	// person registered another way).
	StateCancelled State = "anulada"
)

// Application is an application as its applicant sees it. Names are empty
// until the email is confirmed: the page must not tell whoever typed a
// N.U.I. whose it is.
type Application struct {
	ID         string
	NUI        nui.NUI
	GivenNames string
	Surnames   string
	Email      string
	Lang       string
	State      State
	CreatedAt  time.Time
	ExpiresAt  time.Time
	// Expired is true when the application can no longer go on because of
	// its age.
	Expired bool

	CodeExpiresAt time.Time
	CodesLeft     int

	// The issued document.
	Code           string
	IssuedAt       time.Time
	DocumentSHA256 string
	DocumentSize   int64

	VerifiedAt  time.Time
	ActivatedAt time.Time
	// Attempts are the verifications of uploaded documents, oldest first.
	Attempts []Attempt
}

// FullName returns the names in reading order.
func (a *Application) FullName() string { return strings.TrimSpace(a.GivenNames + " " + a.Surnames) }

// DocumentName is the file name the issued document is served under.
func (a *Application) DocumentName() string { return "registro-buzon-" + a.Code + ".pdf" }

func (s *Service) view(a *store.RegistrationApplication, attempts []store.RegistrationAttempt, now time.Time) *Application {
	v := &Application{
		ID: a.ID, NUI: nui.NUI(a.NUI), Email: a.Email, Lang: a.Lang, State: State(a.State),
		CreatedAt: a.CreatedAt, ExpiresAt: a.ExpiresAt, CodeExpiresAt: a.EmailCodeExpiresAt,
		CodesLeft: max(MaxCodesSent-a.EmailCodesSent, 0), Code: a.Code, IssuedAt: a.IssuedAt,
		DocumentSHA256: a.DocumentSHA256, DocumentSize: a.DocumentSize, VerifiedAt: a.VerifiedAt, ActivatedAt: a.ActivatedAt,
	}
	if v.State != StateEmailPending {
		v.GivenNames, v.Surnames = a.GivenNames, a.Surnames
	}
	v.Expired = s.open(a, now) == ErrExpired
	for _, at := range attempts {
		v.Attempts = append(v.Attempts, attemptOf(at))
	}
	return v
}

// StartRequest is what the first form asks.
type StartRequest struct {
	NUI   string
	Email string
	// Lang is the language of the emails: "es" or "en".
	Lang   string
	Client identity.Client
}

// Start begins an application: it checks the email and the N.U.I., asks
// the registry and applies the eligibility policy as in person, then
// creates the application and queues the email with the confirmation code,
// in one transaction. A refusal changes nothing. A person the registry does
// not hold as valid (unknown, deceased, cancelled) gets ErrCannotRegister,
// which says no more.
func (s *Service) Start(ctx context.Context, r StartRequest) (Ref, error) {
	if !s.Configured() {
		return Ref{}, ErrNotConfigured
	}
	if _, err := nui.Parse(r.NUI); err != nil {
		return Ref{}, err
	}
	email, err := identity.ParseEmail(r.Email)
	if err != nil {
		return Ref{}, err
	}
	person, err := s.ids.CheckVirtualRegistration(ctx, r.NUI)
	if errors.Is(err, eligibility.ErrDeceased) || errors.Is(err, eligibility.ErrCancelled) || errors.Is(err, eligibility.ErrNotInRegistry) {
		// Anyone can type a N.U.I. here: the page must not tell him
		// whether its holder died or what the registry holds.
		return Ref{}, ErrCannotRegister
	}
	if err != nil {
		return Ref{}, err
	}
	lang := r.Lang
	if lang != "en" {
		lang = "es"
	}
	now := s.Now()
	secret, secretHash := newSecret()
	app := &store.RegistrationApplication{
		ID: store.NewID(), SecretHash: secretHash, NUI: string(person.NUI), GivenNames: person.GivenNames,
		Surnames: person.Surnames, Email: email, Lang: lang, State: string(StateEmailPending), Address: r.Client.Address,
		CreatedAt: now, ExpiresAt: now.Add(s.lifetime), EmailCodeExpiresAt: now.Add(CodeLifetime), EmailCodesSent: 1,
	}
	code, codeHash := newEmailCode(app.ID)
	app.EmailCodeHash = codeHash
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		byEmail, byAddress, err := tx.CountRegistrationApplications(ctx, email, r.Client.Address, now.Add(-24*time.Hour))
		if err != nil {
			return err
		}
		if byEmail >= MaxApplicationsPerEmail || (r.Client.Address != "" && byAddress >= MaxApplicationsPerAddress) {
			return ErrTooManyApplications
		}
		if err := tx.CreateRegistrationApplication(ctx, app); err != nil {
			return err
		}
		return s.queueCode(ctx, tx, app, code, now)
	})
	if err != nil {
		return Ref{}, err
	}
	return Ref{ID: app.ID, Secret: secret}, nil
}

// queueCode queues the confirmation email. It names no one: the address is
// not confirmed yet.
func (s *Service) queueCode(ctx context.Context, tx *store.Tx, a *store.RegistrationApplication, code string, now time.Time) error {
	m, err := s.mail.Message("email_verification", a.Lang, a.Email, mail.EmailVerificationData{
		NewEmail: a.Email, Code: code, Expires: a.EmailCodeExpiresAt})
	if err != nil {
		return fmt.Errorf("render the confirmation email: %w", err)
	}
	if m.From == "" {
		m.From = s.mailFrom
	}
	return outbox.Enqueue(ctx, tx, m, now, jobs.Options{})
}

// newEmailCode draws a 6-digit code and its hash, bound to the application.
func newEmailCode(applicationID string) (string, []byte) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	code := fmt.Sprintf("%06d", n.Int64())
	return code, emailCodeHash(applicationID, code)
}

func emailCodeHash(applicationID, code string) []byte {
	h := sha256.Sum256([]byte("registro/codigo/" + applicationID + "/" + code))
	return h[:]
}

// Application returns the application ref holds, with its attempts.
func (s *Service) Application(ctx context.Context, ref Ref) (*Application, error) {
	tx := s.db.Reader()
	a, err := s.load(ctx, tx, ref)
	if err != nil {
		return nil, err
	}
	attempts, err := tx.RegistrationAttempts(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return s.view(a, attempts, s.Now()), nil
}

// ParseEmailCode checks a typed confirmation code: 6 digits, spaces and
// hyphens ignored (people copy "123 456").
func ParseEmailCode(raw string) (string, error) {
	code := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, raw)
	if code == "" {
		return "", ErrCodeEmpty
	}
	if len(code) != 6 {
		return "", ErrCodeMalformed
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", ErrCodeMalformed
		}
	}
	return code, nil
}

// ConfirmEmail checks the code sent to the email. When it is right the
// registration document is issued (see Document) and kept, sealed, as the
// exact bytes the applicant downloads. A malformed code changes nothing; a
// wrong one counts, and MaxCodeFailures of them cancel the application.
func (s *Service) ConfirmEmail(ctx context.Context, ref Ref, raw string) error {
	code, err := ParseEmailCode(raw)
	if err != nil {
		return err
	}
	now := s.Now()
	a, err := s.load(ctx, s.db.Reader(), ref)
	if err != nil {
		return err
	}
	if err := s.open(a, now); err != nil {
		return err
	}
	if State(a.State) != StateEmailPending {
		return ErrWrongStep
	}
	if subtle.ConstantTimeCompare(emailCodeHash(a.ID, code), a.EmailCodeHash) != 1 {
		var refusal error = ErrCodeWrong
		err := s.db.Write(ctx, func(tx *store.Tx) error {
			n, err := tx.CountRegistrationCodeFailure(ctx, a.ID, now)
			if err != nil {
				return err
			}
			if n >= MaxCodeFailures {
				refusal = ErrTooManyCodeFailures
				return tx.CancelRegistration(ctx, a.ID, now)
			}
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return ErrWrongStep // moved on by another request
		}
		if err != nil {
			return err
		}
		return refusal
	}
	if !now.Before(a.EmailCodeExpiresAt) {
		return ErrCodeExpired
	}
	return s.issue(ctx, a, now)
}

// issue makes the registration document, stores it and records it.
func (s *Service) issue(ctx context.Context, a *store.RegistrationApplication, now time.Time) error {
	for try := 0; ; try++ {
		code := newCode()
		pdf, err := Document(DocumentData{Code: code, NUI: a.NUI, GivenNames: a.GivenNames, Surnames: a.Surnames,
			Email: a.Email, IssuedAt: now})
		if err != nil {
			return err
		}
		key := blobKey(a.ID, "emitido-"+strings.ToLower(code))
		info, err := s.docs.Put(ctx, key, bytes.NewReader(pdf))
		if err != nil {
			return fmt.Errorf("store the registration document: %w", err)
		}
		err = s.db.Write(ctx, func(tx *store.Tx) error {
			return tx.IssueRegistrationDocument(ctx, a.ID, code, key, info.Hex(), info.Size, now)
		})
		switch {
		case err == nil:
			return nil
		case errors.Is(err, store.ErrDuplicate) && try < 3:
			s.closeQuietly(ctx, key) // a code drawn twice: draw another
		case errors.Is(err, store.ErrNotFound):
			s.closeQuietly(ctx, key)
			return nil // another request issued it first
		default:
			s.closeQuietly(ctx, key)
			return err
		}
	}
}

// ResendCode sends a new confirmation code (the previous one stops
// working), up to MaxCodesSent per application.
func (s *Service) ResendCode(ctx context.Context, ref Ref) error {
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := s.load(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := s.open(a, now); err != nil {
			return err
		}
		if State(a.State) != StateEmailPending {
			return ErrWrongStep
		}
		if a.EmailCodesSent >= MaxCodesSent {
			return ErrTooManyCodes
		}
		code, hash := newEmailCode(a.ID)
		a.EmailCodeExpiresAt = now.Add(CodeLifetime)
		if err := tx.SetRegistrationEmailCode(ctx, a.ID, hash, a.EmailCodeExpiresAt, now); err != nil {
			return err
		}
		return s.queueCode(ctx, tx, a, code, now)
	})
}

// IssuedDocument opens the registration document issued for the
// application, exactly as stored; the caller closes it.
func (s *Service) IssuedDocument(ctx context.Context, ref Ref) (*Application, io.ReadCloser, error) {
	a, err := s.load(ctx, s.db.Reader(), ref)
	if err != nil {
		return nil, nil, err
	}
	if a.DocumentKey == "" {
		return nil, nil, ErrWrongStep
	}
	if err := s.open(a, s.Now()); err != nil {
		return nil, nil, err
	}
	rc, err := s.docs.Get(ctx, a.DocumentKey)
	if err != nil {
		return nil, nil, fmt.Errorf("open the registration document: %w", err)
	}
	return s.view(a, nil, s.Now()), rc, nil
}
