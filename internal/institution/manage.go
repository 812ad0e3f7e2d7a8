package institution

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"buzon/internal/identity"
	"buzon/internal/store"
)

// Filter selects institutions in MINTEL's list.
type Filter struct {
	State    State    // empty: any
	Modality Modality // empty: any
	// Text matches the name, the acronym or the RUC.
	Text  string
	Limit int
}

// Institutions lists institutions for MINTEL, by name.
func (s *Service) Institutions(ctx context.Context, p *identity.Principal, f Filter) ([]Institution, error) {
	if err := requireMINTEL(p); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	rows, err := s.db.Reader().ListInstitutions(ctx, store.InstitutionFilter{State: string(f.State), Modality: string(f.Modality),
		Text: f.Text, Limit: f.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]Institution, len(rows))
	for i := range rows {
		out[i] = *institutionOf(&rows[i], "")
	}
	return out, nil
}

// Institution returns one institution to MINTEL and to the institution's
// own staff (administrator or notifier); anyone else is ErrForbidden.
func (s *Service) Institution(ctx context.Context, p *identity.Principal, id string) (*Institution, error) {
	if requireMINTEL(p) != nil && identity.RequireIn(p, identity.RoleInstitutionAdmin, id) != nil &&
		identity.RequireIn(p, identity.RoleNotifier, id) != nil {
		return nil, ErrForbidden
	}
	return s.get(ctx, s.db.Reader(), id)
}

// Public returns what anyone may see of an institution: its name and public
// profile, as shown beside its notifications. Any state: a suspended
// institution's notifications still name it.
func (s *Service) Public(ctx context.Context, id string) (*Institution, error) {
	return s.get(ctx, s.db.Reader(), id)
}

func (s *Service) get(ctx context.Context, tx *store.Tx, id string) (*Institution, error) {
	row, err := tx.InstitutionByID(ctx, id)
	if err != nil {
		return nil, notFound(err)
	}
	logo, err := tx.InstitutionLogoSum(ctx, id)
	if err != nil {
		return nil, err
	}
	return institutionOf(row, logo), nil
}

// Suspend stops an institution's sending at once, web and API alike: every
// send checks MaySend. What it already delivered stays in the buzones, and
// its staff can still sign in. The reason is mandatory.
func (s *Service) Suspend(ctx context.Context, p *identity.Principal, id, reason string) error {
	return s.setState(ctx, p, id, reason, StateSuspended, ErrAlreadySuspended, ActionSuspend)
}

// Reactivate lets a suspended institution send again. The reason is mandatory.
func (s *Service) Reactivate(ctx context.Context, p *identity.Principal, id, reason string) error {
	return s.setState(ctx, p, id, reason, StateActive, ErrNotSuspended, ActionReactivate)
}

func (s *Service) setState(ctx context.Context, p *identity.Principal, id, reason string, to State, already *Error, action string) error {
	if err := requireMINTEL(p); err != nil {
		return err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		inst, err := tx.InstitutionByID(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if State(inst.State) == to {
			return already
		}
		stateReason := reason
		if to == StateActive {
			stateReason = ""
		}
		if err := tx.SetInstitutionState(ctx, id, string(to), stateReason, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, identity.RolePlatformAdmin, identity.AuditRecord{Action: action, Reason: reason,
			InstitutionID: id, Detail: fmt.Sprintf("%s (RUC %s): %s → %s", inst.Name, inst.RUC, inst.State, to)}, now)
	})
}

// SetModality changes how an institution sends; the reason is mandatory.
func (s *Service) SetModality(ctx context.Context, p *identity.Principal, id, modality, reason string) error {
	if err := requireMINTEL(p); err != nil {
		return err
	}
	var pr problems
	m, err := ParseModality(strings.TrimSpace(modality))
	pr.add("modality", err)
	reason, err = checkReason(reason)
	pr.add("reason", err)
	if err := pr.err(); err != nil {
		return err
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		inst, err := tx.InstitutionByID(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if Modality(inst.Modality) == m {
			return &Invalid{Errors: []error{ErrModalityUnchanged}}
		}
		if err := tx.SetInstitutionModality(ctx, id, string(m), now); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, identity.RolePlatformAdmin, identity.AuditRecord{Action: ActionSetModality, Reason: reason,
			InstitutionID: id, Detail: fmt.Sprintf("%s: %s → %s", inst.Name, inst.Modality, m)}, now)
	})
}

