package institution

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is a refusal a person may be shown: a stable code (for logs, the
// API and tests), a Spanish sentence (its Error text), an English twin and
// the form field it belongs next to ("" for the form as a whole). Compare
// the sentinels with errors.Is.
type Error struct {
	code    string
	field   string
	spanish string
	english string
}

// Error returns the Spanish sentence, the one the UI shows by default.
func (e *Error) Error() string { return e.spanish }

// Code returns the stable identifier of the refusal.
func (e *Error) Code() string { return e.code }

// English returns the refusal as an English sentence.
func (e *Error) English() string { return e.english }

// Field names the form field the refusal belongs next to, or "".
func (e *Error) Field() string { return e.field }

// Is matches a sentinel with its copies (the same refusal placed next to
// another field).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.code == e.code
}

// at returns the refusal placed next to another field.
func (e *Error) at(field string) *Error {
	c := *e
	c.field = field
	return &c
}

// Refusals of the request forms. The field named in each is the default;
// the same refusal is placed next to the field it concerns (at).
var (
	ErrRequired = &Error{"institution.required", "",
		"Complete este campo.",
		"Fill in this field."}
	ErrTooLong = &Error{"institution.too_long", "",
		"El texto es demasiado largo.",
		"The text is too long."}
	ErrControlChars = &Error{"institution.control_chars", "",
		"El texto contiene caracteres no permitidos.",
		"The text contains characters that are not allowed."}
	ErrSectorUnknown = &Error{"institution.sector_unknown", "sector",
		"Elija la función o tipo de entidad de la lista.",
		"Choose the branch or kind of entity from the list."}
	ErrModalityUnknown = &Error{"institution.modality_unknown", "modality",
		"Elija la modalidad de envío.",
		"Choose how the institution will send."}
	ErrWebsiteInvalid = &Error{"institution.website_invalid", "website",
		"Ingrese la dirección completa del sitio web, por ejemplo https://www.institucion.gob.ec.",
		"Enter the website's full address, for example https://www.institucion.gob.ec."}
	ErrPhoneInvalid = &Error{"institution.phone_invalid", "",
		"Ingrese un número de teléfono válido, con el código de área, por ejemplo 02 396 3000.",
		"Enter a valid phone number with its area code, for example 02 396 3000."}
	ErrRUCRequested = &Error{"institution.ruc_pending", "ruc",
		"Ya existe una solicitud pendiente para este RUC. Espere la respuesta del MINTEL antes de enviar otra.",
		"There is already a pending request for this RUC. Wait for MINTEL's answer before sending another."}
	ErrRUCActive = &Error{"institution.ruc_active", "ruc",
		"Esta institución ya está activa en Buzón. Para cambiar su administrador use la solicitud de cambio de administrador.",
		"This institution is already active in Buzón. To change its administrator, use the administrator change request."}
	ErrRUCUnknown = &Error{"institution.ruc_unknown", "ruc",
		"No hay una institución activa en Buzón con este RUC.",
		"There is no institution in Buzón with this RUC."}

	ErrDocumentMissing = &Error{"institution.document_missing", "",
		"Adjunte el documento en formato PDF.",
		"Attach the document as a PDF file."}
	ErrDocumentNotPDF = &Error{"institution.document_not_pdf", "",
		"El archivo no es un PDF válido. Adjunte el documento firmado en formato PDF.",
		"The file is not a valid PDF. Attach the signed document as a PDF file."}
	ErrDocumentTooLarge = &Error{"institution.document_too_large", "",
		"El archivo es demasiado grande.",
		"The file is too large."}
	ErrUploadTooLarge = &Error{"institution.upload_too_large", "",
		"Los archivos adjuntos son demasiado grandes. Reduzca su tamaño e intente de nuevo.",
		"The attached files are too large. Make them smaller and try again."}
	ErrFormUnreadable = &Error{"institution.form_unreadable", "",
		"No pudimos leer el formulario. Vuelva a cargar la página e intente de nuevo.",
		"We could not read the form. Reload the page and try again."}
	ErrLogoInvalid = &Error{"institution.logo_invalid", "logo",
		"El logotipo debe ser una imagen PNG o JPEG.",
		"The logo must be a PNG or JPEG image."}
	ErrLogoTooLarge = &Error{"institution.logo_too_large", "logo",
		"El logotipo es demasiado grande.",
		"The logo is too large."}
)

