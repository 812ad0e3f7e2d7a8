// Package recipients reads the list of people a notification goes to: one
// cédula (N.U.I.), several pasted together, or a CSV file of up to hundreds of
// thousands of rows exported from a spreadsheet. Every row is checked and every
// problem reported with its line, column and value, so the notifier fixes the
// file before anything is sent; the file is read as a stream, never whole.
package recipients

import (
	"fmt"
	"strings"

	"buzon/internal/nui"
)

// Entry is one recipient.
type Entry struct {
	NUI        nui.NUI
	Nombres    string            // names, for the template's placeholder; may be empty
	Referencia string            // the institution's own reference for this recipient; may be empty
	Vars       map[string]string // further columns, by normalised header name (see ParseCSV); nil if none
	Line       int               // where it was read: line of the file or of the pasted text
}

// RowError is a problem with one row (or one pasted value): the notifier's
// report lists these before anything is sent.
type RowError struct {
	Line    int    // 1-based line in the file or the pasted text
	Column  string // the header as written in the file; "" for pasted lists and whole-row problems
	Value   string // the offending value, shortened to 100 characters
	Code    string // stable identifier: "nui.check_digit", "recipients.duplicate"…
	Message string // Spanish sentence for the report
	English string // the same in English
}

// String formats the problem as one Spanish line of a report.
func (e RowError) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "línea %d", e.Line)
	if e.Column != "" {
		fmt.Fprintf(&b, ", columna «%s»", e.Column)
	}
	if e.Value != "" {
		fmt.Fprintf(&b, ", valor «%s»", e.Value)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}

// Error is a refusal of a whole file, with a stable code, a Spanish sentence
// (its Error text) and an English twin. ParseCSV may wrap one with detail;
// compare with errors.Is and read the code with errors.As.
type Error struct {
	code    string
	spanish string
	english string
}

// Error returns the Spanish sentence.
func (e *Error) Error() string { return e.spanish }

// Code returns the stable identifier ("recipients.no_nui_column").
func (e *Error) Code() string { return e.code }

// English returns the refusal in English.
func (e *Error) English() string { return e.english }

// Refusals of a whole file.
var (
	ErrEmptyFile = &Error{"recipients.empty_file",
		"el archivo está vacío",
		"the file is empty"}
	ErrNotCSV = &Error{"recipients.not_csv",
		"el archivo no es un CSV; en Excel o LibreOffice use «Guardar como» y elija «CSV UTF-8 (delimitado por comas)»",
		"the file is not a CSV; in Excel or LibreOffice use “Save as” and choose “CSV UTF-8 (comma delimited)”"}
	ErrNoNUIColumn = &Error{"recipients.no_nui_column",
		"la primera fila debe ser el encabezado y tener una columna «cedula» (o «nui»)",
		"the first row must be the header and have a “cedula” (or “nui”) column"}
	ErrHeaderIsData = &Error{"recipients.header_is_data",
		"la primera fila contiene una cédula: agregue una fila de encabezado con los nombres de las columnas, por ejemplo «cedula;nombres»",
		"the first row holds an identity number: add a header row with the column names, for example “cedula;nombres”"}
	ErrDuplicateColumn = &Error{"recipients.duplicate_column",
		"el encabezado repite una columna",
		"the header repeats a column"}
	ErrTooManyColumns = &Error{"recipients.too_many_columns",
		"el archivo tiene demasiadas columnas",
		"the file has too many columns"}
	ErrTooManyRows = &Error{"recipients.too_many_rows",
		"el archivo tiene demasiadas filas; divídalo en varios envíos",
		"the file has too many rows; split it into several sendings"}
	ErrTooLarge = &Error{"recipients.too_large",
		"el archivo es demasiado grande",
		"the file is too large"}
	ErrEncoding = &Error{"recipients.encoding",
		"no se pudo leer el texto del archivo; guárdelo como «CSV UTF-8»",
		"the file's text could not be read; save it as “CSV UTF-8”"}
)

// Limits applied when Options leaves them zero.
const (
	DefaultMaxRows    = 100_000
	DefaultMaxBytes   = 32 << 20
	DefaultMaxColumns = 50
	DefaultMaxErrors  = 1000
	// maxValueBytes bounds one cell: names and references are short; a longer
	// value is a mistake (a whole text pasted into a cell).
	maxValueBytes = 500
)

// Options tunes ParseCSV. The zero value applies the defaults.
type Options struct {
	MaxRows    int   // data rows, header excluded; DefaultMaxRows if 0
	MaxBytes   int64 // size of the file as uploaded; DefaultMaxBytes if 0
	MaxColumns int   // DefaultMaxColumns if 0
	// MaxErrors bounds the problems reported one by one; the rest are only
	// counted (Result.ErrorsOmitted). DefaultMaxErrors if 0.
	MaxErrors int
	// Progress, if set, is called every ProgressEvery data rows and once at the
	// end with the number of rows read so far, from the calling goroutine.
	Progress      func(rowsDone int)
	ProgressEvery int // 1000 if 0
}

func (o Options) withDefaults() Options {
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxColumns <= 0 {
		o.MaxColumns = DefaultMaxColumns
	}
	if o.MaxErrors <= 0 {
		o.MaxErrors = DefaultMaxErrors
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 1000
	}
	return o
}

// Result is what a CSV yielded: the valid, distinct recipients in file order and
// the problems found. The sending may go ahead only when Errors is empty and
// ErrorsOmitted is zero — or, if the notifier so decides, with Entries alone.
type Result struct {
	Entries       []Entry
	Errors        []RowError
	ErrorsOmitted int      // problems beyond Options.MaxErrors
	Rows          int      // data rows read, empty ones not counted
	Columns       []string // names of the Vars, in file order
	Separator     rune     // ',', ';' or '\t'
	// Encoding is "UTF-8", "UTF-16", or "Windows-1252" when values were not
	// UTF-8 and were read as the encoding Excel uses on Windows.
	Encoding string
}
