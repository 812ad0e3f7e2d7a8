package nui

import "strings"

// Kind is the kind of taxpayer a RUC belongs to, told by its third digit. Institutions
// register with a RUC; one that is not a public body's is flagged for MINTEL's review.
type Kind int

// The kinds of RUC. The zero Kind is not a valid one.
const (
	KindNatural Kind = iota + 1 // a natural person: a cédula plus an establishment number
	KindPublic                  // a public body: third digit 6
	KindCompany                 // a private company: third digit 9
)

// String returns the kind's stable English name ("natural", "public", "company"), for
// storage, logs and the API.
func (k Kind) String() string {
	switch k {
	case KindNatural:
		return "natural"
	case KindPublic:
		return "public"
	case KindCompany:
		return "company"
	}
	return "unknown"
}

// Spanish returns the kind as the UI names it in Spanish.
func (k Kind) Spanish() string {
	switch k {
	case KindNatural:
		return "persona natural"
	case KindPublic:
		return "entidad del sector público"
	case KindCompany:
		return "sociedad privada"
	}
	return "desconocido"
}

// RUC is a validated Registro Único de Contribuyentes number. Obtain one from ParseRUC.
type RUC struct {
	number string

	// Kind is the taxpayer kind told by the third digit and the check that passed.
	Kind Kind

	// Warning is ErrRUCCheckDigit when a company RUC fails módulo 11: some real company
	// RUCs do, so the number is accepted and the warning is shown for a person to review.
	// It is nil otherwise.
	Warning error
}

// String returns the thirteen digits.
func (r RUC) String() string { return r.number }

// IsZero reports whether r is the zero value, i.e. no RUC.
func (r RUC) IsZero() bool { return r.number == "" }

// NUI returns the cédula inside a natural person's RUC, and false for other kinds.
func (r RUC) NUI() (NUI, bool) {
	if r.Kind != KindNatural {
		return "", false
	}
	return NUI(r.number[:10]), true
}

// ParseRUC validates a RUC typed by a person, ignoring surrounding spaces. Its kind comes
// from the third digit:
//
//   - 0–5: a natural person: a valid cédula followed by an establishment number other than 000;
//   - 6: a public body: módulo 11 with weights 3,2,7,6,5,4,3,2 on the first eight digits, the
//     ninth is the check digit and the four after it (the establishment) are not 0000. As
//     cédulas with a third digit 6 exist, a number failing that check but being a valid
//     natural-person RUC is accepted as one;
//   - 9: a private company: módulo 11 with weights 4,3,2,7,6,5,4,3,2 on the first nine digits,
//     the tenth is the check digit, the establishment is not 000. A failing check digit is
//     returned in RUC.Warning, not as an error.
//
// Refusals are the ErrRUC* sentinels, returned unwrapped.
func ParseRUC(s string) (RUC, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return RUC{}, ErrRUCEmpty
	case !allDigits(s):
		return RUC{}, ErrRUCNotDigits
	case len(s) != 13:
		return RUC{}, ErrRUCLength
	case !validProvince(province(s)):
		return RUC{}, ErrRUCProvince
	}
	switch s[2] {
	case '9':
		if s[10:] == "000" {
			return RUC{}, ErrRUCEstablishment
		}
		r := RUC{number: s, Kind: KindCompany}
		if checkDigit11(s[:9], companyWeights) != int(s[9]-'0') {
			r.Warning = ErrRUCCheckDigit
		}
		return r, nil
	case '6':
		pubCheck := checkDigit11(s[:8], publicWeights) == int(s[8]-'0')
		pubEst := s[9:] != "0000"
		if pubCheck && pubEst {
			return RUC{number: s, Kind: KindPublic}, nil
		}
		natCheck := checkDigit10(s[:9]) == int(s[9]-'0')
		natEst := s[10:] != "000"
		if natCheck && natEst {
			return RUC{number: s, Kind: KindNatural}, nil
		}
		if pubCheck || natCheck {
			return RUC{}, ErrRUCEstablishment
		}
		return RUC{}, ErrRUCCheckDigit
	case '7', '8':
		return RUC{}, ErrRUCType
	default: // 0–5
		if checkDigit10(s[:9]) != int(s[9]-'0') {
			return RUC{}, ErrRUCCheckDigit
		}
		if s[10:] == "000" {
			return RUC{}, ErrRUCEstablishment
		}
		return RUC{number: s, Kind: KindNatural}, nil
	}
}

var (
	publicWeights  = []int{3, 2, 7, 6, 5, 4, 3, 2}
	companyWeights = []int{4, 3, 2, 7, 6, 5, 4, 3, 2}
)

// checkDigit11 computes a módulo 11 check digit: 11 minus the weighted sum's remainder, 0
// when the remainder is 0. A remainder of 1 would need the digit 10, which no RUC can
// carry; -1 is returned so that no digit matches.
func checkDigit11(digits string, weights []int) int {
	sum := 0
	for i, w := range weights {
		sum += int(digits[i]-'0') * w
	}
	switch r := sum % 11; r {
	case 0:
		return 0
	case 1:
		return -1
	default:
		return 11 - r
	}
}