// MaxDailyQuota bounds the daily quota MINTEL may set.
const MaxDailyQuota = 10_000_000

// SetQuota changes how many notifications an institution may send a day.
// The quota is typed by a person ("5000", "5 000", "5.000"); the reason is
// optional.
func (s *Service) SetQuota(ctx context.Context, p *identity.Principal, id, quota, reason string) error {
	if err := requireMINTEL(p); err != nil {
		return err
	}
	var pr problems
	n, err := ParseQuota(quota)
	pr.add("quota", err)
	reason = strings.TrimSpace(reason)
	if reason != "" {
		reason, err = checkReason(reason)
		pr.add("reason", err)
	}
	if err := pr.err(); err != nil {
		return err
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		inst, err := tx.InstitutionByID(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if err := tx.SetInstitutionQuota(ctx, id, n, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, identity.RolePlatformAdmin, identity.AuditRecord{Action: ActionSetQuota, Reason: reason,
			InstitutionID: id, Detail: fmt.Sprintf("%s: %d → %d por día", inst.Name, inst.DailyQuota, n)}, now)
	})
}

// ParseQuota reads a daily quota typed by a person: a whole number from 0
// to MaxDailyQuota, with spaces, dots or commas between thousands allowed.
func ParseQuota(s string) (int, error) {
	s = strings.TrimSpace(s)
	clean := strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ".", "", ",", "").Replace(s)
	if clean == "" || len(clean) > 9 {
		return 0, ErrQuotaInvalid
	}
	for _, c := range clean {
		if c < '0' || c > '9' {
			return 0, ErrQuotaInvalid
		}
	}
	n, err := strconv.Atoi(clean)
	if err != nil || n < 0 || n > MaxDailyQuota {
		return 0, ErrQuotaInvalid
	}
	return n, nil
}

// ProfileForm is the public profile as the administrator edits it.
type ProfileForm struct {
	Address     string // address
	Phone       string // phone
	Email       string // email
	Website     string // website: optional
	OfficeHours string // office_hours: optional, e.g. "lunes a viernes, 08:00 a 17:00"
}

// UpdateProfile replaces the institution's public profile: its
// administrator only. Refusals come as *Invalid and change nothing.
func (s *Service) UpdateProfile(ctx context.Context, p *identity.Principal, id string, f ProfileForm) error {
	if err := requireAdmin(p, id); err != nil {
		return err
	}
	var pr problems
	prof := store.InstitutionProfile{
		Address:     text(&pr, "address", f.Address, maxAddress, true),
		Phone:       phone(&pr, "phone", f.Phone),
		Email:       email(&pr, "email", f.Email),
		Website:     website(&pr, "website", f.Website),
		OfficeHours: text(&pr, "office_hours", f.OfficeHours, maxHours, false),
	}
	if err := pr.err(); err != nil {
		return err
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetInstitutionProfile(ctx, id, prof, now); err != nil {
			return notFound(err)
		}
		return s.audit(ctx, tx, p, identity.RoleInstitutionAdmin, identity.AuditRecord{Action: ActionUpdateProfile,
			InstitutionID: id, Detail: fmt.Sprintf("dirección: %s; teléfono: %s; correo: %s; sitio web: %s; horario: %s",
				prof.Address, prof.Phone, prof.Email, prof.Website, prof.OfficeHours)}, now)
	})
}

// SetLogo replaces the institution's logo with a PNG or JPEG image (checked
// by its content) of at most MaxLogoSize: its administrator only.
func (s *Service) SetLogo(ctx context.Context, p *identity.Principal, id string, u Upload) error {
	if err := requireAdmin(p, id); err != nil {
		return err
	}
	content, mediaType, sum, err := checkLogo(u, s.maxLogo)
	if err != nil {
		if IsShown(err) {
			return &Invalid{Errors: []error{err}}
		}
		return err
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.InstitutionByID(ctx, id); err != nil {
			return notFound(err)
		}
		if err := tx.SetInstitutionLogo(ctx, &store.InstitutionLogo{InstitutionID: id, Content: content, ContentType: mediaType,
			SHA256: sum, UpdatedAt: now}); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, identity.RoleInstitutionAdmin, identity.AuditRecord{Action: ActionSetLogo, InstitutionID: id,
			Detail: fmt.Sprintf("%s, %d bytes, SHA-256 %s", mediaType, len(content), sum)}, now)
	})
}

