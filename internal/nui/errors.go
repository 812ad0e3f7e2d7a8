package nui

// Error is a validation refusal with a stable code, a Spanish sentence (its Error text,
// shown to people by default) and an English twin, so the web layer can show it in the
// reader's language without comparing strings. The package's sentinels are *Error values:
// compare them with errors.Is; read the code with errors.As.
type Error struct {
	code    string
	spanish string
	english string
}

// Error returns the Spanish sentence, the one the UI shows by default.
func (e *Error) Error() string { return e.spanish }

// Code returns the stable identifier of the refusal (e.g. "nui.check_digit"), for
// translations, logs and API problem types.
func (e *Error) Code() string { return e.code }

// English returns the refusal as an English sentence.
func (e *Error) English() string { return e.english }

// Refusals of a cédula (N.U.I.).
var (
	ErrEmpty = &Error{"nui.empty",
		"ingrese el número de cédula",
		"enter the identity card number"}
	ErrLength = &Error{"nui.length",
		"la cédula debe tener 10 dígitos",
		"the identity card number must have 10 digits"}
	ErrNotDigits = &Error{"nui.not_digits",
		"la cédula solo puede contener dígitos",
		"the identity card number may contain digits only"}
	ErrProvince = &Error{"nui.province",
		"código de provincia inválido",
		"invalid province code"}
	ErrCheckDigit = &Error{"nui.check_digit",
		"el dígito verificador no corresponde",
		"the check digit does not match"}
)

// Refusals of a RUC. A company RUC failing módulo 11 is not refused: see RUC.Warning.
var (
	ErrRUCEmpty = &Error{"ruc.empty",
		"ingrese el número de RUC",
		"enter the RUC number"}
	ErrRUCLength = &Error{"ruc.length",
		"el RUC debe tener 13 dígitos",
		"the RUC must have 13 digits"}
	ErrRUCNotDigits = &Error{"ruc.not_digits",
		"el RUC solo puede contener dígitos",
		"the RUC may contain digits only"}
	ErrRUCProvince = &Error{"ruc.province",
		"el código de provincia del RUC es inválido",
		"the RUC's province code is invalid"}
	ErrRUCType = &Error{"ruc.type",
		"el tercer dígito del RUC no corresponde a ningún tipo de contribuyente",
		"the RUC's third digit matches no kind of taxpayer"}
	ErrRUCCheckDigit = &Error{"ruc.check_digit",
		"el dígito verificador del RUC no corresponde",
		"the RUC's check digit does not match"}
	ErrRUCEstablishment = &Error{"ruc.establishment",
		"el número de establecimiento del RUC no puede ser cero",
		"the RUC's establishment number cannot be zero"}
)
