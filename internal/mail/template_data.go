package mail

import "time"

// The data of each email, one type per template, so that callers are typed.
// Render refuses any other type. Moments (time.Time fields named At, Expires,
// SentAt) are shown in the Templates' zone; DueDate is a calendar day, shown
// as given. Strings are plain text: the templates escape them.
//
// To add an email: write templates/<name>.es.txt, .es.html, .en.txt and
// .en.html following the existing ones, add its data type below and register
// it in templateData, and add sample data to the golden test.

// templateData maps each template name to its data type.
var templateData = map[string]any{
	"account_activation":           AccountActivationData{},
	"password_reset":               PasswordResetData{},
	"email_verification":           EmailVerificationData{},
	"email_changed_notice":         EmailChangedNoticeData{},
	"notification_alert":           AlertData{},
	"deadline_reminder":            ReminderData{},
	"institution_request_received": InstitutionRequestReceivedData{},
	"institution_request_decided":  InstitutionRequestDecidedData{},
	"institution_admin_invitation": InstitutionAdminInvitationData{},
	"staff_invitation":             StaffInvitationData{},
	"test_message":                 TestMessageData{},
}

// AccountActivationData is for "account_activation": a person registered in
// person (or a civil servant's account) sets a password through Link.
type AccountActivationData struct {
	Name    string    // full name
	Link    string    // single-use link to set the password
	Expires time.Time // when Link stops working
	Staff   bool      // the account was created for a civil servant
}

// PasswordResetData is for "password_reset".
type PasswordResetData struct {
	Name    string
	Link    string // single-use link to choose a new password
	Expires time.Time
}

// EmailVerificationData is for "email_verification": confirming the address of
// a virtual registration or of an email change, with a code to type, a link,
// or both (at least one).
type EmailVerificationData struct {
	Name     string // may be empty before the registry lookup
	NewEmail string // the address being confirmed (this email's recipient)
	Code     string // code to type in the open form
	Link     string // single-use confirmation link
	Expires  time.Time
}

// EmailChangedNoticeData is for "email_changed_notice", sent to the old
// address. The new address is shown masked ("m***@example.com"): this mailbox
// may no longer be the citizen's.
type EmailChangedNoticeData struct {
	Name     string
	NewEmail string
	At       time.Time // when the change was made
}

// AlertData is for "notification_alert" (DESIGN §3 flow 6): a notification was
// deposited in the citizen's buzón. The email carries no body, no attachment
// and no link with a token; SiteURL is reduced to the site's home page.
type AlertData struct {
	Name             string
	Institution      string    // the sending institution
	Reference        string    // the notification's reference (e.g. "SRI-2026-00123"); may be empty
	SentAt           time.Time // when it was deposited
	VerificationCode string    // short code also shown in the inbox, so the citizen can match them
	SiteURL          string    // the platform's address, e.g. "https://buzon.gob.ec"
}

// ReminderData is for "deadline_reminder": the deadline of a notification is
// near. Same safety rules as AlertData.
type ReminderData struct {
	Name             string
	Institution      string
	Reference        string
	DueDate          time.Time // last day to act, a calendar day shown as given
	BusinessDaysLeft int       // business days left until DueDate
	VerificationCode string    // the same code as the notification's alert
	SiteURL          string
}

// InstitutionRequestReceivedData is for "institution_request_received": the
// acknowledgement to whoever filed an institution's activation request.
type InstitutionRequestReceivedData struct {
	Name        string // the applicant
	Institution string
	Request     string // request number to quote in any inquiry
	At          time.Time
}

// InstitutionRequestDecidedData is for "institution_request_decided": MINTEL
// approved or rejected the request.
type InstitutionRequestDecidedData struct {
	Name        string
	Institution string
	Request     string
	Approved    bool
	Reason      string // why it was rejected; may also accompany an approval
	At          time.Time
}

// InstitutionAdminInvitationData is for "institution_admin_invitation": the
// designated Administrador Institucional sets up his access.
type InstitutionAdminInvitationData struct {
	Name        string
	Institution string
	Link        string // single-use link
	Expires     time.Time
}

// StaffInvitationData is for "staff_invitation": an institution (or the
// platform) gives a person a role.
type StaffInvitationData struct {
	Name        string
	Institution string // empty for platform roles
	// Role is a role code of internal/identity ("notificador",
	// "admin_institucional", "auditor"...), shown by its official name, or
	// any text, shown as given.
	Role      string
	InvitedBy string // who invited, e.g. the institutional administrator's name
	Link      string // single-use link
	Expires   time.Time
}

// TestMessageData is for "test_message", which an operator sends to check the
// SMTP configuration.
type TestMessageData struct {
	RequestedBy string // the operator
	At          time.Time
	Server      string // the redacted SMTP URL (SMTPConfig.Redacted)
}
