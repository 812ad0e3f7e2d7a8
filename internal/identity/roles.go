package identity

import (
	"context"
	"errors"
	"strings"
	"time"

	"buzon/internal/nui"
	"buzon/internal/store"
)

// checkGrant refuses unknown roles and institution ids that do not fit the role.
func checkGrant(g Grant) error {
	if _, err := ParseRole(string(g.Role)); err != nil {
		return err
	}
	switch {
	case g.Role.Scoped() && g.InstitutionID == "":
		return ErrRoleNeedsInstitution
	case !g.Role.Scoped() && g.InstitutionID != "":
		return ErrRoleNoInstitution
	case g.InstitutionID != "" && !looksLikeUUID(g.InstitutionID):
		return ErrRoleNeedsInstitution
	}
	return nil
}

// GrantRole gives an identity a role inside the caller's transaction and
// audits it. Authorization is the caller's: the institutions package lets an
// institution administrator name his notifiers, the platform console lets
// MINTEL name operators and auditors. ErrRoleHeld when already held.
func (s *Service) GrantRole(ctx context.Context, tx *store.Tx, actor *Principal, accountID string, g Grant, reason string, now time.Time) error {
	if err := checkGrant(g); err != nil {
		return err
	}
	row, err := tx.IdentityByID(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	return s.grant(ctx, tx, actor, accountOf(row), g, reason, now)
}

func (s *Service) grant(ctx context.Context, tx *store.Tx, actor *Principal, acc *Account, g Grant, reason string, now time.Time) error {
	err := tx.GrantRole(ctx, &store.Role{IdentityID: acc.ID, Role: string(g.Role), InstitutionID: g.InstitutionID, GrantedAt: now, GrantedBy: actor.ID})
	if errors.Is(err, store.ErrDuplicate) {
		return ErrRoleHeld
	}
	if err != nil {
		return err
	}
	return s.audit(ctx, tx, actor, actor.roleUsed(RolePlatformAdmin, RoleInstitutionAdmin), AuditRecord{Action: ActionGrantRole,
		Reason: reason, SubjectID: acc.ID, SubjectNUI: string(acc.NUI), InstitutionID: g.InstitutionID, Detail: "rol: " + string(g.Role)}, now)
}

// RevokeRole takes a role away inside the caller's transaction and audits
// it; the person's next request already runs without it. Authorization is
// the caller's, as for GrantRole. ErrRoleNotHeld when not held;
// ErrLastPlatformAdmin for the last platform administrator.
func (s *Service) RevokeRole(ctx context.Context, tx *store.Tx, actor *Principal, accountID string, g Grant, reason string, now time.Time) error {
	if err := checkGrant(g); err != nil {
		return err
	}
	row, err := tx.IdentityByID(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if g.Role == RolePlatformAdmin {
		holders, err := tx.RoleHolders(ctx, string(RolePlatformAdmin), "")
		if err != nil {
			return err
		}
		if len(holders) == 1 && holders[0].IdentityID == accountID {
			return ErrLastPlatformAdmin
		}
	}
	if err := tx.RevokeRole(ctx, accountID, string(g.Role), g.InstitutionID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrRoleNotHeld
		}
		return err
	}
	return s.audit(ctx, tx, actor, actor.roleUsed(RolePlatformAdmin, RoleInstitutionAdmin), AuditRecord{Action: ActionRevokeRole,
		Reason: reason, SubjectID: row.ID, SubjectNUI: row.NUI, InstitutionID: g.InstitutionID, Detail: "rol: " + string(g.Role)}, now)
}

// RolesOf lists the roles of an identity.
func (s *Service) RolesOf(ctx context.Context, accountID string) ([]Grant, error) {
	rows, err := s.db.Reader().RolesOf(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return grants(rows), nil
}

func grants(rows []store.Role) []Grant {
	out := make([]Grant, len(rows))
	for i, r := range rows {
		out[i] = Grant{Role: Role(r.Role), InstitutionID: r.InstitutionID}
	}
	return out
}

// ConsoleRoles are the roles the platform console grants and revokes.
var ConsoleRoles = []Role{RoleDIGERCIC, RoleAuditor}

// StaffMember is a holder of a platform role, as the platform console lists them.
type StaffMember struct {
	Account *Account
	Role    Role
}

// GrantStaffRole is the platform console's grant: a platform administrator
// names a DIGERCIC operator or an auditor by cédula. A person without an
// identity gets one, pending activation, with the invitation sent to email
// (which is otherwise ignored). The reason is mandatory.
func (s *Service) GrantStaffRole(ctx context.Context, p *Principal, rawNUI, rawEmail string, role Role, reason string) (*Account, error) {
	if err := Require(p, RolePlatformAdmin); err != nil {
		return nil, err
	}
	if err := consoleRole(role); err != nil {
		return nil, err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	id, err := nui.Parse(rawNUI)
	if err != nil {
		return nil, err
	}
	row, err := s.db.Reader().IdentityByNUI(ctx, string(id))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var acc *Account
	if row != nil {
		acc = accountOf(row)
		err = s.db.Write(ctx, func(tx *store.Tx) error { return s.grant(ctx, tx, p, acc, Grant{Role: role}, reason, now) })
		return acc, err
	}
	if strings.TrimSpace(rawEmail) == "" {
		return nil, ErrEmailEmpty
	}
	if _, err := ParseEmail(rawEmail); err != nil {
		return nil, err
	}
	person, err := s.LookupPerson(ctx, string(id))
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if acc, _, err = s.EnsureIdentity(ctx, tx, p, person, rawEmail, now); err != nil {
			return err
		}
		return s.grant(ctx, tx, p, acc, Grant{Role: role}, reason, now)
	})
	if err != nil {
		return nil, err
	}
	return acc, nil
}

// RevokeStaffRole is the platform console's revocation, reason mandatory.
func (s *Service) RevokeStaffRole(ctx context.Context, p *Principal, accountID string, role Role, reason string) error {
	if err := Require(p, RolePlatformAdmin); err != nil {
		return err
	}
	if err := consoleRole(role); err != nil {
		return err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		return s.RevokeRole(ctx, tx, p, accountID, Grant{Role: role}, reason, now)
	})
}

// StaffList lists the holders of the console roles, for platform
// administrators and auditors.
func (s *Service) StaffList(ctx context.Context, p *Principal) ([]StaffMember, error) {
	if err := Require(p, RolePlatformAdmin, RoleAuditor); err != nil {
		return nil, err
	}
	var out []StaffMember
	for _, role := range append([]Role{RolePlatformAdmin}, ConsoleRoles...) {
		holders, err := s.db.Reader().RoleHolders(ctx, string(role), "")
		if err != nil {
			return nil, err
		}
		for _, h := range holders {
			row, err := s.db.Reader().IdentityByID(ctx, h.IdentityID)
			if err != nil {
				return nil, err
			}
			out = append(out, StaffMember{Account: accountOf(row), Role: role})
		}
	}
	return out, nil
}

func consoleRole(r Role) error {
	if _, err := ParseRole(string(r)); err != nil {
		return err
	}
	for _, c := range ConsoleRoles {
		if c == r {
			return nil
		}
	}
	return ErrRoleNotGrantable
}

// checkReason trims a mandatory reason and bounds its length.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", ErrReasonRequired
	}
	if len([]rune(reason)) > 500 {
		return "", ErrReasonTooLong
	}
	return reason, nil
}

func looksLikeUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
