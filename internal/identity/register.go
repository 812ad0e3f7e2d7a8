package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"buzon/internal/eligibility"
	"buzon/internal/nui"
	"buzon/internal/registry"
	"buzon/internal/store"
)

// ParseEmail checks an email address typed by a person and returns it with
// its domain in lower case. It accepts only a bare address (no display
// name), with a dotted domain, at most 254 characters.
func ParseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrEmailEmpty
	}
	if len(s) > 254 || strings.ContainsAny(s, " <>,;:\"()[]\\\t\r\n") {
		return "", ErrEmailInvalid
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", ErrEmailInvalid
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if local == "" || len(local) > 64 || !validDomain(domain) {
		return "", ErrEmailInvalid
	}
	return local + "@" + domain, nil
}

func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c >= 0x80) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return len(tld) >= 2
}

// RegistryView is what the DIGERCIC operator sees before registering a
// citizen: the registry's data, to compare with the physical cédula.
type RegistryView struct {
	Person registry.Person
	// Age in whole years today.
	Age int
	// Existing is the person's identity when he already has one (as staff,
	// say) without being a citizen yet; nil otherwise.
	Existing *Account
}

// CheckRegistration is the operator's first step: it checks the cédula, the
// person's eligibility and that he has no citizen account yet, and returns
// the registry's data. It changes nothing but the audit log (the operator
// saw a person's data).
func (s *Service) CheckRegistration(ctx context.Context, p *Principal, rawNUI string) (*RegistryView, error) {
	if err := Require(p, RoleDIGERCIC); err != nil {
		return nil, err
	}
	now := s.Now()
	person, err := s.eligible(ctx, rawNUI, now)
	if err != nil {
		return nil, err
	}
	if person.NUI == p.NUI {
		return nil, ErrOwnAccount
	}
	v := &RegistryView{Person: person, Age: eligibility.Age(person.BirthDate, now)}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		acc, isCitizen, err := s.existing(ctx, tx, person.NUI)
		if err != nil {
			return err
		}
		if isCitizen {
			return ErrAlreadyRegistered
		}
		v.Existing = acc
		return s.audit(ctx, tx, p, RoleDIGERCIC, AuditRecord{Action: ActionRegistryLookup, SubjectNUI: string(person.NUI),
			SubjectID: idOf(acc)}, now)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// RegisterInPerson is the operator's second step: it checks everything
// again, creates the citizen's account pending activation and queues the
// activation email to the habitual address the citizen gave, all in one
// transaction. Any refusal leaves the database as it was.
func (s *Service) RegisterInPerson(ctx context.Context, p *Principal, rawNUI, rawEmail string) (*Account, error) {
	if err := Require(p, RoleDIGERCIC); err != nil {
		return nil, err
	}
	now := s.Now()
	person, err := s.eligible(ctx, rawNUI, now)
	if err != nil {
		return nil, err
	}
	if person.NUI == p.NUI {
		return nil, ErrOwnAccount
	}
	email, err := ParseEmail(rawEmail)
	if err != nil {
		return nil, err
	}
	var acc *Account
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		existing, isCitizen, err := s.existing(ctx, tx, person.NUI)
		if err != nil {
			return err
		}
		if isCitizen {
			return ErrAlreadyRegistered
		}
		detail := ""
		if existing == nil {
			if acc, err = s.createIdentity(ctx, tx, person, email, ChannelInPerson, now); err != nil {
				return err
			}
		} else {
			// A civil servant becomes a citizen too: same identity, one more role.
			acc = existing
			detail = "identidad existente: se añade el rol ciudadano"
		}
		if err := tx.GrantRole(ctx, &store.Role{IdentityID: acc.ID, Role: string(RoleCitizen), GrantedAt: now, GrantedBy: p.ID}); err != nil {
			return err
		}
		if acc.State == StatePending {
			if _, err := s.sendActivation(ctx, tx, acc, false, now); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, p, RoleDIGERCIC, AuditRecord{Action: ActionRegister, SubjectID: acc.ID,
			SubjectNUI: string(acc.NUI), Detail: joinDetail(detail, "correo: "+email)}, now)
	})
	if err != nil {
		return nil, err
	}
	return acc, nil
}

// eligible runs the eligibility policy against the registry.
func (s *Service) eligible(ctx context.Context, rawNUI string, now time.Time) (registry.Person, error) {
	if _, err := nui.Parse(rawNUI); err != nil {
		return registry.Person{}, err
	}
	if s.registry == nil {
		return registry.Person{}, ErrRegistryNotConfigured
	}
	return s.policy.Check(ctx, s.registry, rawNUI, now)
}

// LookupPerson asks the registry who holds a cédula and refuses a person the
// registry does not hold as valid (deceased, cancelled). It does not apply
// the citizens' age bounds: it is how institutions name their staff.
func (s *Service) LookupPerson(ctx context.Context, rawNUI string) (registry.Person, error) {
	id, err := nui.Parse(rawNUI)
	if err != nil {
		return registry.Person{}, err
	}
	if s.registry == nil {
		return registry.Person{}, ErrRegistryNotConfigured
	}
	person, err := s.registry.Lookup(ctx, id)
	switch {
	case errors.Is(err, registry.ErrNotFound):
		return registry.Person{}, eligibility.ErrNotInRegistry
	case err != nil:
		return registry.Person{}, fmt.Errorf("look up %s: %w", id.Masked(), err)
	}
	switch person.Status {
	case registry.StatusValid:
		return person, nil
	case registry.StatusDeceased:
		return registry.Person{}, eligibility.ErrDeceased
	default:
		return registry.Person{}, eligibility.ErrCancelled
	}
}

