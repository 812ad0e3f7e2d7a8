package notification

import (
	"errors"
	"strings"
)

// Error is a refusal a person may be shown: a stable code (for the API and
// translations), a Spanish sentence (its Error text), an English twin and
// the form field it belongs next to ("" for the form as a whole). Compare
// with the sentinels using errors.Is.
type Error struct {
	code    string
	field   string
	spanish string
	english string
}

// Error returns the Spanish sentence.
func (e *Error) Error() string { return e.spanish }

// Code returns the stable identifier, e.g. "recipient_not_registered".
func (e *Error) Code() string { return e.code }

// English returns the sentence in English.
func (e *Error) English() string { return e.english }

// Field names the form field the refusal is about, or "".
func (e *Error) Field() string { return e.field }

// Is matches an error with the sentinel of the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.code == e.code
}

func newError(code, field, es, en string) *Error { return &Error{code, field, es, en} }

// Refusals of this package.
var (
	// ErrNotFound answers a missing notification and, identically, one that
	// is not the asker's to see.
	ErrNotFound = newError("not_found", "", "La notificación no existe.", "The notification does not exist.")
	// ErrForbidden means the signed-in person's role does not allow the action.
	ErrForbidden = newError("forbidden", "", "No tiene permiso para esta acción.", "You are not allowed to do this.")

	ErrNoRecipients = newError("recipients_required", "recipients",
		"Indique al menos un destinatario (número de cédula).", "Give at least one recipient (identity card number).")
	ErrTooManyRecipients = newError("too_many_recipients", "recipients",
		"Hay demasiados destinatarios en un solo envío; divídalo en varios.", "There are too many recipients for one send; split it.")
	ErrRecipientInvalid = newError("recipient_invalid", "recipients",
		"El número de cédula no es válido.", "The identity card number is not valid.")
	ErrRecipientNotRegistered = newError("recipient_not_registered", "recipients",
		"La persona no tiene un buzón activo: notifíquela por otro medio.", "The person has no active mailbox: notify them by other means.")
	ErrRecipientRepeated = newError("recipient_repeated", "recipients",
		"La cédula está repetida; se notificará una sola vez.", "The identity card number is repeated; it is notified once.")

	ErrSubjectRequired = newError("subject_required", "subject", "Escriba el asunto.", "Enter the subject.")
	ErrSubjectTooLong  = newError("subject_too_long", "subject",
		"El asunto es demasiado largo: use hasta 200 caracteres.", "The subject is too long: use up to 200 characters.")
	ErrTextInvalid = newError("text_invalid", "",
		"El texto contiene caracteres de control no permitidos.", "The text contains control characters that are not allowed.")
	ErrReferenceTooLong = newError("reference_too_long", "reference",
		"La referencia es demasiado larga: use hasta 100 caracteres.", "The reference is too long: use up to 100 characters.")
	ErrBodyRequired = newError("body_required", "body", "Escriba el texto de la notificación.", "Enter the notification's text.")
	ErrBodyTooLong  = newError("body_too_long", "body",
		"El texto es demasiado largo: use hasta 100 000 caracteres.", "The text is too long: use up to 100,000 characters.")
	ErrBodyInvalid = newError("body_invalid", "body",
		"El texto usa un formato no permitido.", "The text uses formatting that is not allowed.")
	ErrCategoryUnknown = newError("category_unknown", "category", "Elija una categoría de la lista.", "Choose a category from the list.")
	ErrDeadlineInvalid = newError("deadline_invalid", "deadline",
		"El plazo no es válido: indique una fecha futura, o un número de días dentro de los límites.",
		"The deadline is not valid: give a future date, or a number of days within the limits.")
	ErrTramiteInvalid = newError("tramite_invalid", "tramite",
		"Indique el número de expediente y el título del trámite (hasta 60 y 200 caracteres), o ninguno de los dos.",
		"Give the case file number and the procedure's title (up to 60 and 200 characters), or neither.")
	ErrPlaceholderUnknown = newError("placeholder_unknown", "body",
		"El texto usa un campo variable desconocido. Los permitidos son: "+strings.Join(PlaceholderNames(), ", ")+
			", y las columnas del archivo de destinatarios (por ejemplo {{monto}} para una columna «monto»).",
		"The text uses an unknown placeholder. The allowed ones are: "+strings.Join(PlaceholderNames(), ", ")+
			", and the columns of the recipients file (for example {{monto}} for a column “monto”).")

	ErrTooManyAttachments = newError("too_many_attachments", "attachments",
		"Hay demasiados anexos en un envío.", "There are too many attachments in one send.")
	ErrAttachmentTooLarge = newError("attachment_too_large", "attachments",
		"El anexo supera el tamaño máximo permitido.", "The attachment exceeds the maximum size allowed.")
	ErrAttachmentsTooLarge = newError("attachments_too_large", "attachments",
		"Los anexos juntos superan el tamaño máximo de un envío.", "The attachments together exceed the maximum size of a send.")
	ErrAttachmentName = newError("attachment_name", "attachments",
		"El nombre del anexo no es válido.", "The attachment's name is not valid.")

	ErrInstitutionInactive = newError("institution_suspended", "",
		"La institución no está activa en Buzón y no puede enviar notificaciones.", "The institution is not active in Buzón and cannot send notifications.")
	ErrQuotaExceeded = newError("quota_exceeded", "",
		"El envío supera el cupo diario de notificaciones de la institución.", "The send exceeds the institution's daily quota of notifications.")

	ErrRectifiesUnknown = newError("rectifies_unknown", "rectifies",
		"La notificación que se rectifica no existe o no es de esta institución.", "The notification being rectified does not exist or is not this institution's.")
	ErrRectifiesRecipient = newError("rectifies_recipient", "recipients",
		"Una rectificación se envía solo al destinatario de la notificación que corrige.", "A rectification goes only to the recipient of the notification it corrects.")
	ErrAlreadyRectified = newError("already_rectified", "rectifies",
		"Esa notificación ya fue rectificada: rectifique la rectificación más reciente.", "That notification was already rectified: rectify the latest rectification.")

	ErrReminderDays = newError("reminder_days_invalid", "days",
		"Elija entre 1 y 3 recordatorios, cada uno entre 1 y 15 días hábiles antes del vencimiento.",
		"Choose 1 to 3 reminders, each between 1 and 15 business days before the due date.")
	ErrTemplateName = newError("template_name", "name",
		"Escriba un nombre para la plantilla (hasta 100 caracteres).", "Enter a name for the template (up to 100 characters).")
	ErrTemplateDuplicate = newError("template_duplicate", "name",
		"Ya existe una plantilla con ese nombre.", "A template with that name already exists.")
)

// Invalid collects every problem of a submission, so a form can show each
// next to its field. errors.Is matches any of them.
type Invalid struct {
	Problems []*Error
}

func (e *Invalid) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return strings.Join(parts, " ")
}

// Unwrap gives errors.Is and errors.As every problem.
func (e *Invalid) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// Problems returns the refusals err carries, for a form: the list of an
// *Invalid, a single *Error, or nil for anything else (a failure to show
// as a generic error).
func Problems(err error) []*Error {
	var inv *Invalid
	if errors.As(err, &inv) {
		return inv.Problems
	}
	var e *Error
	if errors.As(err, &e) {
		return []*Error{e}
	}
	return nil
}
