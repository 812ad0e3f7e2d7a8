package registration

import (
	"errors"

	"buzon/internal/esign"
)

// Error is a refusal of the registration flow a person is shown: a stable
// code, a Spanish sentence (its Error text), an English twin and the form
// field it belongs next to. It satisfies identity.Coded, so the web layer
// shows it like any other refusal. Compare with errors.Is.
type Error struct {
	code, field, spanish, english string
}

// Error returns the Spanish sentence.
func (e *Error) Error() string { return e.spanish }

// Code returns the stable identifier of the refusal.
func (e *Error) Code() string { return e.code }

// English returns the refusal in English.
func (e *Error) English() string { return e.english }

// Field names the form field the refusal is about, or "".
func (e *Error) Field() string { return e.field }

// Refusals of the registration flow.
var (
	ErrNotConfigured = &Error{"registration.not_configured", "",
		"El registro en línea no está disponible en este momento. Puede registrarse en cualquier agencia del Registro Civil.",
		"Online registration is not available at the moment. You can register at any civil registry office."}
	ErrNotFound = &Error{"registration.not_found", "",
		"No encontramos una solicitud de registro en curso en este navegador. Empiece el registro de nuevo.",
		"We found no registration in progress in this browser. Please start the registration again."}
	ErrExpired = &Error{"registration.expired", "",
		"Su solicitud de registro caducó. Empiece el registro de nuevo: recibirá un documento nuevo para firmar.",
		"Your registration has expired. Please start again: you will get a new document to sign."}
	ErrCancelled = &Error{"registration.cancelled", "",
		"Esta solicitud de registro fue anulada. Empiece el registro de nuevo.",
		"This registration was cancelled. Please start again."}
	ErrWrongStep = &Error{"registration.wrong_step", "",
		"Ese paso no corresponde ahora. Siga el paso que se muestra en la página.",
		"That step does not apply now. Follow the step shown on the page."}
	ErrCannotRegister = &Error{"registration.cannot_register", "nui",
		"No es posible registrar esta cédula en línea. Si es la suya, acuda con ella a una agencia del Registro Civil.",
		"This identity card number cannot be registered online. If it is yours, take it to a civil registry office."}
	ErrTooManyApplications = &Error{"registration.too_many_applications", "",
		"Se han iniciado demasiados registros con este correo o desde esta conexión. Intente de nuevo mañana.",
		"Too many registrations were started with this email or from this connection. Please try again tomorrow."}

	ErrCodeEmpty = &Error{"registration.code_empty", "code",
		"Escriba el código de 6 dígitos que le enviamos por correo.",
		"Enter the 6-digit code we sent you by email."}
	ErrCodeMalformed = &Error{"registration.code_malformed", "code",
		"El código tiene 6 dígitos, sin letras. Revise el correo y escríbalo de nuevo.",
		"The code has 6 digits and no letters. Check the email and enter it again."}
	ErrCodeWrong = &Error{"registration.code_wrong", "code",
		"El código no es correcto. Revise el último correo que le enviamos y escríbalo de nuevo.",
		"The code is not correct. Check the latest email we sent you and enter it again."}
	ErrCodeExpired = &Error{"registration.code_expired", "code",
		"El código caducó. Pida un código nuevo con el botón «Enviar un código nuevo».",
		"The code has expired. Ask for a new one with the “Send a new code” button."}
	ErrTooManyCodeFailures = &Error{"registration.too_many_code_failures", "",
		"Se escribió un código incorrecto demasiadas veces y la solicitud fue anulada. Empiece el registro de nuevo.",
		"A wrong code was entered too many times and the registration was cancelled. Please start again."}
	ErrTooManyCodes = &Error{"registration.too_many_codes", "",
		"Ya le enviamos el número máximo de códigos. Revise su bandeja de correo no deseado o empiece el registro de nuevo.",
		"We have already sent the maximum number of codes. Check your spam folder or start the registration again."}

	ErrFileMissing = &Error{"registration.file_missing", "document",
		"Elija el archivo PDF firmado para subirlo.",
		"Choose the signed PDF file to upload."}
	ErrFileTooLarge = &Error{"registration.file_too_large", "document",
		"El archivo es demasiado grande: el documento firmado no puede pasar de 10 MB. Suba el PDF que produjo su programa de firma, sin agregarle nada.",
		"The file is too large: the signed document cannot exceed 10 MB. Upload the PDF your signing software produced, without adding anything to it."}
	ErrTooManyAttempts = &Error{"registration.too_many_attempts", "",
		"Se alcanzó el número máximo de intentos para esta solicitud. Empiece el registro de nuevo o acuda a una agencia del Registro Civil.",
		"The maximum number of attempts for this registration was reached. Start again or visit a civil registry office."}
	ErrNoEvidence = &Error{"registration.no_evidence", "",
		"Esta cuenta no se registró por el canal virtual: no tiene documento de registro firmado.",
		"This account was not registered online: it has no signed registration document."}
)

// VerificationError is the refusal of a signed document: the verifier's
// coded reason (one of esign's sentinels, which errors.Is matches through
// it), with the step that failed. The attempt and its report are stored.
type VerificationError struct {
	// Step is the verification step that failed (esign.Step*).
	Step string
	err  *esign.Error
}

// Error returns the Spanish sentence.
func (e *VerificationError) Error() string { return e.err.ES }

// Code returns esign's stable code ("esign.revoked"…).
func (e *VerificationError) Code() string { return e.err.Code }

// English returns the refusal in English.
func (e *VerificationError) English() string { return e.err.EN }

// Field puts the refusal next to the upload field.
func (e *VerificationError) Field() string { return "document" }

// Unwrap returns esign's sentinel.
func (e *VerificationError) Unwrap() error { return e.err }

// verificationError wraps a verifier error, or returns nil when err does not
// carry one of esign's coded refusals (a context cancelled, say).
func verificationError(rep *esign.Report, err error) *VerificationError {
	var ee *esign.Error
	if !errors.As(err, &ee) {
		return nil
	}
	step := ""
	if rep != nil {
		for _, s := range rep.Steps {
			if !s.OK {
				step = s.Name
			}
		}
	}
	return &VerificationError{Step: step, err: ee}
}
