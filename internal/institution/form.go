package institution

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"buzon/internal/identity"
	"buzon/internal/nui"
)

// ActivationForm is the public activation request as typed by the
// institution's highest authority or delegate. The field names in comments
// are the form's (and the ones refusals are placed next to).
type ActivationForm struct {
	Name         string // name: the institution's legal name
	Acronym      string // acronym
	RUC          string // ruc
	Sector       string // sector: a Sector value
	Address      string // address
	Website      string // website: optional
	ContactPhone string // contact_phone: the citizens' contact
	ContactEmail string // contact_email

	RequesterNames    string // requester_names
	RequesterNUI      string // requester_nui
	RequesterPosition string // requester_position
	RequesterEmail    string // requester_email

	Modality string // modality: a Modality value

	Admin AdminForm

	Letter     Upload // letter: the signed request letter (oficio), PDF
	Delegation Upload // delegation: the delegation document, PDF
}

// AdminForm is the designated Administrador Institucional, in the
// activation request and in the administrator change request.
type AdminForm struct {
	Names    string // admin_names: full names
	NUI      string // admin_nui: cédula
	Position string // admin_position
	Email    string // admin_email: institutional email
	Phone    string // admin_phone: institutional phone
}

// AdminChangeForm is the service-desk request of the seed: the new
// administrator asks MINTEL to replace the current one.
type AdminChangeForm struct {
	RUC        string // ruc: the institution's
	Admin      AdminForm
	Delegation Upload // delegation: the official delegation document, PDF
}

// Field lengths, in characters.
const (
	maxName     = 200
	maxAcronym  = 20
	maxAddress  = 300
	maxWebsite  = 200
	maxPersonal = 150
	maxPosition = 150
	maxHours    = 200
	maxReason   = 500
)

// activation is a checked ActivationForm.
type activation struct {
	name, acronym, address, website, contactPhone, contactEmail string
	ruc                                                         nui.RUC
	sector                                                      Sector
	modality                                                    Modality
	requesterNames, requesterPosition, requesterEmail           string
	requesterNUI                                                nui.NUI
	admin                                                       admin
}

// admin is a checked AdminForm.
type admin struct {
	names, position, email, phone string
	nui                           nui.NUI
}

// check validates every field of the form (the documents apart) and
// returns all refusals at once.
func (f *ActivationForm) check(p *problems) activation {
	var a activation
	a.name = text(p, "name", f.Name, maxName, true)
	a.acronym = text(p, "acronym", f.Acronym, maxAcronym, true)
	if r, err := nui.ParseRUC(f.RUC); err != nil {
		p.add("ruc", err)
	} else {
		a.ruc = r
	}
	if s, err := ParseSector(strings.TrimSpace(f.Sector)); err != nil {
		p.add("sector", err)
	} else {
		a.sector = s
	}
	a.address = text(p, "address", f.Address, maxAddress, true)
	a.website = website(p, "website", f.Website)
	a.contactPhone = phone(p, "contact_phone", f.ContactPhone)
	a.contactEmail = email(p, "contact_email", f.ContactEmail)
	a.requesterNames = text(p, "requester_names", f.RequesterNames, maxPersonal, true)
	a.requesterNUI = cedula(p, "requester_nui", f.RequesterNUI)
	a.requesterPosition = text(p, "requester_position", f.RequesterPosition, maxPosition, true)
	a.requesterEmail = email(p, "requester_email", f.RequesterEmail)
	if m, err := ParseModality(strings.TrimSpace(f.Modality)); err != nil {
		p.add("modality", err)
	} else {
		a.modality = m
	}
	a.admin = f.Admin.check(p)
	return a
}

func (f *AdminForm) check(p *problems) admin {
	return admin{
		names:    text(p, "admin_names", f.Names, maxPersonal, true),
		nui:      cedula(p, "admin_nui", f.NUI),
		position: text(p, "admin_position", f.Position, maxPosition, true),
		email:    email(p, "admin_email", f.Email),
		phone:    phone(p, "admin_phone", f.Phone),
	}
}

// text checks one line of text: trimmed, inner runs of spaces made one, no
// control characters, at most max characters; required refuses it empty.
func text(p *problems, field, s string, max int, required bool) string {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "" && required:
		p.add(field, ErrRequired)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, isControl):
		p.add(field, ErrControlChars)
	case utf8.RuneCountInString(s) > max:
		p.add(field, tooLong(field, max))
	}
	return s
}

func isControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') // bidirectional overrides
}

func cedula(p *problems, field, s string) nui.NUI {
	id, err := nui.Parse(s)
	p.add(field, err)
	return id
}

func email(p *problems, field, s string) string {
	e, err := identity.ParseEmail(s)
	p.add(field, err)
	return e
}

// website checks an optional http(s) address with a dotted host.
func website(p *problems, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	switch {
	case len(s) > maxWebsite || strings.ContainsFunc(s, isControl) || strings.ContainsAny(s, " \"<>\\^`{|}"):
		p.add(field, ErrWebsiteInvalid)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Opaque != "",
		!strings.Contains(u.Hostname(), ".") || strings.HasPrefix(u.Hostname(), ".") || strings.HasSuffix(u.Hostname(), "."):
		p.add(field, ErrWebsiteInvalid)
	default:
		return u.String()
	}
	return s
}

// phone checks a phone number: digits with the usual separators (spaces,
// hyphens, dots, parentheses), an optional leading +, 7 to 15 digits (the
// E.164 maximum). It is kept as typed, spaces tidied.
func phone(p *problems, field, s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		p.add(field, ErrRequired)
		return s
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		case r == '+' && i == 0:
		default:
			p.add(field, ErrPhoneInvalid)
			return s
		}
	}
	if digits < 7 || digits > 15 {
		p.add(field, ErrPhoneInvalid)
	}
	return s
}

// checkReason trims a mandatory reason and bounds its length.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", ErrReasonRequired
	case strings.ContainsFunc(strings.NewReplacer("\r\n", "", "\n", "").Replace(reason), isControl):
		return "", ErrControlChars.at("reason")
	case utf8.RuneCountInString(reason) > maxReason:
		return "", ErrReasonTooLong
	}
	return reason, nil
}