// EnsureIdentity finds the identity of person or creates it, pending
// activation, queuing the activation email to email (the staff invitation).
// It runs in the caller's transaction, so an institution's approval and its
// administrator's account commit together; look the person up first with
// LookupPerson (outside the transaction: it may ask a web service). created
// tells whether the identity is new; an existing identity keeps its email.
func (s *Service) EnsureIdentity(ctx context.Context, tx *store.Tx, actor *Principal, person registry.Person, rawEmail string, now time.Time) (acc *Account, created bool, err error) {
	email, err := ParseEmail(rawEmail)
	if err != nil {
		return nil, false, err
	}
	row, err := tx.IdentityByNUI(ctx, string(person.NUI))
	switch {
	case err == nil:
		return accountOf(row), false, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, false, err
	}
	if acc, err = s.createIdentity(ctx, tx, person, email, ChannelInstitution, now); err != nil {
		return nil, false, err
	}
	if _, err := s.sendActivation(ctx, tx, acc, true, now); err != nil {
		return nil, false, err
	}
	return acc, true, s.audit(ctx, tx, actor, "", AuditRecord{Action: ActionCreateIdentity, SubjectID: acc.ID,
		SubjectNUI: string(acc.NUI), Detail: "correo: " + email}, now)
}

// CreateUser is `buzon admin create-user`: it creates (or finds) the
// identity of a N.U.I. and grants it a role, queuing the activation email
// when the account is pending. With a registry the names come from it;
// without one the request must carry them. It returns the account and, when
// an activation email was queued, the activation link (for the operator's
// terminal, since the first administrator may have no working mail yet).
func (s *Service) CreateUser(ctx context.Context, actor *Principal, r CreateUserRequest) (*Account, string, error) {
	if !actor.IsSystem() && Require(actor, RolePlatformAdmin) != nil {
		return nil, "", ErrForbidden
	}
	id, err := nui.Parse(r.NUI)
	if err != nil {
		return nil, "", err
	}
	email, err := ParseEmail(r.Email)
	if err != nil {
		return nil, "", err
	}
	g := Grant{Role: r.Role, InstitutionID: r.InstitutionID}
	if err := checkGrant(g); err != nil {
		return nil, "", err
	}
	var person registry.Person
	switch {
	case s.registry != nil:
		if person, err = s.LookupPerson(ctx, string(id)); err != nil {
			return nil, "", err
		}
	case strings.TrimSpace(r.GivenNames) != "" && strings.TrimSpace(r.Surnames) != "":
		person = registry.Person{NUI: id, GivenNames: strings.TrimSpace(r.GivenNames), Surnames: strings.TrimSpace(r.Surnames)}
	default:
		return nil, "", ErrRegistryNotConfigured
	}
	now := s.Now()
	var (
		acc  *Account
		link string
	)
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		row, err := tx.IdentityByNUI(ctx, string(id))
		switch {
		case err == nil:
			acc = accountOf(row)
		case errors.Is(err, store.ErrNotFound):
			if acc, err = s.createIdentity(ctx, tx, person, email, ChannelConsole, now); err != nil {
				return err
			}
		default:
			return err
		}
		if err := s.grant(ctx, tx, actor, acc, g, "alta desde la línea de órdenes", now); err != nil && !errors.Is(err, ErrRoleHeld) {
			return err
		}
		if acc.State == StatePending {
			if link, err = s.sendActivation(ctx, tx, acc, g.Role.Staff(), now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return acc, link, nil
}

// CreateUserRequest is what `buzon admin create-user` asks for.
type CreateUserRequest struct {
	NUI           string
	Email         string
	Role          Role
	InstitutionID string
	// GivenNames and Surnames are used only when no registry is configured.
	GivenNames, Surnames string
}

// existing returns the identity of a N.U.I. (nil if none) and whether it
// holds the citizen role.
func (s *Service) existing(ctx context.Context, tx *store.Tx, id nui.NUI) (*Account, bool, error) {
	row, err := tx.IdentityByNUI(ctx, string(id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	roles, err := tx.RolesOf(ctx, row.ID)
	if err != nil {
		return nil, false, err
	}
	for _, r := range roles {
		if r.Role == string(RoleCitizen) {
			return accountOf(row), true, nil
		}
	}
	return accountOf(row), false, nil
}

func (s *Service) createIdentity(ctx context.Context, tx *store.Tx, person registry.Person, email string, ch Channel, now time.Time) (*Account, error) {
	handle := make([]byte, 32)
	rand.Read(handle)
	row := &store.Identity{
		NUI: string(person.NUI), GivenNames: person.GivenNames, Surnames: person.Surnames, Email: email,
		State: string(StatePending), Channel: string(ch), PasskeyHandle: handle, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.CreateIdentity(ctx, row); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, ErrAlreadyRegistered
		}
		return nil, err
	}
	return accountOf(row), nil
}

// sendActivation issues a new activation token (retiring older ones) and
// queues its email; it returns the link.
func (s *Service) sendActivation(ctx context.Context, tx *store.Tx, acc *Account, staff bool, now time.Time) (string, error) {
	token, hash := newToken()
	exp := now.Add(ActivationLifetime)
	if err := tx.CreateToken(ctx, &store.Token{Hash: hash, IdentityID: acc.ID, Purpose: string(PurposeActivation),
		CreatedAt: now, ExpiresAt: exp}); err != nil {
		return "", err
	}
	link := s.link("/activar", token)
	return link, s.queueMail(ctx, tx, MailActivation, acc.Email, MailData{Name: acc.FullName(), Link: link, Expires: exp, Staff: staff}, now)
}

func idOf(a *Account) string {
	if a == nil {
		return ""
	}
	return a.ID
}

func joinDetail(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}
