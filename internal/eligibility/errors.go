package eligibility

// Error is a refusal of eligibility with a stable code, a Spanish sentence (its Error
// text) and an English twin. The age refusals Check returns are copies of the sentinels
// that name the configured bound; errors.Is matches them with their sentinel.
type Error struct {
	code    string
	spanish string
	english string
	bound   int
}

// Error returns the Spanish sentence, the one the UI shows by default.
func (e *Error) Error() string { return e.spanish }

// Code returns the stable identifier of the refusal, for translations, logs and the API.
func (e *Error) Code() string { return e.code }

// English returns the refusal as an English sentence.
func (e *Error) English() string { return e.english }

// Bound returns the age bound an age refusal is about (e.g. 18), and 0 otherwise.
func (e *Error) Bound() int { return e.bound }

// Is makes a refusal naming its bound match its sentinel.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.code == e.code
}

func (e *Error) withBound(bound int, spanish, english string) *Error {
	return &Error{code: e.code, spanish: spanish, english: english, bound: bound}
}

// The refusals of eligibility. A malformed cédula is refused with the nui package's
// errors and an unreachable registry with registry.ErrUnavailable.
var (
	ErrNotInRegistry = &Error{code: "eligibility.not_in_registry",
		spanish: "la cédula no consta en el Registro Civil",
		english: "the identity card number is not in the civil registry"}
	ErrDeceased = &Error{code: "eligibility.deceased",
		spanish: "el Registro Civil registra como fallecida a la persona titular de esta cédula",
		english: "the civil registry records the holder of this identity card as deceased"}
	ErrCancelled = &Error{code: "eligibility.cancelled",
		spanish: "la cédula está cancelada en el Registro Civil; acérquese a una agencia del Registro Civil",
		english: "the identity card has been cancelled by the civil registry; please visit a civil registry office"}
	ErrTooYoung = &Error{code: "eligibility.too_young",
		spanish: "no cumple la edad mínima para registrarse",
		english: "you are under the minimum age to register"}
	ErrTooOld = &Error{code: "eligibility.too_old",
		spanish: "ha alcanzado la edad máxima para registrarse",
		english: "you have reached the maximum age to register"}
)
