package apikey

// Error is a refusal a person or a system may be shown: a stable code (the
// API's problem code, and the key for translations), a Spanish sentence
// (its Error text), an English twin and the form field it belongs next to.
// Compare with the sentinels using errors.Is.
type Error struct {
	code    string
	field   string
	spanish string
	english string
}

// Error returns the Spanish sentence.
func (e *Error) Error() string { return e.spanish }

// Code returns the stable identifier, e.g. "api_key_revoked".
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
	// ErrInvalid answers a key that is malformed, unknown or wrong: the
	// three look alike, so that a guess learns nothing.
	ErrInvalid = &Error{"api_key_invalid", "",
		"La clave de API no es válida.", "The API key is not valid."}
	// ErrRevoked answers a key its institution revoked.
	ErrRevoked = &Error{"api_key_revoked", "",
		"La clave de API fue revocada; pida una nueva al Administrador Institucional.",
		"The API key was revoked; ask the institution's administrator for a new one."}
	// ErrInstitutionSuspended answers any key of a suspended institution.
	ErrInstitutionSuspended = &Error{"institution_suspended", "",
		"La institución está suspendida en Buzón y no puede usar la API.",
		"The institution is suspended in Buzón and cannot use the API."}
	// ErrNotInterconnection answers keys of an institution that sends from
	// the platform's screens, and refuses creating keys for it.
	ErrNotInterconnection = &Error{"institution_not_interconnection", "",
		"La institución no está en la modalidad de interconexión; solo esa modalidad usa la API.",
		"The institution is not in the interconnection modality; only that modality uses the API."}
	// ErrForbidden means the signed-in person is not the institution's administrator.
	ErrForbidden = &Error{"forbidden", "",
		"No tiene permiso para administrar las claves de esta institución.",
		"You are not allowed to manage this institution's keys."}
	// ErrNotFound answers a key that does not exist or is another institution's.
	ErrNotFound = &Error{"not_found", "",
		"La clave no existe.", "The key does not exist."}
	ErrNameRequired = &Error{"api_key_name_required", "name",
		"Escriba un nombre para la clave (hasta 60 caracteres), p. ej. el sistema que la usará.",
		"Enter a name for the key (up to 60 characters), e.g. the system that will use it."}
	ErrModeUnknown = &Error{"api_key_mode_unknown", "mode",
		"Elija el modo de la clave: producción o pruebas.", "Choose the key's mode: live or test."}
	ErrTooMany = &Error{"api_key_limit", "",
		"La institución ya tiene el máximo de claves activas; revoque alguna antes de crear otra.",
		"The institution already has the maximum number of active keys; revoke one before creating another."}
)
