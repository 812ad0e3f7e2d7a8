package richtext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is a refusal with a stable code, a Spanish sentence (its Error text) and
// an English twin, like nui.Error.
type Error struct {
	code    string
	spanish string
	english string
}

// Error returns the Spanish sentence.
func (e *Error) Error() string { return e.spanish }

// Code returns the stable identifier of the refusal ("richtext.too_long").
func (e *Error) Code() string { return e.code }

// English returns the refusal in English.
func (e *Error) English() string { return e.english }

// Refusals of Validate; compare with errors.Is (a refusal tied to a place in the
// text comes as a *PositionError wrapping one of these).
var (
	ErrEmpty = &Error{"richtext.empty",
		"escriba el texto de la notificación",
		"write the text of the notification"}
	ErrTooLong = &Error{"richtext.too_long",
		fmt.Sprintf("el texto es demasiado largo: el máximo es %d KB; envíe el contenido extenso como anexo PDF", MaxBytes>>10),
		fmt.Sprintf("the text is too long: the maximum is %d KB; send long content as a PDF attachment", MaxBytes>>10)}
	ErrEncoding = &Error{"richtext.encoding",
		"el texto contiene caracteres no válidos (no es UTF-8); cópielo de nuevo desde el documento original",
		"the text contains invalid characters (it is not UTF-8); copy it again from the original document"}
	ErrControl = &Error{"richtext.control",
		"el texto contiene un carácter de control invisible; bórrelo o escriba el texto de nuevo en ese punto",
		"the text contains an invisible control character; delete it or retype the text at that point"}
	ErrBidi = &Error{"richtext.bidi",
		"el texto contiene un carácter invisible que invierte la dirección del texto y puede ocultar su contenido real; bórrelo",
		"the text contains an invisible character that reverses the text direction and can disguise its real content; delete it"}
)

// PositionError places a refusal in the text, so the form can say where.
type PositionError struct {
	Err  *Error
	Line int  // 1-based
	Rune rune // the offending character
}

// Error returns the Spanish sentence with the line and character.
func (e *PositionError) Error() string {
	return fmt.Sprintf("línea %d: %s (%U)", e.Line, e.Err.spanish, e.Rune)
}

// English returns the refusal in English with the line and character.
func (e *PositionError) English() string {
	return fmt.Sprintf("line %d: %s (%U)", e.Line, e.Err.english, e.Rune)
}

// Code returns the wrapped refusal's code.
func (e *PositionError) Code() string { return e.Err.code }

// Unwrap returns the refusal, for errors.Is.
func (e *PositionError) Unwrap() error { return e.Err }

// Validate checks a body before it is stored: not empty, at most MaxBytes, valid
// UTF-8, and free of control characters (tab and line breaks apart) and of the
// invisible bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E,
// U+200F, U+061C) that can make a text read differently from what it says.
// Those are refused rather than silently removed: what the institution signs
// must be exactly what it sent.
func Validate(src string) error {
	if len(src) > MaxBytes {
		return ErrTooLong
	}
	if !utf8.ValidString(src) {
		return ErrEncoding
	}
	if strings.TrimSpace(src) == "" {
		return ErrEmpty
	}
	line := 1
	for _, r := range src {
		if r == '\n' {
			line++
			continue
		}
		if err := forbidden(r); err != nil {
			return &PositionError{Err: err, Line: line, Rune: r}
		}
	}
	return nil
}

// forbidden says why r may not appear in a body, or nil. "\r" is allowed here
// because Normalize turns it into a line break.
func forbidden(r rune) *Error {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return nil
	case r == '\u202a' || r == '\u202b' || r == '\u202c' || r == '\u202d' || r == '\u202e',
		r >= '\u2066' && r <= '\u2069', r == '\u200e' || r == '\u200f' || r == '\u061c':
		return ErrBidi
	case unicode.Is(unicode.Cc, r), r == '\ufeff', r >= 0xfff9 && r <= 0xfffb:
		return ErrControl
	}
	return nil
}
