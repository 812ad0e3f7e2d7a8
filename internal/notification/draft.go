package notification

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/store"
)

// draftLifetime is how long a send waits for its confirmation.
const draftLifetime = 24 * time.Hour

// RowProblem is a recipient row refused while reading the list (a malformed
// cédula, a repeat), kept with the draft for its preview.
type RowProblem struct {
	Line    int
	Value   string
	Code    string
	Spanish string
	English string
}

// DraftInfo is what the preview shows besides the submission: where each
// recipient came from and the rows refused while reading the list.
type DraftInfo struct {
	Lines    []int // Lines[i] is the line of Recipients[i] in the pasted text or the file
	Problems []RowProblem
	File     string // the recipients file's name, if any
	// Upload marks a send whose recipients file is checked and deposited
	// in the background: the upload has the draft's id (see StartUpload).
	Upload bool `json:",omitempty"`
}

type draftPayload struct {
	Submission Submission
	Info       DraftInfo
}

// SaveDraft keeps a checked submission until its sender confirms it (the
// web form's preview step), sealed, and returns its id. Attachments were
// stored already, so confirming does not upload them again.
func (s *Service) SaveDraft(ctx context.Context, p *identity.Principal, in Submission, info DraftInfo) (string, error) {
	if _, err := staffRole(p, in.InstitutionID); err != nil {
		return "", err
	}
	if err := s.Check(&in, s.today()); err != nil {
		return "", err
	}
	id := store.NewID()
	plain, err := json.Marshal(draftPayload{Submission: in, Info: info})
	if err != nil {
		return "", fmt.Errorf("save draft: %w", err)
	}
	sealed, err := s.Keys.Seal(plain, []byte("draft:"+id))
	if err != nil {
		return "", fmt.Errorf("save draft: %w", err)
	}
	now := s.now()
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SaveNotificationDraft(ctx, &store.NotificationDraft{ID: id, InstitutionID: in.InstitutionID, CreatedBy: p.ID,
			Payload: sealed, CreatedAt: now}, now.Add(-draftLifetime)); err != nil {
			return err
		}
		return tx.OwnComposeFiles(ctx, id, attachmentKeys(in.Attachments))
	})
	return id, err
}

// Draft returns a draft its author saved for the institution; anyone
// else's, or an expired one, is ErrNotFound.
func (s *Service) Draft(ctx context.Context, p *identity.Principal, institutionID, id string) (*Submission, *DraftInfo, error) {
	if _, err := staffRole(p, institutionID); err != nil {
		return nil, nil, err
	}
	if !ValidID(id) {
		return nil, nil, ErrNotFound
	}
	d, err := s.DB.Reader().NotificationDraftByID(ctx, id, institutionID, p.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && s.now().Sub(d.CreatedAt) > draftLifetime) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	plain, err := s.Keys.Open(d.Payload, []byte("draft:"+id))
	if err != nil {
		return nil, nil, fmt.Errorf("open draft: %w", err)
	}
	var dp draftPayload
	if err := json.Unmarshal(plain, &dp); err != nil {
		return nil, nil, fmt.Errorf("open draft: %w", err)
	}
	return &dp.Submission, &dp.Info, nil
}

// SendDraft deposits a draft and deletes it, in one transaction: a second
// confirmation (a double click, a reload) finds nothing and sends nothing.
// A draft whose recipients are in a large file is confirmed with
// ConfirmUpload instead.
func (s *Service) SendDraft(ctx context.Context, p *identity.Principal, institutionID, id string) (Result, error) {
	in, info, err := s.Draft(ctx, p, institutionID, id)
	if err != nil {
		return Result{}, err
	}
	if info.Upload {
		return Result{}, ErrNotFound // its recipients are in a file: ConfirmUpload
	}
	var res Result
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.DeleteNotificationDraft(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		in.Actor = evidence.Actor{Kind: evidence.ActorStaff, ID: p.ID}
		res, err = s.Deposit(ctx, tx, *in, s.now())
		return err
	})
	return res, err
}
