package identity

import (
	"context"
	"fmt"

	"buzon/internal/store"
)

// Languages a person may choose for the emails Buzón sends him; the first
// is the default.
var Languages = []string{"es", "en"}

// ErrLanguageUnknown refuses a language Buzón does not write emails in.
var ErrLanguageUnknown = &Error{"identity.language_unknown", "language",
	"Elija español o inglés.", "Choose Spanish or English."}

// EmailLanguage returns the language of p's emails: the one he chose, or
// "es" when he chose none.
func (s *Service) EmailLanguage(ctx context.Context, p *Principal) (string, error) {
	if p == nil || p.IsSystem() || p.ID == "" {
		return "", ErrNoSession
	}
	lang, err := s.db.Reader().IdentityLanguage(ctx, p.ID)
	if err != nil {
		return "", fmt.Errorf("email language: %w", err)
	}
	if lang == "" {
		lang = Languages[0]
	}
	return lang, nil
}

// SetEmailLanguage stores the language p wants his alerts and reminders in.
// It is a preference of his own, not an administrative act, so it is not
// written to the staff audit log.
func (s *Service) SetEmailLanguage(ctx context.Context, p *Principal, lang string) error {
	if p == nil || p.IsSystem() || p.ID == "" {
		return ErrNoSession
	}
	known := false
	for _, l := range Languages {
		known = known || l == lang
	}
	if !known {
		return ErrLanguageUnknown
	}
	return s.db.Write(ctx, func(tx *store.Tx) error { return tx.SetIdentityLanguage(ctx, p.ID, lang, s.Now()) })
}
