package calendar

import "fmt"

// Error is a problem with data a person typed or uploaded. Its message is the
// Spanish sentence shown to that person; Code is stable, so the web layer can
// translate it without comparing strings.
type Error struct {
	Code    string
	message string
}

func (e *Error) Error() string { return e.message }

// Errors returned by this package; compare with errors.Is.
var (
	ErrInvalidDate = &Error{"calendar.invalid_date",
		"La fecha no es válida: use el formato AAAA-MM-DD, por ejemplo 2026-11-02."}
	ErrUnknownKind = &Error{"calendar.unknown_kind",
		"El tipo debe ser «feriado» o «laborable»."}
	ErrInvalidName = &Error{"calendar.invalid_name",
		"El nombre es obligatorio para un feriado y debe tener hasta 100 caracteres, sin saltos de línea."}
	ErrDuplicateDate = &Error{"calendar.duplicate_date",
		"La fecha aparece más de una vez: deje un solo registro por fecha."}
	ErrWeekendLaborable = &Error{"calendar.weekend_laborable",
		"Un sábado o un domingo no puede declararse laborable: los términos nunca cuentan sábados ni domingos (COA art. 159)."}
	ErrMalformed = &Error{"calendar.malformed",
		"El archivo no tiene el formato esperado: CSV con las columnas fecha,tipo,nombre o una lista JSON."}
	ErrTooLarge = &Error{"calendar.too_large",
		"El archivo es demasiado grande: el máximo es 1 MB."}
	ErrInvalidDeadline = &Error{"calendar.invalid_deadline",
		"El plazo no es válido: indique una fecha, o un número de días o de meses dentro de los límites permitidos."}
)

// OverrideError tells which record of a list of overrides is wrong, so the
// administrator can find it: Line for a CSV file, Entry (from 1) for a JSON
// list or a slice given to [New]. Both are zero when the whole input is at fault.
type OverrideError struct {
	Line  int
	Entry int
	Err   error
}

func (e *OverrideError) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("línea %d: %v", e.Line, e.Err)
	case e.Entry > 0:
		return fmt.Sprintf("registro %d: %v", e.Entry, e.Err)
	}
	return e.Err.Error()
}

func (e *OverrideError) Unwrap() error { return e.Err }
