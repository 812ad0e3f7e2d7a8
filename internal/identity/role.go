package identity

import "slices"

// Role is what an identity may do. The values are stable: they are stored,
// written in the audit log and used in the admin command line.
type Role string

// The roles of Buzón.
const (
	// RoleCitizen has a buzón: reads the notifications addressed to him.
	RoleCitizen Role = "ciudadano"
	// RoleDIGERCIC registers citizens in person and keeps their accounts.
	RoleDIGERCIC Role = "operador_digercic"
	// RolePlatformAdmin (MINTEL) runs the platform: institutions, staff roles.
	RolePlatformAdmin Role = "admin_plataforma"
	// RoleInstitutionAdmin runs one institution's use of Buzón.
	RoleInstitutionAdmin Role = "admin_institucional"
	// RoleNotifier composes and sends one institution's notifications.
	RoleNotifier Role = "notificador"
	// RoleAuditor reads the evidence and the staff audit log.
	RoleAuditor Role = "auditor"
)

// Roles lists every role, citizen first.
func Roles() []Role {
	return []Role{RoleCitizen, RoleDIGERCIC, RolePlatformAdmin, RoleInstitutionAdmin, RoleNotifier, RoleAuditor}
}

// ParseRole reads a stored or typed role; unknown values are ErrRoleUnknown.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(Roles(), r) {
		return "", ErrRoleUnknown
	}
	return r, nil
}

// Staff reports whether the role is a civil servant's: every role but the
// citizen's. Staff must use two-step verification.
func (r Role) Staff() bool { return r != RoleCitizen && r != "" }

// Scoped reports whether the role belongs to one institution, and so is
// granted together with the institution's id.
func (r Role) Scoped() bool { return r == RoleInstitutionAdmin || r == RoleNotifier }

// Spanish names the role as the Spanish interface does.
func (r Role) Spanish() string {
	switch r {
	case RoleCitizen:
		return "Ciudadano"
	case RoleDIGERCIC:
		return "Operador DIGERCIC"
	case RolePlatformAdmin:
		return "Administrador de plataforma (MINTEL)"
	case RoleInstitutionAdmin:
		return "Administrador institucional"
	case RoleNotifier:
		return "Notificador"
	case RoleAuditor:
		return "Auditor"
	}
	return string(r)
}

// English names the role in English.
func (r Role) English() string {
	switch r {
	case RoleCitizen:
		return "Citizen"
	case RoleDIGERCIC:
		return "DIGERCIC operator"
	case RolePlatformAdmin:
		return "Platform administrator (MINTEL)"
	case RoleInstitutionAdmin:
		return "Institution administrator"
	case RoleNotifier:
		return "Notifier"
	case RoleAuditor:
		return "Auditor"
	}
	return string(r)
}

// Grant is a role held by an identity, in an institution for scoped roles.
type Grant struct {
	Role          Role
	InstitutionID string // empty unless Role.Scoped()
}