// Refusals of the consoles.
var (
	ErrNotFound = &Error{"institution.not_found", "",
		"La institución o la solicitud no existe.",
		"The institution or the request does not exist."}
	ErrTrackingNotFound = &Error{"institution.tracking_not_found", "numero",
		"No encontramos una solicitud con ese número de seguimiento. Revise el número que recibió por correo.",
		"We found no request with that tracking number. Check the number you received by email."}
	ErrForbidden = &Error{"institution.forbidden", "",
		"No tiene permiso para realizar esta acción.",
		"You are not allowed to do this."}
	ErrAlreadyDecided = &Error{"institution.already_decided", "",
		"Esta solicitud ya fue resuelta.",
		"This request has already been decided."}
	ErrReasonRequired = &Error{"institution.reason_required", "reason",
		"Indique el motivo.",
		"Give the reason."}
	ErrReasonTooLong = &Error{"institution.reason_too_long", "reason",
		"El motivo puede tener como máximo 500 caracteres.",
		"The reason may have at most 500 characters."}
	ErrQuotaInvalid = &Error{"institution.quota_invalid", "quota",
		"Ingrese la cuota como un número entero entre 0 y 10 000 000.",
		"Enter the quota as a whole number between 0 and 10,000,000."}
	ErrModalityUnchanged = &Error{"institution.modality_unchanged", "modality",
		"La institución ya usa esa modalidad.",
		"The institution already uses that way of sending."}
	ErrAlreadySuspended = &Error{"institution.already_suspended", "",
		"La institución ya está suspendida.",
		"The institution is already suspended."}
	ErrNotSuspended = &Error{"institution.not_suspended", "",
		"La institución no está suspendida.",
		"The institution is not suspended."}
	// ErrSuspended refuses sending (and naming new notifiers) while MINTEL
	// has the institution suspended.
	ErrSuspended = &Error{"institution.suspended", "",
		"La institución está suspendida: no puede enviar notificaciones. Comuníquese con el MINTEL.",
		"The institution is suspended: it cannot send notifications. Please contact MINTEL."}
	// ErrNotNotifier refuses sending to whoever is not a notifier of the institution.
	ErrNotNotifier = &Error{"institution.not_notifier", "",
		"Solo los notificadores de una institución pueden enviar notificaciones.",
		"Only an institution's notifiers can send notifications."}
	ErrStaffHeld = &Error{"institution.staff_held", "nui",
		"Esta persona ya es notificador de la institución.",
		"This person is already a notifier of the institution."}
	ErrStaffEnded = &Error{"institution.staff_ended", "",
		"Esta persona ya no es parte del personal de la institución.",
		"This person is no longer on the institution's staff."}
	ErrAccountUnavailable = &Error{"institution.account_unavailable", "",
		"La cuenta de esta persona en Buzón está suspendida o cerrada: no puede recibir el rol.",
		"This person's Buzón account is suspended or closed: it cannot be given the role."}
	ErrAlreadyActivated = &Error{"institution.already_activated", "",
		"Esta persona ya activó su cuenta: no hace falta reenviar la invitación.",
		"This person has already activated the account: there is no invitation to resend."}
	ErrRegistryUnavailable = &Error{"institution.registry_unavailable", "",
		"No se pudo consultar el Registro Civil en este momento. Intente de nuevo en unos minutos.",
		"The civil registry could not be reached right now. Please try again in a few minutes."}
)

// Coded is what every refusal shown to a person satisfies, whether it comes
// from this package or from nui, identity, registry or eligibility.
type Coded interface {
	error
	Code() string
	English() string
}

// fieldError places a refusal of another package (a cédula's, an email's)
// next to a field of our forms, keeping its code and its English.
type fieldError struct {
	field string
	err   Coded
}

func (e *fieldError) Error() string   { return sentence(e.err.Error()) }
func (e *fieldError) English() string { return sentence(e.err.English()) }
func (e *fieldError) Code() string    { return e.err.Code() }
func (e *fieldError) Field() string   { return e.field }
func (e *fieldError) Unwrap() error   { return e.err }

// sentence makes a fragment ("la cédula debe tener 10 dígitos") a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// onField places err next to field: our refusals are copied with the field,
// other packages' coded refusals are wrapped, anything else is returned
// unchanged (it is a failure, not a refusal).
func onField(field string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e.at(field)
	}
	var c Coded
	if errors.As(err, &c) {
		return &fieldError{field: field, err: c}
	}
	return err
}

// FieldOf names the form field a refusal belongs next to, or "" for the
// form as a whole.
func FieldOf(err error) string {
	var f interface{ Field() string }
	if errors.As(err, &f) {
		return f.Field()
	}
	return ""
}

// Invalid is the refusal of a whole form: every field's refusal at once,
// so a person corrects everything in one pass. Nothing was stored.
type Invalid struct {
	Errors []error
}

// Error returns the first refusal's sentence.
func (v *Invalid) Error() string {
	if len(v.Errors) == 0 {
		return "formulario inválido"
	}
	return v.Errors[0].Error()
}

// Unwrap gives errors.Is access to each refusal.
func (v *Invalid) Unwrap() []error { return v.Errors }

// Fields maps each field to its first refusal; form-wide refusals are under "".
func (v *Invalid) Fields() map[string]error {
	out := map[string]error{}
	for _, e := range v.Errors {
		f := FieldOf(e)
		if _, ok := out[f]; !ok {
			out[f] = e
		}
	}
	return out
}

// problems collects a form's refusals.
type problems struct{ errs []error }

func (p *problems) add(field string, err error) {
	if err != nil {
		p.errs = append(p.errs, onField(field, err))
	}
}

// has reports whether field already has a refusal.
func (p *problems) has(field string) bool {
	for _, e := range p.errs {
		if FieldOf(e) == field {
			return true
		}
	}
	return false
}

func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return &Invalid{Errors: p.errs}
}

// IsShown reports whether err is a refusal meant for the person (it has a
// code and sentences, or is a whole form's refusal) rather than a failure
// to log.
func IsShown(err error) bool {
	var v *Invalid
	if errors.As(err, &v) {
		return true
	}
	var c Coded
	return errors.As(err, &c)
}

// tooLong is ErrTooLong naming the limit.
func tooLong(field string, max int) *Error {
	return &Error{ErrTooLong.code, field,
		fmt.Sprintf("El texto puede tener como máximo %d caracteres.", max),
		fmt.Sprintf("The text may have at most %d characters.", max)}
}
