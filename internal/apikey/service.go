package apikey

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"buzon/internal/identity"
	"buzon/internal/institution"
	"buzon/internal/store"
)

// Audit actions written by this package. The values are stored.
const (
	ActionCreate = "api.crear_clave"
	ActionRevoke = "api.revocar_clave"
)

// DefaultMaxActive bounds an institution's valid keys.
const DefaultMaxActive = 20

// touchInterval is how stale a key's last-used time may get: a busy key
// writes it at most once per interval.
const touchInterval = time.Minute

// Service creates, lists, revokes and checks API keys. It is safe for
// concurrent use.
type Service struct {
	DB *store.DB
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxActive bounds an institution's valid keys; 0 means DefaultMaxActive.
	MaxActive int
	Logger    *slog.Logger
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func keyOf(r *store.APIKey) Key {
	return Key{ID: r.ID, InstitutionID: r.InstitutionID, Name: r.Name, Mode: Mode(r.Mode), Prefix: r.Prefix,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt}
}

// checkName trims a key's name and checks it is one line of 1–60 characters.
func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 60 || !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return "", ErrNameRequired
	}
	return name, nil
}

// Create makes a new key for an institution in the interconnection
// modality, on behalf of its administrator, and returns the key itself —
// the only time it is ever available — with its listing.
func (s *Service) Create(ctx context.Context, p *identity.Principal, institutionID, name string, mode Mode) (string, *Key, error) {
	if err := identity.RequireIn(p, identity.RoleInstitutionAdmin, institutionID); err != nil {
		return "", nil, ErrForbidden
	}
	name, err := checkName(name)
	if err != nil {
		return "", nil, err
	}
	if _, err := ParseMode(string(mode)); err != nil {
		return "", nil, err
	}
	max := s.MaxActive
	if max <= 0 {
		max = DefaultMaxActive
	}
	now := s.now()
	var secret string
	var row *store.APIKey
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		inst, err := tx.InstitutionByID(ctx, institutionID)
		if err != nil {
			return fmt.Errorf("create API key: %w", err)
		}
		if inst.Modality != string(institution.ModalityInterconnection) {
			return ErrNotInterconnection
		}
		keys, err := tx.APIKeysOf(ctx, institutionID)
		if err != nil {
			return fmt.Errorf("create API key: %w", err)
		}
		active := 0
		for _, k := range keys {
			if k.RevokedAt.IsZero() {
				active++
			}
		}
		if active >= max {
			return ErrTooMany
		}
		// A prefix has 40 random bits: a clash is rare, but possible.
		for try := 0; ; try++ {
			key, prefix, hash := Generate(mode)
			row = &store.APIKey{InstitutionID: institutionID, Name: name, Mode: string(mode), Prefix: prefix, Hash: hash,
				CreatedBy: p.ID, CreatedAt: now}
			if err := tx.Savepoint(ctx, "api_key_insert"); err != nil {
				return err
			}
			err := tx.InsertAPIKey(ctx, row)
			if errors.Is(err, store.ErrDuplicate) && try < 3 {
				if err := tx.RollbackTo(ctx, "api_key_insert"); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("create API key: %w", err)
			}
			if err := tx.Release(ctx, "api_key_insert"); err != nil {
				return err
			}
			secret = key
			break
		}
		return identity.RecordAudit(ctx, tx, p, identity.RoleInstitutionAdmin, identity.AuditRecord{
			Action: ActionCreate, InstitutionID: institutionID,
			Detail: fmt.Sprintf("clave %s «%s» (%s)", row.Prefix, name, mode.Spanish()),
		}, now)
	})
	if err != nil {
		return "", nil, err
	}
	k := keyOf(row)
	return secret, &k, nil
}

// List returns an institution's keys, newest first, to its administrator.
func (s *Service) List(ctx context.Context, p *identity.Principal, institutionID string) ([]Key, error) {
	if err := identity.RequireIn(p, identity.RoleInstitutionAdmin, institutionID); err != nil {
		return nil, ErrForbidden
	}
	rows, err := s.DB.Reader().APIKeysOf(ctx, institutionID)
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	out := make([]Key, len(rows))
	for i := range rows {
		out[i] = keyOf(&rows[i])
	}
	return out, nil
}

// Revoke stops a key at once, for good.
func (s *Service) Revoke(ctx context.Context, p *identity.Principal, institutionID, id string) error {
	if err := identity.RequireIn(p, identity.RoleInstitutionAdmin, institutionID); err != nil {
		return ErrForbidden
	}
	now := s.now()
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		k, err := tx.APIKeyByID(ctx, institutionID, id)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("revoke API key: %w", err)
		}
		if err := tx.RevokeAPIKey(ctx, institutionID, id, p.ID, now); errors.Is(err, store.ErrNotFound) {
			return ErrNotFound // already revoked
		} else if err != nil {
			return fmt.Errorf("revoke API key: %w", err)
		}
		return identity.RecordAudit(ctx, tx, p, identity.RoleInstitutionAdmin, identity.AuditRecord{
			Action: ActionRevoke, InstitutionID: institutionID, Detail: fmt.Sprintf("clave %s «%s»", k.Prefix, k.Name),
		}, now)
	})
}

// Authenticate checks a presented key and returns who it acts for. A
// malformed, unknown or wrong key is ErrInvalid; a revoked one ErrRevoked;
// a key of a suspended institution ErrInstitutionSuspended, of one no
// longer in the interconnection modality ErrNotInterconnection. It records
// the key's use (at most once a minute per key).
func (s *Service) Authenticate(ctx context.Context, key string) (*Credential, error) {
	prefix, mode, ok := Parse(key)
	if !ok {
		return nil, ErrInvalid
	}
	r := s.DB.Reader()
	row, err := r.APIKeyByPrefix(ctx, prefix)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate API key: %w", err)
	}
	if subtle.ConstantTimeCompare(row.Hash, Hash(key)) != 1 || row.Mode != string(mode) {
		return nil, ErrInvalid
	}
	if !row.RevokedAt.IsZero() {
		return nil, ErrRevoked
	}
	inst, err := r.InstitutionByID(ctx, row.InstitutionID)
	if err != nil {
		return nil, fmt.Errorf("authenticate API key: %w", err)
	}
	if inst.State != string(institution.StateActive) {
		return nil, ErrInstitutionSuspended
	}
	if inst.Modality != string(institution.ModalityInterconnection) {
		return nil, ErrNotInterconnection
	}
	now := s.now()
	if now.Sub(row.LastUsedAt) >= touchInterval {
		if err := s.DB.Write(ctx, func(tx *store.Tx) error {
			return tx.TouchAPIKey(ctx, row.ID, now, now.Add(-touchInterval))
		}); err != nil {
			// The request goes on: a stale "last used" is not worth a refusal.
			s.logger().Warn("record API key use", "key", row.Prefix, "err", err)
		}
	}
	return &Credential{KeyID: row.ID, KeyPrefix: row.Prefix, InstitutionID: inst.ID, InstitutionName: inst.Name, Mode: mode}, nil
}
