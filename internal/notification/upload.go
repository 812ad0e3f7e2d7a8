package notification

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/jobs"
	"buzon/internal/recipients"
	"buzon/internal/store"
)

// A recipients file of more than InlineRows rows is not read within the
// request: StartUpload keeps it, a job checks it row by row while the
// notifier watches its progress, and, once he confirms, another job
// deposits it in chunks of Limits.DepositChunk recipients, one transaction
// each. The upload shares its id with the draft holding the send's content.

// InlineRows is the largest recipients file the web form reads within the
// request; a longer one goes through StartUpload.
const InlineRows = 2000

// UploadState is where a recipients file is in its life.
type UploadState string

// The states of an upload.
const (
	UploadChecking   UploadState = store.UploadChecking
	UploadChecked    UploadState = store.UploadChecked
	UploadRefused    UploadState = store.UploadRefused
	UploadDepositing UploadState = store.UploadDepositing
	UploadDone       UploadState = store.UploadDone
	UploadStopped    UploadState = store.UploadStopped
)

// Job kinds of uploads.
const (
	UploadCheckKind   = "notification.upload_check"
	UploadDepositKind = "notification.upload_deposit"
)

// Refusals of uploads.
var (
	ErrUploadWithList = newError("upload_with_list", "recipients",
		"Con un archivo de destinatarios tan grande, escriba todos los destinatarios en el archivo y deje vacía la lista.",
		"With a recipients file this large, put every recipient in the file and leave the list empty.")
	ErrUploadColumnMissing = newError("upload_column_missing", "recipients",
		"El texto usa un campo variable que no es una columna del archivo.", "The text uses a placeholder that is not a column of the file.")
	ErrUploadExpired = newError("upload_expired", "",
		"El envío caducó antes de revisarse; vuelva a redactarlo.", "The send expired before it was checked; compose it again.")
	ErrUploadFailed = newError("upload_failed", "",
		"El depósito se detuvo por un error del sistema; los destinatarios ya depositados conservan su notificación.",
		"The deposit stopped because of a system error; the recipients already deposited keep their notification.")
)

// UploadFile is a recipients file as received.
type UploadFile struct {
	Name string
	Body io.Reader
	Size int64 // as announced; the file is refused when larger than recipients.DefaultMaxBytes
}

// Upload is a recipients file checked and deposited in the background, as
// its notifier follows it.
type Upload struct {
	ID, InstitutionID, Filename string
	State                       UploadState
	Size, BytesRead             int64
	RowsRead, Entries, Checked  int
	Ready                       int // recipients who will receive it (checked, with an active buzón)
	Problems                    int // rows refused while checking
	Columns                     []string
	// Refusal says why the file was refused (UploadRefused) or why the
	// deposit stopped (UploadStopped); nil otherwise.
	Refusal                       *Error
	Processed, Deposited, Refused int
	CreatedAt, ConfirmedAt        time.Time
	FinishedAt                    time.Time
}

// Percent is how far the current work is, from 0 to 100: reading and
// checking the file, or depositing it.
func (u *Upload) Percent() int {
	switch u.State {
	case UploadChecking:
		read, checked := 0.0, 0.0
		if u.Size > 0 {
			read = float64(u.BytesRead) / float64(u.Size)
		}
		if u.Entries > 0 {
			checked = float64(u.Checked) / float64(u.Entries)
		}
		return clampPercent(int(50*read + 50*checked))
	case UploadDepositing:
		if u.Ready == 0 {
			return 0
		}
		return clampPercent(100 * u.Processed / u.Ready)
	case UploadChecked, UploadDone:
		return 100
	}
	return 0
}

// Pending is how many recipients who were to receive the send have not
// been processed: those left when a deposit stopped.
func (u *Upload) Pending() int { return max(0, u.Ready-u.Processed) }

func clampPercent(n int) int { return max(0, min(100, n)) }

