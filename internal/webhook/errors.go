package webhook

// Error is a refusal a person or a system may be shown: a stable code (the
// API's problem code), a Spanish sentence (its Error text), an English twin
// and the field it is about. Compare with the sentinels using errors.Is.
type Error struct {
	code    string
	field   string
	spanish string
	english string
}

// Error returns the Spanish sentence.
func (e *Error) Error() string { return e.spanish }

// Code returns the stable identifier, e.g. "webhook_url_invalid".
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

// Refusals of this package.
var (
	ErrNotFound = &Error{"not_found", "",
		"El webhook no existe.", "The webhook does not exist."}
	ErrForbidden = &Error{"forbidden", "",
		"No tiene permiso para administrar los webhooks de esta institución.",
		"You are not allowed to manage this institution's webhooks."}
	ErrURLInvalid = &Error{"webhook_url_invalid", "url",
		"Escriba una dirección https:// completa (hasta 2000 caracteres), sin usuario ni contraseña.",
		"Enter a complete https:// address (up to 2000 characters), without user or password."}
	ErrURLPrivate = &Error{"webhook_url_private", "url",
		"La dirección apunta a una red privada o local; use una dirección pública.",
		"The address points to a private or local network; use a public address."}
	ErrDescriptionTooLong = &Error{"webhook_description_invalid", "description",
		"La descripción es demasiado larga (hasta 200 caracteres, en una línea).",
		"The description is too long (up to 200 characters, on one line)."}
	ErrEventTypeUnknown = &Error{"webhook_event_type_unknown", "event_types",
		"Uno de los tipos de evento no existe.", "One of the event types does not exist."}
	ErrTooMany = &Error{"webhook_limit", "",
		"La institución ya tiene el máximo de webhooks; elimine alguno antes de crear otro.",
		"The institution already has the maximum number of webhooks; delete one before creating another."}
	ErrNotInterconnection = &Error{"institution_not_interconnection", "",
		"La institución no está en la modalidad de interconexión.",
		"The institution is not in the interconnection modality."}
)
