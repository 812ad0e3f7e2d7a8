package identity

import (
	"context"
	"slices"
)

// Client is where a request comes from, as recorded in sessions, the
// sign-in history, the throttle and the audit log.
type Client struct {
	Address   string // the client's IP address, as the web layer determined it
	UserAgent string // the browser's User-Agent, truncated
}

// Principal is the signed-in person of one request: his account, his roles
// and the session he uses. The web layer puts it in the request's context
// (NewContext) after checking the session, so that every later layer asks
// FromContext and the authorization helpers rather than the session.
type Principal struct {
	Account
	Roles []Grant
	// SessionID identifies the user session (for "sign out this session",
	// and to keep it when ending the others). Empty for System.
	SessionID string
	// Method is how the session was opened ("password", "password+totp",
	// "passkey", …).
	Method string
	// Client is where the current request comes from.
	Client Client
	// system marks the command line and background jobs.
	system string
}

// System returns the principal of the command line or of a background job,
// named for the audit log ("buzon admin create-user"). It holds every role.
func System(name string) *Principal {
	return &Principal{system: name, Client: Client{Address: "local"}}
}

// IsSystem reports whether p is the command line or a job, not a person.
func (p *Principal) IsSystem() bool { return p != nil && p.system != "" }

// Has reports whether p holds role (in any institution, for scoped roles).
func (p *Principal) Has(role Role) bool {
	if p == nil {
		return false
	}
	if p.system != "" {
		return true
	}
	return slices.ContainsFunc(p.Roles, func(g Grant) bool { return g.Role == role })
}

// HasIn reports whether p holds a scoped role in one institution.
func (p *Principal) HasIn(role Role, institutionID string) bool {
	if p == nil {
		return false
	}
	if p.system != "" {
		return true
	}
	return slices.ContainsFunc(p.Roles, func(g Grant) bool { return g.Role == role && g.InstitutionID == institutionID })
}

// Institutions lists the institutions where p holds role.
func (p *Principal) Institutions(role Role) []string {
	if p == nil {
		return nil
	}
	var ids []string
	for _, g := range p.Roles {
		if g.Role == role && g.InstitutionID != "" && !slices.Contains(ids, g.InstitutionID) {
			ids = append(ids, g.InstitutionID)
		}
	}
	return ids
}

// IsStaff reports whether p holds any staff role.
func (p *Principal) IsStaff() bool {
	if p == nil {
		return false
	}
	return slices.ContainsFunc(p.Roles, func(g Grant) bool { return g.Role.Staff() })
}

// NeedsTOTPSetup reports whether p must turn on two-step verification
// before doing anything else: staff without it.
func (p *Principal) NeedsTOTPSetup() bool {
	return p != nil && p.system == "" && p.IsStaff() && !p.TOTPEnabled
}

// Require returns nil when p holds at least one of roles, and ErrForbidden
// otherwise (also when nobody is signed in, or when staff must still set up
// two-step verification and a staff role is asked for).
func Require(p *Principal, roles ...Role) error {
	for _, r := range roles {
		if p.Has(r) {
			if r.Staff() && p.NeedsTOTPSetup() {
				return ErrForbidden
			}
			return nil
		}
	}
	return ErrForbidden
}

// RequireIn returns nil when p holds role in the institution, ErrForbidden
// otherwise.
func RequireIn(p *Principal, role Role, institutionID string) error {
	if institutionID == "" || !p.HasIn(role, institutionID) || p.NeedsTOTPSetup() {
		return ErrForbidden
	}
	return nil
}

type principalKey struct{}

// NewContext returns ctx carrying the signed-in principal.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the signed-in principal of ctx, or nil when nobody is
// signed in.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// roleUsed picks the role an action is audited under: the first of roles p
// holds.
func (p *Principal) roleUsed(roles ...Role) Role {
	if p.IsSystem() {
		return "sistema"
	}
	for _, r := range roles {
		if p.Has(r) {
			return r
		}
	}
	return ""
}