// ReportRow is one line of an upload's report: refused while checking, or
// its outcome at the deposit.
type ReportRow struct {
	Line           int
	NUI            string // as written in the file
	Column         string // the column at fault, when one is
	Deposited      bool
	NotificationID string
	Reason         *Error // nil when deposited
}

// uploadSample is the first recipient who will receive the send, kept
// sealed for the preview.
type uploadSample struct {
	NUI    string
	Values RecipientValues
}

func (s *Service) depositChunk() int {
	if s.Limits.DepositChunk > 0 {
		return s.Limits.DepositChunk
	}
	return 1000
}

// uploadChunksPerRun bounds one run of the deposit job, well within its
// timeout; the job queues its continuation.
const uploadChunksPerRun = 20

// StartUpload keeps a send whose recipients are in a large file: the
// content is checked at once (CheckContent) and kept as a draft, the file
// is sealed in the blob store, and a job checks it row by row. It returns
// the draft's id, which is also the upload's. The attachments in in were
// stored with StoreDraftAttachment.
func (s *Service) StartUpload(ctx context.Context, p *identity.Principal, in Submission, file UploadFile) (string, error) {
	if _, err := staffRole(p, in.InstitutionID); err != nil {
		return "", err
	}
	var probs []*Error
	if len(in.Recipients) > 0 {
		probs = append(probs, ErrUploadWithList)
	}
	if in.Rectifies != "" {
		probs = append(probs, ErrRectifiesRecipient)
	}
	if err := s.CheckContent(&in, s.today()); err != nil {
		probs = append(probs, Problems(err)...)
	}
	if len(probs) > 0 {
		return "", &Invalid{Problems: probs}
	}
	if file.Size > recipients.DefaultMaxBytes {
		return "", recipients.ErrTooLarge
	}
	id := store.NewID()
	now := s.now()
	key := fmt.Sprintf("destinatarios/%04d/%02d/%s", now.Year(), int(now.Month()), id)
	if err := s.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.InsertComposeFile(ctx, &store.ComposeFile{BlobKey: key, InstitutionID: in.InstitutionID, OwnerID: id, CreatedAt: now})
	}); err != nil {
		return "", fmt.Errorf("start upload: %w", err)
	}
	info, err := s.Blobs.Put(ctx, key, io.LimitReader(file.Body, recipients.DefaultMaxBytes+1))
	if err != nil {
		return "", fmt.Errorf("start upload: %w", err)
	}
	if info.Size > recipients.DefaultMaxBytes {
		return "", recipients.ErrTooLarge
	}
	plain, err := json.Marshal(draftPayload{Submission: in, Info: DraftInfo{File: file.Name, Upload: true}})
	if err != nil {
		return "", fmt.Errorf("start upload: %w", err)
	}
	sealed, err := s.Keys.Seal(plain, []byte("draft:"+id))
	if err != nil {
		return "", fmt.Errorf("start upload: %w", err)
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SaveNotificationDraft(ctx, &store.NotificationDraft{ID: id, InstitutionID: in.InstitutionID,
			CreatedBy: p.ID, Payload: sealed, CreatedAt: now}, now.Add(-draftLifetime)); err != nil {
			return err
		}
		if err := tx.InsertRecipientUpload(ctx, &store.RecipientUpload{ID: id, InstitutionID: in.InstitutionID,
			CreatedBy: p.ID, Filename: file.Name, BlobKey: key, Size: info.Size, CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.OwnComposeFiles(ctx, id, attachmentKeys(in.Attachments)); err != nil {
			return err
		}
		_, err := jobs.Enqueue(ctx, tx, UploadCheckKind, uploadJob{UploadID: id}, now,
			jobs.Options{UniqueKey: "upload-check:" + id, MaxAttempts: 5})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("start upload: %w", err)
	}
	return id, nil
}

func attachmentKeys(list []Attachment) []string {
	keys := make([]string, len(list))
	for i, a := range list {
		keys[i] = a.BlobKey
	}
	return keys
}

type uploadJob struct {
	UploadID string `json:"upload_id"`
}

// Upload returns an upload of the institution to its author; anyone else's
// is ErrNotFound.
func (s *Service) Upload(ctx context.Context, p *identity.Principal, institutionID, id string) (*Upload, error) {
	u, err := s.upload(ctx, p, institutionID, id)
	if err != nil {
		return nil, err
	}
	return uploadOf(u), nil
}

func (s *Service) upload(ctx context.Context, p *identity.Principal, institutionID, id string) (*store.RecipientUpload, error) {
	if _, err := staffRole(p, institutionID); err != nil {
		return nil, err
	}
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	u, err := s.DB.Reader().RecipientUpload(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (u.InstitutionID != institutionID || u.CreatedBy != p.ID)) {
		return nil, ErrNotFound
	}
	return u, err
}

func uploadOf(u *store.RecipientUpload) *Upload {
	out := &Upload{ID: u.ID, InstitutionID: u.InstitutionID, Filename: u.Filename, State: UploadState(u.State),
		Size: u.Size, BytesRead: u.BytesRead, RowsRead: u.RowsRead, Entries: u.Entries, Checked: u.Checked, Ready: u.Ready,
		Problems: u.Problems, Processed: u.Processed, Deposited: u.Deposited, Refused: u.Refused,
		CreatedAt: u.CreatedAt, ConfirmedAt: u.ConfirmedAt, FinishedAt: u.FinishedAt}
	if u.Columns != "" {
		out.Columns = strings.Split(u.Columns, ",")
	}
	if u.ErrorCode != "" {
		out.Refusal = newError(u.ErrorCode, "", u.ErrorES, u.ErrorEN)
	}
	return out
}

// UploadProblems returns up to limit rows refused while checking an
// upload, in line order, for the preview.
func (s *Service) UploadProblems(ctx context.Context, p *identity.Principal, institutionID, id string, limit int) ([]ReportRow, error) {
	if _, err := s.upload(ctx, p, institutionID, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.Reader().UploadRows(ctx, id, store.UploadRowRefused, 0, limit)
	if err != nil {
		return nil, err
	}
	out := make([]ReportRow, 0, len(rows))
	for _, r := range rows {
		if r.Stage == store.UploadStageCheck {
			out = append(out, reportRowOf(r))
		}
	}
	return out, nil
}

func reportRowOf(r store.UploadRow) ReportRow {
	out := ReportRow{Line: r.Line, NUI: r.NUI, Column: r.Column, Deposited: r.Outcome == store.UploadDeposited,
		NotificationID: r.NotificationID}
	if !out.Deposited {
		out.Reason = newError(r.Code, "", r.ReasonES, r.ReasonEN)
	}
	return out
}

// UploadPreview renders the send for the first recipient of the file who
// will receive it, with his own values; ok is false when nobody will.
func (s *Service) UploadPreview(ctx context.Context, p *identity.Principal, institutionID, id string) (r Rendered, ok bool, err error) {
	u, err := s.upload(ctx, p, institutionID, id)
	if err != nil || len(u.Sample) == 0 {
		return Rendered{}, false, err
	}
	in, _, err := s.Draft(ctx, p, institutionID, id)
	if err != nil {
		return Rendered{}, false, err
	}
	plain, err := s.Keys.Open(u.Sample, []byte("upload-sample:"+id))
	if err != nil {
		return Rendered{}, false, fmt.Errorf("upload preview: %w", err)
	}
	var sample uploadSample
	if err := json.Unmarshal(plain, &sample); err != nil {
		return Rendered{}, false, fmt.Errorf("upload preview: %w", err)
	}
	one := *in
	one.Recipients, one.PerRecipient = []string{sample.NUI}, []RecipientValues{sample.Values}
	r, err = s.RenderFor(ctx, &one, 0)
	return r, err == nil, err
}

// ConfirmUpload starts the deposit of a checked upload: in one transaction
// the draft is consumed, its content sealed into the upload and the
// deposit job queued. A second confirmation (a double click) changes
// nothing and is not an error.
func (s *Service) ConfirmUpload(ctx context.Context, p *identity.Principal, institutionID, id string) error {
	u, err := s.upload(ctx, p, institutionID, id)
	if err != nil {
		return err
	}
	switch UploadState(u.State) {
	case UploadDepositing, UploadDone, UploadStopped:
		return nil
	case UploadChecked:
	default:
		return ErrNotFound
	}
	if u.Ready == 0 {
		return ErrNoRecipients
	}
	in, info, err := s.Draft(ctx, p, institutionID, id)
	if err != nil {
		return err
	}
	if !info.Upload {
		return ErrNotFound
	}
	in.Actor = evidence.Actor{Kind: evidence.ActorStaff, ID: p.ID}
	plain, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("confirm upload: %w", err)
	}
	sealed, err := s.Keys.Seal(plain, []byte("upload:"+id))
	if err != nil {
		return fmt.Errorf("confirm upload: %w", err)
	}
	now := s.now()
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.DeleteNotificationDraft(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			return nil // confirmed a moment ago
		}
		if ok, err := tx.ConfirmUpload(ctx, id, p.ID, sealed, s.depositChunk(), now); err != nil || !ok {
			return err
		}
		_, err = jobs.Enqueue(ctx, tx, UploadDepositKind, uploadJob{UploadID: id}, now,
			jobs.Options{UniqueKey: "upload-deposit:" + id + ":0", MaxAttempts: 8})
		return err
	})
}

