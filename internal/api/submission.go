package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"buzon/internal/apikey"
	"buzon/internal/calendar"
	"buzon/internal/evidence"
	"buzon/internal/filetype"
	"buzon/internal/notification"
	"buzon/internal/nui"
	"buzon/internal/store"
)

// notificationRequest is the body of POST /notifications and one item of
// a batch.
type notificationRequest struct {
	Recipients []string      `json:"recipients"`
	Subject    string        `json:"subject"`
	Body       string        `json:"body"`
	Category   string        `json:"category,omitempty"`
	Reference  string        `json:"reference,omitempty"`
	Tramite    *tramiteJSON  `json:"tramite,omitempty"`
	Deadline   *deadlineJSON `json:"deadline,omitempty"`
	FileIDs    []string      `json:"file_ids,omitempty"`
	Rectifies  string        `json:"rectifies,omitempty"`
}

// tramiteJSON names the procedure a notification belongs to.
type tramiteJSON struct {
	Expediente string `json:"expediente"`
	Title      string `json:"title"`
}

// deadlineJSON is a deadline: N business days ("termino"), N calendar days
// ("plazo_days"), N months ("plazo_months"), or a date ("date").
type deadlineJSON struct {
	Kind  string `json:"kind"`
	Count int    `json:"count,omitempty"`
	Date  string `json:"date,omitempty"`
}

func (d *deadlineJSON) deadline() (calendar.Deadline, error) {
	if d == nil {
		return calendar.Deadline{}, nil
	}
	var k calendar.DeadlineKind
	if err := k.UnmarshalText([]byte(d.Kind)); err != nil || k == calendar.NoDeadline {
		return calendar.Deadline{}, notification.ErrDeadlineInvalid
	}
	out := calendar.Deadline{Kind: k, Count: d.Count}
	if k == calendar.FixedDate {
		date, err := calendar.ParseDate(d.Date)
		if err != nil || d.Count != 0 {
			return calendar.Deadline{}, notification.ErrDeadlineInvalid
		}
		out.Date = date
	} else if d.Date != "" {
		return calendar.Deadline{}, notification.ErrDeadlineInvalid
	}
	return out, nil
}

func deadlineOf(dl calendar.Deadline) *deadlineJSON {
	if dl.Kind == calendar.NoDeadline {
		return nil
	}
	d := &deadlineJSON{Kind: dl.Kind.String(), Count: dl.Count}
	if dl.Kind == calendar.FixedDate {
		d.Date, d.Count = dl.Date.String(), 0
	}
	return d
}

var errFileNotFound = &requestError{"file_not_found", "file_ids",
	"Uno de los anexos (file_ids) no existe: súbalo antes con POST /api/v1/files, con una clave del mismo modo.",
	"One of the attachments (file_ids) does not exist: upload it first with POST /api/v1/files, with a key of the same mode."}

var errFileRepeated = &requestError{"file_repeated", "file_ids",
	"Un anexo está repetido en file_ids.", "An attachment is repeated in file_ids."}

// submission turns a request into what the notification package deposits,
// resolving the uploaded files inside tx.
func submission(ctx context.Context, tx *store.Tx, cred *apikey.Credential, req *notificationRequest) (notification.Submission, error) {
	dl, err := req.Deadline.deadline()
	if err != nil {
		return notification.Submission{}, err
	}
	s := notification.Submission{
		InstitutionID: cred.InstitutionID,
		Actor:         evidence.Actor{Kind: evidence.ActorAPI, ID: cred.KeyID},
		Recipients:    req.Recipients,
		Subject:       req.Subject,
		Reference:     req.Reference,
		Body:          req.Body,
		Category:      notification.Category(req.Category),
		Deadline:      dl,
		Rectifies:     req.Rectifies,
	}
	if req.Tramite != nil {
		s.Expediente, s.TramiteTitle = req.Tramite.Expediente, req.Tramite.Title
	}
	seen := map[string]bool{}
	for _, id := range req.FileIDs {
		if seen[id] {
			return notification.Submission{}, errFileRepeated
		}
		seen[id] = true
		f, err := tx.APIFile(ctx, cred.InstitutionID, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && f.Mode != string(cred.Mode)) {
			return notification.Submission{}, errFileNotFound
		}
		if err != nil {
			return notification.Submission{}, fmt.Errorf("resolve file %s: %w", id, err)
		}
		s.Attachments = append(s.Attachments, notification.Attachment{Filename: f.Filename, Type: typeOf(f.TypeID, f.MediaType),
			Size: f.Size, SHA256: f.SHA256, BlobKey: f.BlobKey, CreatedAt: f.CreatedAt})
	}
	return s, nil
}

// typeOf finds the allowed file type with a stored id.
func typeOf(id, mime string) filetype.Type {
	for _, t := range filetype.AllowedTypes() {
		if t.ID == id {
			return t
		}
	}
	return filetype.Type{ID: id, MIME: mime}
}