// RemoveLogo removes the institution's logo: its administrator only.
func (s *Service) RemoveLogo(ctx context.Context, p *identity.Principal, id string) error {
	if err := requireAdmin(p, id); err != nil {
		return err
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteInstitutionLogo(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, identity.RoleInstitutionAdmin, identity.AuditRecord{Action: ActionRemoveLogo, InstitutionID: id}, now)
	})
}

// Logo is an institution's logo, served to anyone.
type Logo struct {
	Content     []byte
	ContentType string
	SHA256      string
	UpdatedAt   time.Time
}

// Logo returns an institution's logo, or ErrNotFound when it has none.
func (s *Service) Logo(ctx context.Context, id string) (*Logo, error) {
	l, err := s.db.Reader().InstitutionLogoOf(ctx, id)
	if err != nil {
		return nil, notFound(err)
	}
	return &Logo{Content: l.Content, ContentType: l.ContentType, SHA256: l.SHA256, UpdatedAt: l.UpdatedAt}, nil
}

// ActivityEntry is one line of an institution's activity: a staff action
// about it, from the audit log.
type ActivityEntry = identity.AuditEntry

// Activity returns what was done in and to an institution (appointments,
// profile changes, MINTEL's decisions), newest first, older than before
// when it is not zero: to its administrator and to MINTEL.
func (s *Service) Activity(ctx context.Context, p *identity.Principal, id string, before time.Time, limit int) ([]ActivityEntry, error) {
	if err := s.requireAdminOrMINTEL(p, id); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.db.Reader().AuditEntries(ctx, store.AuditFilter{InstitutionID: id, Before: before, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]ActivityEntry, len(rows))
	for i, r := range rows {
		out[i] = ActivityEntry(r)
	}
	return out, nil
}

// MaySend is the check made before every notification leaves, on the web
// and through the API: nil when the institution exists and is active,
// ErrSuspended when MINTEL suspended it, ErrNotFound otherwise. It reads
// one indexed column, so it is cheap enough for every send. Quotas are the
// caller's to count.
func (s *Service) MaySend(ctx context.Context, institutionID string) error {
	state, err := s.db.Reader().InstitutionState(ctx, institutionID)
	if err != nil {
		return notFound(err)
	}
	if State(state) != StateActive {
		return ErrSuspended
	}
	return nil
}

// MaySendTx is MaySend inside the caller's transaction, so the check and
// the deposit of a notification commit together.
func MaySendTx(ctx context.Context, tx *store.Tx, institutionID string) error {
	state, err := tx.InstitutionState(ctx, institutionID)
	if err != nil {
		return notFound(err)
	}
	if State(state) != StateActive {
		return ErrSuspended
	}
	return nil
}

// Sender returns the institution p sends for: p must be a notifier of it
// (MINTEL staff, administrators who are not notifiers and citizens are
// ErrNotNotifier) and it must be active (ErrSuspended). The web's compose
// page and the send itself call it.
func (s *Service) Sender(ctx context.Context, p *identity.Principal, institutionID string) (*Institution, error) {
	if p == nil || p.IsSystem() || identity.RequireIn(p, identity.RoleNotifier, institutionID) != nil {
		return nil, ErrNotNotifier
	}
	inst, err := s.get(ctx, s.db.Reader(), institutionID)
	if err != nil {
		return nil, err
	}
	if inst.State != StateActive {
		return inst, ErrSuspended
	}
	return inst, nil
}

// NotifierInstitutions lists the institutions p is a notifier of (usually
// one), from the roles of the signed-in session.
func NotifierInstitutions(p *identity.Principal) []string {
	if p == nil || p.IsSystem() {
		return nil
	}
	return p.Institutions(identity.RoleNotifier)
}

// AdministeredInstitutions lists the institutions p administers.
func AdministeredInstitutions(p *identity.Principal) []string {
	if p == nil || p.IsSystem() {
		return nil
	}
	return p.Institutions(identity.RoleInstitutionAdmin)
}

// Mine returns the institutions p works for (as administrator or
// notifier), for the console's institution picker.
func (s *Service) Mine(ctx context.Context, p *identity.Principal) ([]Institution, error) {
	seen := map[string]bool{}
	var out []Institution
	for _, id := range append(AdministeredInstitutions(p), NotifierInstitutions(p)...) {
		if seen[id] {
			continue
		}
		seen[id] = true
		inst, err := s.get(ctx, s.db.Reader(), id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *inst)
	}
	return out, nil
}
