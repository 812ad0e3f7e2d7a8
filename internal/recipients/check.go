package recipients

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"buzon/internal/nui"
)

// problem is a row's refusal before it is placed at a line and column.
type problem struct {
	code, spanish, english string
}

var (
	probMissing = problem{"recipients.missing_nui",
		"falta la cédula", "the identity number is missing"}
	probLeadingZero = problem{"recipients.leading_zero",
		"la cédula tiene 9 dígitos: la hoja de cálculo quitó el cero inicial; dé formato de texto a la columna y vuelva a escribirla",
		"the identity number has 9 digits: the spreadsheet dropped the leading zero; format the column as text and type it again"}
	probScientific = problem{"recipients.scientific",
		"la hoja de cálculo convirtió la cédula en un número en notación científica; dé formato de texto a la columna y vuelva a escribirla",
		"the spreadsheet turned the identity number into scientific notation; format the column as text and type it again"}
	probColumns = problem{"recipients.columns",
		"la fila tiene más columnas que el encabezado (¿un separador de más, o un valor con coma sin comillas?)",
		"the row has more columns than the header (an extra separator, or a value with a comma and no quotes?)"}
	probTooLong = problem{"recipients.too_long",
		fmt.Sprintf("el valor es demasiado largo (máximo %d caracteres)", maxValueBytes),
		fmt.Sprintf("the value is too long (at most %d characters)", maxValueBytes)}
	probQuotes = problem{"recipients.quotes",
		"comillas mal cerradas: un valor que lleva comillas debe ir entero entre comillas, y las comillas internas duplicadas (\"\")",
		"badly closed quotes: a value containing quotes must be wholly quoted, with inner quotes doubled (\"\")"}
	probTooMany = problem{"recipients.too_many",
		"demasiados destinatarios; divida el envío",
		"too many recipients; split the sending"}
)

func duplicateProblem(first int) problem {
	return problem{"recipients.duplicate",
		fmt.Sprintf("cédula repetida: ya aparece en la línea %d (se notificará una sola vez)", first),
		fmt.Sprintf("repeated identity number: already on line %d (it will be notified once)", first)}
}

// checkNUI validates a cédula as typed or exported, recognising the two ways
// spreadsheets mangle them so the message says how to fix the file.
func checkNUI(v string) (nui.NUI, *problem) {
	if v == "" {
		return "", &probMissing
	}
	n, err := nui.Parse(v)
	if err == nil {
		return n, nil
	}
	if len(v) == 9 && allDigits(v) {
		if _, err2 := nui.Parse("0" + v); err2 == nil {
			return "", &probLeadingZero
		}
	}
	if isScientific(v) {
		return "", &probScientific
	}
	var ne *nui.Error
	if errors.As(err, &ne) {
		return "", &problem{ne.Code(), ne.Error(), ne.English()}
	}
	return "", &problem{"nui.invalid", err.Error(), err.Error()}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isScientific recognises "1,71431E+09" or "1.71431E+09".
func isScientific(v string) bool {
	mant, exp, ok := strings.Cut(strings.ToUpper(v), "E+")
	if !ok || !allDigits(exp) {
		return false
	}
	mant = strings.Replace(mant, ",", ".", 1)
	whole, frac, _ := strings.Cut(mant, ".")
	return allDigits(whole) && (frac == "" || allDigits(frac))
}

// cleanValue trims a cell and drops control and invisible formatting
// characters, which have no place in a name or reference.
func cleanValue(v string) string {
	v = strings.TrimSpace(v)
	if strings.IndexFunc(v, func(r rune) bool { return unicode.In(r, unicode.Cc, unicode.Cf) }) < 0 {
		return v
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		if unicode.In(r, unicode.Cc, unicode.Cf) {
			return -1
		}
		return r
	}, v))
}

// shorten keeps a reported value readable.
func shorten(v string) string {
	const max = 100
	if len(v) <= max {
		return v
	}
	n := 0
	for i := range v {
		if n == max {
			return v[:i] + "…"
		}
		n++
	}
	return v
}
