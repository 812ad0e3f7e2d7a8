package notification

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"buzon/internal/identity"
	"buzon/internal/store"
)

// Template is an institution's reusable subject and body, with
// placeholders replaced for each recipient at deposit.
type Template = store.NotificationTemplate

// Templates lists an institution's templates, for its notifiers and its
// administrator.
func (s *Service) Templates(ctx context.Context, p *identity.Principal, institutionID string) ([]Template, error) {
	if _, err := staffRole(p, institutionID); err != nil {
		return nil, err
	}
	return s.DB.Reader().NotificationTemplates(ctx, institutionID)
}

// Template returns one of the institution's templates.
func (s *Service) Template(ctx context.Context, p *identity.Principal, institutionID, id string) (*Template, error) {
	list, err := s.Templates(ctx, p, institutionID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, ErrNotFound
}

// SaveTemplate creates (empty ID) or updates one of the institution's
// templates, after checking it like a submission's texts.
func (s *Service) SaveTemplate(ctx context.Context, p *identity.Principal, t Template) (*Template, error) {
	if _, err := staffRole(p, t.InstitutionID); err != nil {
		return nil, err
	}
	if t.ID != "" && !ValidID(t.ID) {
		return nil, ErrNotFound
	}
	t.Name = strings.TrimSpace(t.Name)
	var probs []*Error
	if t.Name == "" || utf8.RuneCountInString(t.Name) > 100 || !oneLine(t.Name) {
		probs = append(probs, ErrTemplateName)
	}
	sub := Submission{Recipients: []string{"-"}, Subject: t.Subject, Body: t.Body, Category: Category(t.Category)}
	if err := s.Check(&sub, s.today()); err != nil {
		probs = append(probs, Problems(err)...)
	}
	if len(probs) > 0 {
		return nil, &Invalid{Problems: probs}
	}
	t.Subject, t.Body, t.Category = sub.Subject, sub.Body, string(sub.Category)
	now := s.now()
	if t.ID == "" {
		t.CreatedBy, t.CreatedAt = p.ID, now
	}
	t.UpdatedAt = now
	err := s.DB.Write(ctx, func(tx *store.Tx) error { return tx.SaveNotificationTemplate(ctx, &t) })
	switch {
	case errors.Is(err, store.ErrDuplicate):
		return nil, ErrTemplateDuplicate
	case errors.Is(err, store.ErrNotFound):
		return nil, ErrNotFound
	case err != nil:
		return nil, err
	}
	return &t, nil
}

// DeleteTemplate removes one of the institution's templates.
func (s *Service) DeleteTemplate(ctx context.Context, p *identity.Principal, institutionID, id string) error {
	if _, err := staffRole(p, institutionID); err != nil {
		return err
	}
	if !ValidID(id) {
		return ErrNotFound
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error { return tx.DeleteNotificationTemplate(ctx, institutionID, id) })
}
