package registration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"buzon/internal/esign"
	"buzon/internal/identity"
	"buzon/internal/store"
)

// Outcomes of an attempt. The values are stored.
const (
	OutcomeAccepted = "aceptada"
	OutcomeRefused  = "rechazada"
)

// StepEligibility names the check, after a valid signature, that the person
// may still register (registry, age, no account made meanwhile).
const StepEligibility = "eligibility"

// Attempt is one verification of an uploaded document.
type Attempt struct {
	ID       string
	At       time.Time
	Accepted bool
	// Step and Code say what failed (esign.Step*, the error's code).
	Step, Code string
	FileSHA256 string
	FileSize   int64
	// Report is the verifier's evidence; ReportJSON its stored form.
	Report     *esign.Report
	ReportJSON []byte
}

func attemptOf(a store.RegistrationAttempt) Attempt {
	v := Attempt{ID: a.ID, At: a.AttemptedAt, Accepted: a.Outcome == OutcomeAccepted, Step: a.Step, Code: a.Code,
		FileSHA256: a.FileSHA256, FileSize: a.FileSize, ReportJSON: a.Report}
	var rep esign.Report
	if json.Unmarshal(a.Report, &rep) == nil {
		v.Report = &rep
	}
	return v
}

// Result is what an accepted upload leads to.
type Result struct {
	Report *esign.Report
	// NeedsPassword is false when the person already had an active account
	// (as staff): it now holds the citizen role too and signs in as before.
	NeedsPassword bool
}

// Submit verifies the signed registration document pdf (already bounded by
// MaxUpload) for the application ref holds. The attempt is stored with the
// verifier's report whatever the outcome. A refusal is a
// *VerificationError (matching esign's sentinel) and activates nothing; on
// acceptance the signed PDF is kept, sealed, and the account is created
// pending its password, in one transaction with the attempt.
func (s *Service) Submit(ctx context.Context, ref Ref, pdf []byte, client identity.Client) (*Result, error) {
	if len(pdf) == 0 {
		return nil, ErrFileMissing
	}
	if int64(len(pdf)) > s.maxUpload {
		return nil, ErrFileTooLarge
	}
	if s.verifier == nil {
		return nil, ErrNotConfigured
	}
	tx := s.db.Reader()
	a, err := s.load(ctx, tx, ref)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if err := s.open(a, now); err != nil {
		return nil, err
	}
	if State(a.State) != StateAwaitingSignature {
		return nil, ErrWrongStep
	}
	previous, err := tx.RegistrationAttempts(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if len(previous) >= MaxAttempts {
		return nil, ErrTooManyAttempts
	}

	want := esign.Expected{Code: a.Code, NUI: a.NUI, IssuedAt: a.IssuedAt, IssuedSize: a.DocumentSize}
	if h, err := hex.DecodeString(a.DocumentSHA256); err == nil && len(h) == sha256.Size {
		copy(want.IssuedSHA256[:], h)
	}
	rep, verr := s.verifier.Verify(ctx, pdf, want)
	attempt := &store.RegistrationAttempt{ID: store.NewID(), ApplicationID: a.ID, AttemptedAt: now,
		FileSHA256: hexSHA256(pdf), FileSize: int64(len(pdf)), Address: client.Address}
	if verr != nil {
		refusal := verificationError(rep, verr)
		if refusal == nil {
			return nil, fmt.Errorf("verify the registration document: %w", verr)
		}
		attempt.Outcome, attempt.Step, attempt.Code = OutcomeRefused, refusal.Step, refusal.Code()
		if err := s.record(ctx, attempt, rep); err != nil {
			return nil, err
		}
		return nil, refusal
	}

	// The signature holds; the person must still be allowed to register
	// (the registry may have news, or he registered in person meanwhile).
	person, err := s.ids.CheckVirtualRegistration(ctx, a.NUI)
	if err != nil {
		var coded identity.Coded
		if !errors.As(err, &coded) {
			return nil, err
		}
		attempt.Outcome, attempt.Step, attempt.Code = OutcomeRefused, StepEligibility, coded.Code()
		rep.Notes = append(rep.Notes, "firma válida; registro rechazado: "+coded.Code())
		if err := s.record(ctx, attempt, rep); err != nil {
			return nil, err
		}
		return nil, err
	}

	attempt.Outcome = OutcomeAccepted
	attempt.SignedSize = rep.SignedSize
	attempt.Certificate = rep.SignerCertificate
	attempt.SignedKey = blobKey(a.ID, "firmado-"+attempt.ID)
	if _, err := s.docs.Put(ctx, attempt.SignedKey, bytes.NewReader(pdf)); err != nil {
		return nil, fmt.Errorf("store the signed registration document: %w", err)
	}
	report, err := json.Marshal(rep)
	if err != nil {
		s.closeQuietly(ctx, attempt.SignedKey)
		return nil, fmt.Errorf("encode the verification report: %w", err)
	}
	attempt.Report = report
	detail := "documento de registro " + a.Code
	if rep.Signer != nil {
		detail += "; certificado " + rep.Signer.SerialNumber + " de " + rep.Signer.Issuer
	}
	res := &Result{Report: rep}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.AddRegistrationAttempt(ctx, attempt); err != nil {
			return err
		}
		acc, token, err := s.ids.RegisterVirtual(ctx, tx, person, a.Email, client, detail, now)
		if err != nil {
			return err
		}
		var sealed []byte
		if token != "" {
			if sealed, err = s.keys.Seal([]byte(token), sealContext(a.ID)); err != nil {
				return fmt.Errorf("seal the activation token: %w", err)
			}
			res.NeedsPassword = true
		}
		return tx.AcceptRegistration(ctx, a.ID, acc.ID, sealed, now)
	})
	if err != nil {
		s.closeQuietly(ctx, attempt.SignedKey)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrDuplicate) {
			return nil, ErrWrongStep // another upload of the same application won
		}
		return nil, err
	}
	return res, nil
}

// record stores a refused attempt with its report.
func (s *Service) record(ctx context.Context, attempt *store.RegistrationAttempt, rep *esign.Report) error {
	report, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("encode the verification report: %w", err)
	}
	attempt.Report = report
	return s.db.Write(ctx, func(tx *store.Tx) error { return tx.AddRegistrationAttempt(ctx, attempt) })
}

func hexSHA256(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// SetPassword is the last step: it activates the account created at
// verification with its first password (identity's password policy
// applies; a refused password leaves everything as it was) and returns it.
func (s *Service) SetPassword(ctx context.Context, ref Ref, password, confirm string) (*identity.Account, error) {
	a, err := s.load(ctx, s.db.Reader(), ref)
	if err != nil {
		return nil, err
	}
	if State(a.State) != StateVerified || a.ActivationToken == nil {
		return nil, ErrWrongStep
	}
	token, err := s.keys.Open(a.ActivationToken, sealContext(a.ID))
	if err != nil {
		return nil, fmt.Errorf("open the activation token: %w", err)
	}
	acc, err := s.ids.Activate(ctx, string(token), password, confirm)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error { return tx.CompleteRegistration(ctx, a.ID, s.Now()) })
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return acc, nil
}
