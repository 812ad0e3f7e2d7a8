package notification

import (
	"slices"

	"buzon/internal/mail"
)

// emailLanguage is the language of a citizen's alerts and reminders: the
// one he chose on his preferences page if emails are written in it, else
// the default.
func emailLanguage(chosen string) string {
	if slices.Contains(mail.Languages, chosen) {
		return chosen
	}
	return mail.DefaultLanguage
}