// ActionUploadReport is the audit log's name for downloading an upload's report.
const ActionUploadReport = "envio.descargar_informe"

// UploadReport writes an upload's per-recipient report as CSV (UTF-8 with
// a byte-order mark, for spreadsheets): every row refused while checking
// and every row's outcome at the deposit, in line order, with the reason
// in lang ("es" or "en"). The download is written to the audit log.
func (s *Service) UploadReport(ctx context.Context, p *identity.Principal, institutionID, id, lang string, w io.Writer) error {
	role, err := staffRole(p, institutionID)
	if err != nil {
		return err
	}
	if _, err := s.upload(ctx, p, institutionID, id); err != nil {
		return err
	}
	if err := s.DB.Write(ctx, func(tx *store.Tx) error {
		return identity.RecordAudit(ctx, tx, p, role, identity.AuditRecord{Action: ActionUploadReport,
			InstitutionID: institutionID, Detail: "envio " + id}, s.now())
	}); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if lang == "en" {
		cw.Write([]string{"line", "cedula", "outcome", "reason", "notification"})
	} else {
		cw.Write([]string{"linea", "cedula", "resultado", "motivo", "notificacion"})
	}
	after := 0
	for {
		rows, err := s.DB.Reader().UploadRows(ctx, id, "", after, 5000)
		if err != nil {
			return err
		}
		for _, r := range rows {
			outcome, reason := "depositada", ""
			if lang == "en" {
				outcome = "deposited"
			}
			if r.Outcome != store.UploadDeposited {
				outcome, reason = "rechazada", r.ReasonES
				if lang == "en" {
					outcome, reason = "refused", r.ReasonEN
				}
				if r.Column != "" {
					reason = r.Column + ": " + reason
				}
			}
			cw.Write([]string{strconv.Itoa(r.Line), csvSafe(r.NUI), outcome, csvSafe(reason), r.NotificationID})
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if len(rows) < 5000 {
			return nil
		}
		after = rows[len(rows)-1].Line
	}
}

// csvOptions are the options every read of an upload uses, so that the
// check and the deposit see the same entries in the same order.
func csvOptions(progress func(int)) recipients.Options {
	return recipients.Options{MaxErrors: recipients.DefaultMaxRows, Progress: progress, ProgressEvery: 2000}
}

// countingReader counts the bytes read through it, for the progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
