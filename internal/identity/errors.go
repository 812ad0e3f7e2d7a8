package identity

import (
	"errors"
	"fmt"
	"time"
)

// Error is a refusal a person may be shown: a stable code (for translations,
// logs and the API), a Spanish sentence (its Error text), an English twin
// and the form field it belongs next to ("" for the form as a whole).
// Compare the sentinels with errors.Is.
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

// Field names the form field the refusal is about, or "".
func (e *Error) Field() string { return e.field }

// Is matches copies of a sentinel (see ThrottleError) with the sentinel.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.code == e.code
}

// Refusals of sign-in and of the account's own security settings.
var (
	// ErrBadCredentials is the one answer to a wrong N.U.I., a wrong password,
	// an account without a password yet and a closed account, so that the
	// sign-in form reveals nothing about who has an account.
	ErrBadCredentials = &Error{"identity.bad_credentials", "",
		"La cédula o la contraseña no son correctas.",
		"The identity card number or the password is incorrect."}
	// ErrThrottled is matched by every *ThrottleError.
	ErrThrottled = &Error{"identity.throttled", "",
		"Demasiados intentos; intente de nuevo más tarde.",
		"Too many attempts; please try again later."}
	ErrSuspended = &Error{"identity.suspended", "",
		"Su cuenta está suspendida. Acérquese a una agencia del Registro Civil.",
		"Your account is suspended. Please visit a civil registry office."}
	ErrNoSession = &Error{"identity.no_session", "",
		"Su sesión terminó. Ingrese nuevamente.",
		"Your session has ended. Please sign in again."}
	ErrSecondFactorExpired = &Error{"identity.second_factor_expired", "",
		"El tiempo para ingresar el código terminó. Ingrese nuevamente su cédula y contraseña.",
		"The time to enter the code has run out. Please enter your identity card number and password again."}

	ErrPasswordEmpty = &Error{"identity.password_empty", "password",
		"Ingrese una contraseña.",
		"Enter a password."}
	ErrPasswordTooShort = &Error{"identity.password_too_short", "password",
		fmt.Sprintf("La contraseña debe tener al menos %d caracteres.", MinPasswordLength),
		fmt.Sprintf("The password must have at least %d characters.", MinPasswordLength)}
	ErrPasswordTooLong = &Error{"identity.password_too_long", "password",
		fmt.Sprintf("La contraseña puede tener como máximo %d caracteres.", MaxPasswordLength),
		fmt.Sprintf("The password may have at most %d characters.", MaxPasswordLength)}
	ErrPasswordCommon = &Error{"identity.password_common", "password",
		"Esa contraseña es demasiado común y fácil de adivinar. Elija otra, por ejemplo una frase de varias palabras.",
		"That password is too common and easy to guess. Choose another, for example a phrase of several words."}
	ErrPasswordPersonal = &Error{"identity.password_personal", "password",
		"La contraseña no puede contener su número de cédula, sus nombres ni su correo.",
		"The password cannot contain your identity card number, your names or your email."}
	ErrPasswordMismatch = &Error{"identity.password_mismatch", "confirm",
		"Las dos contraseñas no coinciden.",
		"The two passwords do not match."}
	ErrPasswordWrong = &Error{"identity.password_wrong", "current",
		"La contraseña actual no es correcta.",
		"The current password is incorrect."}

	ErrCodeEmpty = &Error{"identity.code_empty", "code",
		"Ingrese el código.",
		"Enter the code."}
	ErrCodeInvalid = &Error{"identity.code_invalid", "code",
		"El código no es correcto. Revise la hora de su teléfono y use el código que se muestra ahora.",
		"The code is incorrect. Check your phone's clock and use the code shown now."}
	ErrCodeReused = &Error{"identity.code_reused", "code",
		"Ese código ya fue usado. Espere a que su aplicación muestre el siguiente.",
		"That code has already been used. Wait for your app to show the next one."}
	ErrTOTPNotSetUp = &Error{"identity.totp_not_set_up", "",
		"La verificación en dos pasos no está activada.",
		"Two-step verification is not turned on."}
	ErrTOTPAlreadyOn = &Error{"identity.totp_already_on", "",
		"La verificación en dos pasos ya está activada.",
		"Two-step verification is already on."}
	ErrTOTPRequired = &Error{"identity.totp_required", "",
		"Las cuentas de funcionarios deben mantener la verificación en dos pasos.",
		"Staff accounts must keep two-step verification on."}

	ErrPasskeyFailed = &Error{"identity.passkey_failed", "",
		"No se pudo verificar la llave de acceso. Intente de nuevo o ingrese con su contraseña.",
		"The passkey could not be verified. Try again or sign in with your password."}
	ErrPasskeysUnavailable = &Error{"identity.passkeys_unavailable", "",
		"Las llaves de acceso no están disponibles en este sitio.",
		"Passkeys are not available on this site."}
	ErrPasskeyNameTooLong = &Error{"identity.passkey_name_too_long", "name",
		"El nombre de la llave puede tener como máximo 60 caracteres.",
		"The passkey name may have at most 60 characters."}

	ErrTokenInvalid = &Error{"identity.token_invalid", "",
		"El enlace no es válido, ya fue usado o caducó. Solicite uno nuevo.",
		"The link is not valid, has already been used or has expired. Please ask for a new one."}
)

