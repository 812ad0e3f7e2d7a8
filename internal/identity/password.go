package identity

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// Password length bounds, in characters.
const (
	MinPasswordLength = 12
	// MaxPasswordLength bounds what a form may send to be hashed.
	MaxPasswordLength = 256
)

// DefaultPasswordParams are argon2id's parameters for new hashes: 64 MiB,
// one pass, two lanes (RFC 9106's second recommended option, with less
// memory). Hashes carry their parameters, so changing these later leaves
// existing passwords valid.
var DefaultPasswordParams = argon2id.Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}

//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords holds the embedded list, folded (lower case, no accents).
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordList))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m[fold(line)] = true
	}
	return m
}()

// PersonalData is what a password must not contain.
type PersonalData struct {
	NUI        string
	GivenNames string
	Surnames   string
	Email      string
}

// CheckPassword applies the password policy: at least MinPasswordLength
// characters, not one of the common passwords (nor one of them followed by
// digits or symbols, like "contraseña2024!"), not a run of one or two
// characters repeated, and free of the person's cédula, names and email.
// confirm must equal password.
func CheckPassword(password, confirm string, who PersonalData) error {
	if password == "" {
		return ErrPasswordEmpty
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLength {
		return ErrPasswordTooShort
	}
	if n > MaxPasswordLength || !utf8.ValidString(password) {
		return ErrPasswordTooLong
	}
	if isCommonPassword(password) {
		return ErrPasswordCommon
	}
	if containsPersonalData(password, who) {
		return ErrPasswordPersonal
	}
	if password != confirm {
		return ErrPasswordMismatch
	}
	return nil
}

func isCommonPassword(password string) bool {
	f := fold(password)
	if commonPasswords[f] {
		return true
	}
	// A common word with digits or symbols around it is still that word.
	base := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) })
	if len(base) >= 4 && commonPasswords[base] {
		return true
	}
	// "aaaaaaaaaaaa", "abababababab", "121212121212"…
	distinct := map[rune]bool{}
	for _, r := range f {
		distinct[r] = true
	}
	if len(distinct) <= 3 {
		return true
	}
	return isSequence(f)
}

// isSequence reports a run of consecutive characters, up or down, such as
// "123456789012" or "abcdefghijkl" (wrapping 9→0 for digits).
func isSequence(s string) bool {
	rs := []rune(s)
	up, down := true, true
	for i := 1; i < len(rs); i++ {
		d := rs[i] - rs[i-1]
		if !(d == 1 || (rs[i-1] == '9' && rs[i] == '0')) {
			up = false
		}
		if !(d == -1 || (rs[i-1] == '0' && rs[i] == '9')) {
			down = false
		}
	}
	return up || down
}

func containsPersonalData(password string, who PersonalData) bool {
	f := fold(password)
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, password)
	if len(who.NUI) >= 9 && (strings.Contains(digits, who.NUI[:9]) || strings.Contains(f, who.NUI[:9])) {
		return true
	}
	var words []string
	words = append(words, strings.Fields(who.GivenNames)...)
	words = append(words, strings.Fields(who.Surnames)...)
	if local, _, ok := strings.Cut(who.Email, "@"); ok {
		words = append(words, local)
	}
	for _, w := range words {
		w = fold(w)
		if utf8.RuneCountInString(w) >= 3 && strings.Contains(f, w) {
			return true
		}
	}
	return false
}

// fold lowers case and removes Spanish accents, so "Contraseña" and
// "CONTRASENA" compare equal.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch r = unicode.ToLower(r); r {
		case 'á', 'à', 'ä', 'â':
			return 'a'
		case 'é', 'è', 'ë', 'ê':
			return 'e'
		case 'í', 'ì', 'ï', 'î':
			return 'i'
		case 'ó', 'ò', 'ö', 'ô':
			return 'o'
		case 'ú', 'ù', 'ü', 'û':
			return 'u'
		case 'ñ':
			return 'n'
		}
		return r
	}, s)
}

// hashPassword hashes with argon2id.
func hashPassword(password string, params *argon2id.Params) (string, error) {
	h, err := argon2id.CreateHash(password, params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// verifyPassword compares a password with a stored hash; a malformed hash
// is an error, not a mismatch, so that it gets logged.
func verifyPassword(password, hash string) (bool, error) {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("verify password: %w", err)
	}
	return ok, nil
}
