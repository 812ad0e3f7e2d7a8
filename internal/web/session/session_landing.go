package session

import "buzon/internal/identity"

// Landing is where a person goes after signing in, by role: the one place
// to change when a portal opens. Staff without two-step verification set it
// up first; a citizen goes to his buzón;
// staff without the citizen role go to their console.
func Landing(p *identity.Principal) string {
	switch {
	case p == nil:
		return "/ingresar"
	case p.NeedsTOTPSetup():
		return TOTPSetupPath
	case p.Has(identity.RoleCitizen):
		return "/buzon"
	case p.Has(identity.RoleDIGERCIC):
		return "/digercic/"
	case p.Has(identity.RolePlatformAdmin), p.Has(identity.RoleAuditor):
		return "/admin/personal"
	case p.Has(identity.RoleInstitutionAdmin):
		return "/institucion/"
	default:
		return "/cuenta"
	}
}