// submissionResult answers a notification request: what happened to each
// recipient, in the order given.
type submissionResult struct {
	Mode         string            `json:"mode"`
	SubmissionID string            `json:"submission_id,omitempty"`
	DepositedAt  time.Time         `json:"deposited_at"`
	DueDate      string            `json:"due_date,omitempty"`
	Deposited    int               `json:"deposited"`
	Refused      int               `json:"refused"`
	Results      []recipientResult `json:"results"`
}

type recipientResult struct {
	Position         int    `json:"position"`
	Recipient        string `json:"recipient"`
	Status           string `json:"status"`
	NotificationID   string `json:"notification_id,omitempty"`
	VerificationCode string `json:"verification_code,omitempty"`
	Code             string `json:"code,omitempty"`
	Detail           string `json:"detail,omitempty"`
	DetailEN         string `json:"detail_en,omitempty"`
}

// resultOf lays a deposit's result out recipient by recipient.
func resultOf(mode apikey.Mode, in notification.Submission, res notification.Result) *submissionResult {
	out := &submissionResult{Mode: string(mode), SubmissionID: res.BatchID, DepositedAt: res.DepositedAt,
		Deposited: len(res.Deposited), Refused: len(res.Refused), Results: []recipientResult{}}
	if mode == apikey.Test {
		out.SubmissionID = ""
	}
	if !res.Due.IsZero() {
		out.DueDate = res.Due.String()
	}
	refused := map[int]notification.Refused{}
	for _, r := range res.Refused {
		refused[r.Position] = r
	}
	delivered := map[string]notification.Delivered{}
	for _, d := range res.Deposited {
		delivered[d.NUI.String()] = d
	}
	for i, raw := range in.Recipients {
		pos := i + 1
		if r, ok := refused[pos]; ok {
			out.Results = append(out.Results, recipientResult{Position: pos, Recipient: raw, Status: "refused",
				Code: r.Err.Code(), Detail: r.Err.Error(), DetailEN: r.Err.English()})
			continue
		}
		n, err := nui.Parse(strings.TrimSpace(raw))
		if err != nil {
			continue
		}
		if d, ok := delivered[n.String()]; ok {
			out.Results = append(out.Results, recipientResult{Position: pos, Recipient: raw, Status: "deposited",
				NotificationID: d.NotificationID, VerificationCode: d.VerificationCode})
			delete(delivered, n.String())
		}
	}
	return out
}

// deposit deposits a submission in tx — for real with a live key; with a
// test key inside a savepoint that is rolled back (so the answer is exactly
// the live one's), keeping only the sandbox's record of it.
func (h *API) deposit(ctx context.Context, tx *store.Tx, cred *apikey.Credential, in notification.Submission, now time.Time) (*submissionResult, error) {
	if cred.Mode != apikey.Test {
		res, err := h.o.Notifications.Deposit(ctx, tx, in, now)
		if err != nil {
			return nil, err
		}
		return resultOf(cred.Mode, in, res), nil
	}
	if err := tx.Savepoint(ctx, "sandbox"); err != nil {
		return nil, err
	}
	res, err := h.o.Notifications.Deposit(ctx, tx, in, now)
	if rerr := tx.RollbackTo(ctx, "sandbox"); rerr != nil {
		return nil, errors.Join(err, rerr)
	}
	if err != nil {
		return nil, err
	}
	out := resultOf(cred.Mode, in, res)
	atts, _ := json.Marshal(attachmentsOfSubmission(in.Attachments))
	var dl []byte
	if d := deadlineOf(in.Deadline); d != nil {
		dl, _ = json.Marshal(d)
	}
	for _, d := range res.Deposited {
		if err := tx.InsertSandboxNotification(ctx, &store.SandboxNotification{ID: d.NotificationID, InstitutionID: cred.InstitutionID,
			APIKeyID: cred.KeyID, RecipientNUI: d.NUI.String(), Subject: strings.TrimSpace(in.Subject), Reference: strings.TrimSpace(in.Reference),
			Category: string(categoryOr(in.Category)), Deadline: string(dl), DueDate: out.DueDate,
			VerificationCode: d.VerificationCode, Attachments: atts, CreatedAt: res.DepositedAt}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func categoryOr(c notification.Category) notification.Category {
	if c == "" {
		return notification.CategoryOther
	}
	return c
}

// attachmentJSON is an attachment as the API shows it.
type attachmentJSON struct {
	ID        string `json:"id,omitempty"`
	Filename  string `json:"filename"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
}

func attachmentsOfSubmission(as []notification.Attachment) []attachmentJSON {
	out := make([]attachmentJSON, len(as))
	for i, a := range as {
		out[i] = attachmentJSON{Filename: a.Filename, MediaType: a.Type.MIME, Size: a.Size, SHA256: a.SHA256}
	}
	return out
}
