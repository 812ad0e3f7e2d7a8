// Package nui validates Ecuadorian identity numbers: the cédula or N.U.I. (número único de
// identificación), which is a citizen's login and mailbox address, and the RUC of the
// institutions that send notifications.
//
// Validation is arithmetic only (length, province code, check digit); whether a person
// exists is for the civil registry to say. Refusals are *Error sentinels carrying a stable
// code, a Spanish sentence and its English twin.
package nui

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// NUI is a syntactically valid cédula: ten ASCII digits with a known province code and a
// matching módulo 10 check digit. Obtain one from Parse; the zero value means "none".
type NUI string

// Parse validates a cédula typed by a person or received from another system. Surrounding
// spaces are ignored, and so is a hyphen before the check digit as printed on the card
// ("171430710-3"). Refusals are ErrEmpty, ErrNotDigits, ErrLength, ErrProvince and
// ErrCheckDigit, returned unwrapped so their text can be shown as is.
//
// A third digit of 6 is accepted: it occurs on real cédulas, and the registry lookup is
// the authority on whether the number was issued.
func Parse(s string) (NUI, error) {
	s = strings.TrimSpace(s)
	if len(s) == 11 && s[9] == '-' {
		s = s[:9] + s[10:]
	}
	if s == "" {
		return "", ErrEmpty
	}
	if !allDigits(s) {
		return "", ErrNotDigits
	}
	if len(s) != 10 {
		return "", ErrLength
	}
	if !validProvince(province(s)) {
		return "", ErrProvince
	}
	if checkDigit10(s[:9]) != int(s[9]-'0') {
		return "", ErrCheckDigit
	}
	return NUI(s), nil
}

// String returns the ten digits, the canonical form stored and compared everywhere.
func (n NUI) String() string { return string(n) }

// IsZero reports whether n is the zero value, i.e. no cédula.
func (n NUI) IsZero() bool { return n == "" }

// Province returns the province code in the first two digits (1–24, or 30 for cédulas
// issued abroad), or 0 if n is not a ten-digit number.
func (n NUI) Province() int {
	if len(n) != 10 || !allDigits(string(n)) {
		return 0
	}
	return province(string(n))
}

// Masked returns the cédula with all but the first two and last two digits hidden
// ("17******03"), for places that must identify a person without exposing the number,
// such as logs and confirmation screens. It returns "" for a malformed value.
func (n NUI) Masked() string {
	if len(n) != 10 {
		return ""
	}
	return string(n[:2]) + "******" + string(n[8:])
}

// MarshalText encodes the cédula as its ten digits.
func (n NUI) MarshalText() ([]byte, error) { return []byte(n), nil }

// UnmarshalText parses the cédula with Parse, so decoding JSON or form values validates it.
func (n *NUI) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*n = v
	return nil
}

// New builds the cédula of a province and a seven-digit serial (the third to ninth digits),
// appending the check digit. It serves generators and tests that need a particular number.
func New(province, serial int) (NUI, error) {
	if !validProvince(province) {
		return "", ErrProvince
	}
	if serial < 0 || serial > 9_999_999 {
		return "", fmt.Errorf("serial %d outside 0–9999999: %w", serial, ErrLength)
	}
	body := fmt.Sprintf("%02d%07d", province, serial)
	return NUI(body + string(rune('0'+checkDigit10(body)))), nil
}

// Generate returns a random valid cédula of the given province with a third digit 0–5, as
// natural persons' cédulas have; it is for synthetic registries, tests and benchmarks.
// It panics if province is not 1–24 or 30, which is a programming error.
func Generate(r *rand.Rand, province int) NUI {
	serial := r.IntN(6_000_000) // third digit 0–5, then six free digits
	n, err := New(province, serial)
	if err != nil {
		panic(fmt.Sprintf("nui.Generate: province %d: %v", province, err))
	}
	return n
}

// Provinces lists the valid province codes: 1–24 (the provinces, in the Registro Civil's
// numbering) and 30 (Ecuadorians registered abroad).
func Provinces() []int {
	p := make([]int, 0, 25)
	for i := 1; i <= 24; i++ {
		p = append(p, i)
	}
	return append(p, 30)
}

func validProvince(p int) bool { return (p >= 1 && p <= 24) || p == 30 }

// province reads the first two digits; s must start with two ASCII digits.
func province(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkDigit10 computes the módulo 10 check digit of the first nine digits of a cédula:
// digits in even positions are doubled (minus 9 when over 9), then the check digit
// completes the sum to a multiple of ten.
func checkDigit10(nine string) int {
	sum := 0
	for i := 0; i < 9; i++ {
		v := int(nine[i] - '0')
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return (10 - sum%10) % 10
}
