package session

import (
	"errors"
	"net/http"
	"unicode"

	"buzon/internal/identity"
	"buzon/internal/web/i18n"
)

// Message is the sentence to show a person for a refusal from the domain
// (identity, nui, registry, eligibility…), in the request's language, and
// false for an error that is not meant for people (to log as a server
// error instead).
func Message(r *http.Request, err error) (string, bool) {
	var c identity.Coded
	if !errors.As(err, &c) {
		return "", false
	}
	msg := c.Error()
	if i18n.Lang(r) == i18n.English {
		msg = c.English()
	}
	return capitalize(msg), true
}

// capitalize starts a sentence with a capital letter (some packages write
// their refusals as clauses, "la cédula…") and ends it with a full stop.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	if last := r[len(r)-1]; last != '.' && last != '?' && last != '!' {
		r = append(r, '.')
	}
	return string(r)
}
