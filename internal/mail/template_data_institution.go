package mail

import "time"

// The institutions' emails beyond the activation request's, registered
// here so that the institutions package keeps its additions in its own
// files.
func init() {
	templateData["institution_admin_change_received"] = InstitutionAdminChangeReceivedData{}
	templateData["institution_admin_change_decided"] = InstitutionAdminChangeDecidedData{}
	templateData["institution_role_granted"] = InstitutionRoleGrantedData{}
	templateData["institution_role_revoked"] = InstitutionRoleRevokedData{}
}

// InstitutionAdminChangeReceivedData is for
// "institution_admin_change_received": the acknowledgement to the new
// administrator who asked MINTEL to replace the current one.
type InstitutionAdminChangeReceivedData struct {
	Name        string // the new administrator
	Institution string
	Request     string // request number to quote in any inquiry
	At          time.Time
}

// InstitutionAdminChangeDecidedData is for
// "institution_admin_change_decided": MINTEL approved or rejected an
// administrator change; it goes to the new administrator who asked.
type InstitutionAdminChangeDecidedData struct {
	Name        string
	Institution string
	Request     string
	Approved    bool
	Reason      string // why it was rejected; may also accompany an approval
	At          time.Time
}

// InstitutionRoleGrantedData is for "institution_role_granted": a person
// whose account is already active was given a role in an institution
// (administrator or notifier). There is no link: he signs in as usual, by
// typing the site's address.
type InstitutionRoleGrantedData struct {
	Name        string
	Institution string
	Role        string // a role code of internal/identity, shown by its official name
	InvitedBy   string // who named him; may be empty (MINTEL's approval)
	SiteURL     string // the platform's address; only its home page is shown
}

// InstitutionRoleRevokedData is for "institution_role_revoked": a person is
// no longer an institution's administrator or notifier.
type InstitutionRoleRevokedData struct {
	Name        string
	Institution string
	Role        string // a role code of internal/identity
	Reason      string
	At          time.Time
}
