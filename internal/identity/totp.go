package identity

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"buzon/internal/store"
)

// TOTP parameters: what every authenticator app understands.
const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
	// totpSkew accepts the code of the previous and of the next period, for
	// phones whose clock is a little off.
	totpSkew = 1
	// RecoveryCodeCount is how many recovery codes a person gets.
	RecoveryCodeCount = 10
)

// TOTPSetup is what the setup page shows: the otpauth:// URI as a QR code
// and as text, and the secret for typing by hand.
type TOTPSetup struct {
	// URI is the otpauth:// URI the QR code encodes.
	URI string
	// Secret is the base32 secret in groups of four, for typing.
	Secret string
	// QRCode is a data: URI of a PNG image of the QR code, for <img src>.
	QRCode string
}

// BeginTOTP starts (or resumes) setting up two-step verification: it keeps a
// new secret, sealed, as pending until ConfirmTOTP proves the person's app
// has it. Reloading the page shows the same secret, so a code from an app
// that already scanned it still works.
func (s *Service) BeginTOTP(ctx context.Context, p *Principal) (*TOTPSetup, error) {
	if p == nil || p.IsSystem() {
		return nil, ErrForbidden
	}
	row, err := s.db.Reader().IdentityByID(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if len(row.TOTPSecret) > 0 {
		return nil, ErrTOTPAlreadyOn
	}
	var key *otp.Key
	if len(row.TOTPPending) > 0 {
		secret, err := s.openSecret(row.ID, row.TOTPPending)
		if err != nil {
			return nil, err
		}
		key, err = s.totpKey(row.NUI, secret)
		if err != nil {
			return nil, err
		}
	} else {
		key, err = totp.Generate(totp.GenerateOpts{Issuer: s.issuer, AccountName: row.NUI, Period: totpPeriod,
			Digits: totpDigits, Algorithm: otp.AlgorithmSHA1, SecretSize: 20})
		if err != nil {
			return nil, fmt.Errorf("generate TOTP secret: %w", err)
		}
		sealed, err := s.keys.Seal([]byte(key.Secret()), totpAAD(row.ID))
		if err != nil {
			return nil, fmt.Errorf("seal TOTP secret: %w", err)
		}
		if err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.SetTOTPPending(ctx, row.ID, sealed, s.Now()) }); err != nil {
			return nil, err
		}
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, fmt.Errorf("draw TOTP QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("draw TOTP QR code: %w", err)
	}
	return &TOTPSetup{
		URI:    key.URL(),
		Secret: groupSecret(key.Secret()),
		QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()),
	}, nil
}

// ConfirmTOTP turns two-step verification on when code matches the pending
// secret, and returns the recovery codes, to be shown once: only their
// hashes are kept.
func (s *Service) ConfirmTOTP(ctx context.Context, p *Principal, code string) ([]string, error) {
	if p == nil || p.IsSystem() {
		return nil, ErrForbidden
	}
	code = normalizeCode(code)
	if code == "" {
		return nil, ErrCodeEmpty
	}
	if !isTOTPCode(code) {
		return nil, ErrCodeInvalid
	}
	now := s.Now()
	var codes []string
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		row, err := tx.IdentityByID(ctx, p.ID)
		if err != nil {
			return err
		}
		if len(row.TOTPSecret) > 0 {
			return ErrTOTPAlreadyOn
		}
		if len(row.TOTPPending) == 0 {
			return ErrTOTPNotSetUp
		}
		secret, err := s.openSecret(row.ID, row.TOTPPending)
		if err != nil {
			return err
		}
		step, ok := matchTOTP(secret, code, now)
		if !ok {
			return ErrCodeInvalid
		}
		if err := tx.EnableTOTP(ctx, row.ID, row.TOTPPending, step, now); err != nil {
			return err
		}
		codes, err = s.replaceRecoveryCodes(ctx, tx, row.ID, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTOTP turns two-step verification off after checking the password.
// Staff cannot: ErrTOTPRequired.
func (s *Service) DisableTOTP(ctx context.Context, p *Principal, password string) error {
	if p == nil || p.IsSystem() {
		return ErrForbidden
	}
	if p.IsStaff() {
		return ErrTOTPRequired
	}
	if err := s.reauthenticate(ctx, p, password); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error { return tx.DisableTOTP(ctx, p.ID, s.Now()) })
}

// NewRecoveryCodes replaces the recovery codes after checking the password,
// returning the new ones to show once.
func (s *Service) NewRecoveryCodes(ctx context.Context, p *Principal, password string) ([]string, error) {
	if p == nil || p.IsSystem() {
		return nil, ErrForbidden
	}
	if !p.TOTPEnabled {
		return nil, ErrTOTPNotSetUp
	}
	if err := s.reauthenticate(ctx, p, password); err != nil {
		return nil, err
	}
	var codes []string
	err := s.db.Write(ctx, func(tx *store.Tx) (err error) {
		codes, err = s.replaceRecoveryCodes(ctx, tx, p.ID, s.Now())
		return err
	})
	return codes, err
}

// RecoveryCodesLeft counts the recovery codes not yet used.
func (s *Service) RecoveryCodesLeft(ctx context.Context, p *Principal) (int, error) {
	return s.db.Reader().UnusedRecoveryCodes(ctx, p.ID)
}

// useTOTP checks a code against the identity's secret and records its time
// step, refusing a code whose step was already used (ErrCodeReused).
func (s *Service) useTOTP(ctx context.Context, tx *store.Tx, row *store.Identity, code string, now time.Time) error {
	secret, err := s.openSecret(row.ID, row.TOTPSecret)
	if err != nil {
		return err
	}
	step, ok := matchTOTP(secret, code, now)
	if !ok {
		return ErrCodeInvalid
	}
	advanced, err := tx.AdvanceTOTPStep(ctx, row.ID, step)
	if err != nil {
		return err
	}
	if !advanced {
		return ErrCodeReused
	}
	return nil
}

// matchTOTP finds the time step, within the skew, whose code is code.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}
	step := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+d)*totpPeriod, 0), opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + d, true
		}
	}
	return 0, false
}

