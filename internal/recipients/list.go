package recipients

import (
	"strings"
	"unicode"
)

// ParseList reads cédulas pasted into a form field: separated by spaces,
// commas, semicolons or line breaks, optionally quoted. It returns the valid,
// distinct ones in order and a problem for each other value (Line is the line of
// the pasted text). At most DefaultMaxRows values are read.
func ParseList(s string) ([]Entry, []RowError) {
	var entries []Entry
	var errs []RowError
	seen := map[string]int{}
	count := 0
	for i, text := range strings.Split(s, "\n") {
		line := i + 1
		for _, tok := range strings.FieldsFunc(text, isListSep) {
			tok = cleanValue(strings.Trim(tok, `"'`))
			if tok == "" {
				continue
			}
			if count++; count > DefaultMaxRows {
				return entries, append(errs, rowError(line, "", "", probTooMany))
			}
			n, p := checkNUI(tok)
			if p != nil {
				errs = append(errs, rowError(line, "", tok, *p))
				continue
			}
			if first, dup := seen[string(n)]; dup {
				errs = append(errs, rowError(line, "", tok, duplicateProblem(first)))
				continue
			}
			seen[string(n)] = line
			entries = append(entries, Entry{NUI: n, Line: line})
		}
	}
	return entries, errs
}

// isListSep reports a separator between pasted values, including the
// no-break spaces copied from web pages and documents.
func isListSep(r rune) bool {
	return r == ',' || r == ';' || r == '|' || unicode.IsSpace(r)
}

func rowError(line int, column, value string, p problem) RowError {
	return RowError{Line: line, Column: column, Value: shorten(value), Code: p.code, Message: p.spanish, English: p.english}
}