// Refusals of registration and of the consoles.
var (
	ErrEmailEmpty = &Error{"identity.email_empty", "email",
		"Ingrese el correo electrónico.",
		"Enter the email address."}
	ErrEmailInvalid = &Error{"identity.email_invalid", "email",
		"Ingrese un correo electrónico válido, por ejemplo nombre@ejemplo.com.",
		"Enter a valid email address, for example name@example.com."}
	ErrEmailUnchanged = &Error{"identity.email_unchanged", "email",
		"Ese ya es el correo de la cuenta.",
		"That is already the account's email address."}
	ErrAlreadyRegistered = &Error{"identity.already_registered", "nui",
		"Ya existe una cuenta para esta cédula.",
		"An account already exists for this identity card number."}
	ErrNotFound = &Error{"identity.not_found", "nui",
		"No existe una cuenta para esta cédula.",
		"There is no account for this identity card number."}
	ErrRegistryNotConfigured = &Error{"identity.registry_not_configured", "",
		"El servicio de registro no está configurado: no hay conexión con el Registro Civil.",
		"Registration is not configured: there is no connection to the civil registry."}
	ErrForbidden = &Error{"identity.forbidden", "",
		"No tiene permiso para realizar esta acción.",
		"You are not allowed to do this."}
	ErrOwnAccount = &Error{"identity.own_account", "nui",
		"No puede realizar esta acción sobre su propia cuenta; pídala a otro operador.",
		"You cannot do this to your own account; ask another operator."}
	ErrReasonRequired = &Error{"identity.reason_required", "reason",
		"Indique el motivo.",
		"Give the reason."}
	ErrReasonTooLong = &Error{"identity.reason_too_long", "reason",
		"El motivo puede tener como máximo 500 caracteres.",
		"The reason may have at most 500 characters."}
	ErrAlreadySuspended = &Error{"identity.already_suspended", "",
		"La cuenta ya está suspendida.",
		"The account is already suspended."}
	ErrNotSuspended = &Error{"identity.not_suspended", "",
		"La cuenta no está suspendida.",
		"The account is not suspended."}
	ErrNotPending = &Error{"identity.not_pending", "",
		"La cuenta ya fue activada.",
		"The account has already been activated."}
	ErrClosed = &Error{"identity.closed", "",
		"La cuenta está cerrada.",
		"The account is closed."}
	ErrRoleUnknown = &Error{"identity.role_unknown", "role",
		"Elija un rol de la lista.",
		"Choose a role from the list."}
	ErrRoleNeedsInstitution = &Error{"identity.role_needs_institution", "institution",
		"Este rol pertenece a una institución: indique cuál.",
		"This role belongs to an institution: say which."}
	ErrRoleNoInstitution = &Error{"identity.role_no_institution", "institution",
		"Este rol no pertenece a una institución.",
		"This role does not belong to an institution."}
	ErrRoleHeld = &Error{"identity.role_held", "role",
		"La persona ya tiene ese rol.",
		"The person already holds that role."}
	ErrRoleNotHeld = &Error{"identity.role_not_held", "role",
		"La persona no tiene ese rol.",
		"The person does not hold that role."}
	ErrRoleNotGrantable = &Error{"identity.role_not_grantable", "role",
		"Desde esta consola no se puede otorgar ni quitar ese rol.",
		"That role cannot be granted or removed from this console."}
	ErrLastPlatformAdmin = &Error{"identity.last_platform_admin", "role",
		"No se puede quitar el rol al último administrador de la plataforma.",
		"The last platform administrator cannot lose the role."}
)

// ThrottleError refuses an attempt while its account or client address is
// locked. It matches ErrThrottled; its sentence names the wait in minutes.
type ThrottleError struct {
	coded *Error
	// Until is when attempts are accepted again.
	Until time.Time
	// Minutes is the wait, rounded up, at the moment of refusal.
	Minutes int
}

func newThrottleError(until, now time.Time) *ThrottleError {
	minutes := int((until.Sub(now) + time.Minute - 1) / time.Minute)
	if minutes < 1 {
		minutes = 1
	}
	es := fmt.Sprintf("Demasiados intentos; intente de nuevo en %d minutos.", minutes)
	en := fmt.Sprintf("Too many attempts; please try again in %d minutes.", minutes)
	if minutes == 1 {
		es = "Demasiados intentos; intente de nuevo en 1 minuto."
		en = "Too many attempts; please try again in 1 minute."
	}
	return &ThrottleError{coded: &Error{ErrThrottled.code, "", es, en}, Until: until, Minutes: minutes}
}

func (e *ThrottleError) Error() string   { return e.coded.spanish }
func (e *ThrottleError) Code() string    { return e.coded.code }
func (e *ThrottleError) English() string { return e.coded.english }
func (e *ThrottleError) Field() string   { return "" }
func (e *ThrottleError) Unwrap() error   { return e.coded }

// Coded is what every error shown to a person satisfies, whether it comes
// from this package, nui, registry or eligibility.
type Coded interface {
	error
	Code() string
	English() string
}

// FieldOf says next to which form field a refusal belongs: the field of an
// identity error, "nui" for a refusal of the cédula (nui, registry,
// eligibility), "" otherwise.
func FieldOf(err error) string {
	var f interface{ Field() string }
	if errors.As(err, &f) {
		return f.Field()
	}
	var c Coded
	if errors.As(err, &c) {
		switch code := c.Code(); {
		case len(code) > 4 && code[:4] == "nui.", len(code) > 12 && code[:12] == "eligibility.", code == "registry.not_found":
			return "nui"
		}
	}
	return ""
}

// IsShown reports whether err is a refusal meant for the person (it has a
// code and sentences) rather than a failure to log.
func IsShown(err error) bool {
	var c Coded
	return errors.As(err, &c)
}