func (s *Service) totpKey(accountName, secret string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: s.issuer, AccountName: accountName, Period: totpPeriod,
		Digits: totpDigits, Algorithm: otp.AlgorithmSHA1, Secret: mustBase32(secret)})
}

func mustBase32(secret string) []byte {
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secret))
	if err != nil {
		return nil
	}
	return b
}

func (s *Service) openSecret(identityID string, sealed []byte) (string, error) {
	b, err := s.keys.Open(sealed, totpAAD(identityID))
	if err != nil {
		return "", fmt.Errorf("open TOTP secret: %w", err)
	}
	return string(b), nil
}

func totpAAD(identityID string) []byte { return []byte("totp:" + identityID) }

func groupSecret(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// replaceRecoveryCodes makes RecoveryCodeCount new codes, "xxxxx-xxxxx" in
// lower-case base32 (50 bits each), keeping only their hashes.
func (s *Service) replaceRecoveryCodes(ctx context.Context, tx *store.Tx, identityID string, now time.Time) ([]string, error) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	codes := make([]string, RecoveryCodeCount)
	hashes := make([][]byte, RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, 7)
		rand.Read(b)
		c := strings.ToLower(enc.EncodeToString(b))[:10]
		codes[i] = c[:5] + "-" + c[5:]
		hashes[i] = hashRecoveryCode(normalizeCode(codes[i]))
	}
	if err := tx.ReplaceRecoveryCodes(ctx, identityID, hashes, now); err != nil {
		return nil, err
	}
	return codes, nil
}

// hashRecoveryCode hashes a normalized recovery code. The codes are random,
// so SHA-256 is enough; they are bound to the identity by the table's key.
func hashRecoveryCode(code string) []byte {
	h := sha256.Sum256([]byte("recovery:" + code))
	return h[:]
}

// reauthenticate checks the signed-in person's password before a sensitive
// change, counting failures like sign-in failures.
func (s *Service) reauthenticate(ctx context.Context, p *Principal, password string) error {
	if password == "" {
		return ErrPasswordWrong
	}
	now := s.Now()
	keys := []throttleCheck{{nuiKey(string(p.NUI)), AccountThrottle}}
	if err := checkThrottle(ctx, s.db.Reader(), now, keys...); err != nil {
		return err
	}
	row, err := s.db.Reader().IdentityByID(ctx, p.ID)
	if err != nil {
		return err
	}
	ok, err := s.passwordMatches(password, row.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.db.Write(ctx, func(tx *store.Tx) error { return countFailure(ctx, tx, now, keys...) }); err != nil {
			return err
		}
		return ErrPasswordWrong
	}
	return nil
}
