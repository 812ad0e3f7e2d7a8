package notification

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"buzon/internal/calendar"
	"buzon/internal/evidence"
	"buzon/internal/institution"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/nui"
	"buzon/internal/store"
)

// Submission is what an institution hands over to be notified: the same
// content for every recipient, placeholders aside (see PlaceholderNames).
type Submission struct {
	InstitutionID string
	// Actor is who submits: a notifier (evidence.ActorStaff with his
	// identity id) or an institution's system (evidence.ActorAPI with the
	// credential id).
	Actor evidence.Actor
	// Recipients are N.U.I.s as typed or uploaded; each is checked and
	// answered on its own in Result.
	Recipients []string
	Subject    string
	Reference  string // the institution's own reference, e.g. "SRI-2026-00123"; optional
	Body       string // rich text source (see internal/richtext)
	Category   Category
	Deadline   calendar.Deadline
	// Expediente and TramiteTitle name the trámite the notification belongs
	// to; both or neither.
	Expediente   string
	TramiteTitle string
	// Attachments come from StoreAttachment.
	Attachments []Attachment
	// Rectifies is the id of the notification this one corrects, or "".
	Rectifies string
	// PerRecipient is optional: when set, it has one entry per entry of
	// Recipients, in the same order, with that recipient's own reference
	// and placeholder values (from a recipients file, see ValuesOf). A
	// recipient whose entry lacks the value of a placeholder the texts use
	// is refused on his own (ErrPlaceholderValueMissing).
	PerRecipient []RecipientValues `json:",omitempty"`
}

// Delivered is a recipient whose notification was deposited.
type Delivered struct {
	NUI              nui.NUI
	NotificationID   string
	VerificationCode string
}

// Refused is a recipient for whom nothing was stored, and why.
type Refused struct {
	// Position is the recipient's place in Submission.Recipients, from 1.
	Position  int
	Recipient string // as given
	Err       *Error // ErrRecipientInvalid, ErrRecipientNotRegistered or ErrRecipientRepeated
}

// Result tells the sender what happened to each recipient.
type Result struct {
	BatchID     string // "" when nothing was deposited
	DepositedAt time.Time
	Due         calendar.Date // zero without a deadline
	Deposited   []Delivered
	Refused     []Refused
}

const (
	maxSubject    = 200
	maxReference  = 100
	maxBody       = 100_000
	maxExpediente = 60
	maxTitle      = 200
)

// Check validates a submission's content (not its recipients' buzones) and
// normalises it: trimmed texts, Unix line ends, the default category. It
// returns an *Invalid listing every problem, or nil.
func (s *Service) Check(in *Submission, today calendar.Date) error {
	return s.check(in, today, false)
}

// CheckContent is Check for a send whose recipients come from a file read
// later (see StartUpload): the recipients are not looked at, and any
// well-formed placeholder is accepted, since the file's columns are not
// known yet.
func (s *Service) CheckContent(in *Submission, today calendar.Date) error {
	return s.check(in, today, true)
}

func (s *Service) check(in *Submission, today calendar.Date, contentOnly bool) error {
	var probs []*Error
	add := func(e *Error) { probs = append(probs, e) }
	in.Subject = strings.TrimSpace(in.Subject)
	in.Reference = strings.TrimSpace(in.Reference)
	in.Body = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(in.Body, "\r\n", "\n"), "\r", "\n"))
	in.Expediente = strings.TrimSpace(in.Expediente)
	in.TramiteTitle = strings.TrimSpace(in.TramiteTitle)
	if in.Category == "" {
		in.Category = CategoryOther
	}
	lim := s.limits()

	unknown := func(text string) bool {
		if contentOnly {
			return !wellFormed(text)
		}
		return in.unknownPlaceholder(text) != ""
	}
	switch n := len(in.Recipients); {
	case contentOnly:
	case n == 0:
		add(ErrNoRecipients)
	case n > lim.MaxRecipients:
		add(ErrTooManyRecipients)
	case in.PerRecipient != nil && len(in.PerRecipient) != n:
		add(ErrRecipientValues)
	}
	switch {
	case in.Subject == "":
		add(ErrSubjectRequired)
	case utf8.RuneCountInString(in.Subject) > maxSubject:
		add(ErrSubjectTooLong)
	case !oneLine(in.Subject):
		add(withField(ErrTextInvalid, "subject"))
	case unknown(in.Subject):
		add(withField(ErrPlaceholderUnknown, "subject"))
	}
	switch {
	case utf8.RuneCountInString(in.Reference) > maxReference:
		add(ErrReferenceTooLong)
	case !oneLine(in.Reference):
		add(withField(ErrTextInvalid, "reference"))
	}
	switch {
	case in.Body == "":
		add(ErrBodyRequired)
	case utf8.RuneCountInString(in.Body) > maxBody:
		add(ErrBodyTooLong)
	case !utf8.ValidString(in.Body) || strings.ContainsFunc(in.Body, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		add(withField(ErrTextInvalid, "body"))
	case unknown(in.Body):
		add(ErrPlaceholderUnknown)
	case s.validateBody(in.Body) != nil:
		add(ErrBodyInvalid)
	}
	if !in.Category.Valid() {
		add(ErrCategoryUnknown)
	}
	if err := in.Deadline.Validate(); err != nil ||
		(in.Deadline.Kind == calendar.FixedDate && !in.Deadline.Date.After(today)) {
		add(ErrDeadlineInvalid)
	}
	if (in.Expediente == "") != (in.TramiteTitle == "") || utf8.RuneCountInString(in.Expediente) > maxExpediente ||
		utf8.RuneCountInString(in.TramiteTitle) > maxTitle || !oneLine(in.Expediente) || !oneLine(in.TramiteTitle) {
		add(ErrTramiteInvalid)
	}
	if len(in.Attachments) > lim.MaxAttachments {
		add(ErrTooManyAttachments)
	}
	var total int64
	for _, a := range in.Attachments {
		total += a.Size
		if a.BlobKey == "" || len(a.SHA256) != 64 {
			add(ErrAttachmentName)
		}
	}
	if total > lim.MaxTotalSize {
		add(ErrAttachmentsTooLarge)
	}
	if len(probs) > 0 {
		return &Invalid{Problems: probs}
	}
	return nil
}

func withField(e *Error, field string) *Error {
	c := *e
	c.field = field
	return &c
}

func oneLine(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// Recipient lists: each entry checked on its own.
type recipientCheck struct {
	valid   []nui.NUI
	refused []Refused
}

func checkRecipients(raw []string) recipientCheck {
	var rc recipientCheck
	seen := map[nui.NUI]bool{}
	for i, r := range raw {
		n, err := nui.Parse(strings.TrimSpace(r))
		switch {
		case err != nil:
			rc.refused = append(rc.refused, Refused{Position: i + 1, Recipient: r, Err: ErrRecipientInvalid})
		case seen[n]:
			rc.refused = append(rc.refused, Refused{Position: i + 1, Recipient: r, Err: ErrRecipientRepeated})
		default:
			seen[n] = true
			rc.valid = append(rc.valid, n)
		}
	}
	return rc
}

// AlertKind is the job kind that sends a notification's email alert.
const AlertKind = "notification.alert"

// alertPayload is the alert job: the rendered email, ready to send again
// unchanged after a crash.
type alertPayload struct {
	NotificationID string       `json:"notification_id"`
	Message        mail.Message `json:"message"`
}

// Deposit stores a submission in tx: for each recipient with an active
// buzón, the notification (body sealed), its submitted and deposited
// evidence events and its alert job; recipients without one (or with a
// malformed or repeated N.U.I.) are reported in Result.Refused and nothing
// is stored for them. It works inside any transaction — one per request,
// or one shared by many requests when commits are grouped — and does no
// I/O outside tx (attachments were stored before, by StoreAttachment).
// now is the deposit's instant: the legal moment of notification.
//
// A refusal of the whole submission (invalid content, an inactive
// institution, the daily quota) is returned as an error and stores
// nothing; the caller rolls tx back or simply does not use what Deposit
// did not write.
func (s *Service) Deposit(ctx context.Context, tx *store.Tx, in Submission, now time.Time) (Result, error) {
	now = now.UTC().Truncate(time.Microsecond)
	today := calendar.DateOf(now)
	if err := s.Check(&in, today); err != nil {
		return Result{}, err
	}
	inst, err := tx.InstitutionByID(ctx, in.InstitutionID)
	if errors.Is(err, store.ErrNotFound) {
		return Result{}, ErrInstitutionInactive
	}
	if err != nil {
		return Result{}, fmt.Errorf("deposit: %w", err)
	}
	if inst.State != string(institution.StateActive) {
		return Result{}, ErrInstitutionInactive
	}

	rc := checkRecipients(in.Recipients)
	nuis := make([]string, len(rc.valid))
	for i, n := range rc.valid {
		nuis[i] = n.String()
	}
	active, err := tx.ActiveRecipients(ctx, nuis)
	if err != nil {
		return Result{}, fmt.Errorf("deposit: %w", err)
	}
	byNUI := make(map[string]store.Recipient, len(active))
	for _, r := range active {
		byNUI[r.NUI] = r
	}
	res := Result{DepositedAt: now, Refused: rc.refused}
	var recipients []store.Recipient
	var positions []int // index in in.Recipients of each of recipients
	for i, raw := range in.Recipients {
		n, err := nui.Parse(strings.TrimSpace(raw))
		if err != nil {
			continue
		}
		if r, ok := byNUI[n.String()]; ok {
			delete(byNUI, n.String()) // a repeat was refused above
			if e := in.rowProblem(i); e != nil {
				res.Refused = append(res.Refused, Refused{Position: i + 1, Recipient: raw, Err: e})
				continue
			}
			recipients = append(recipients, r)
			positions = append(positions, i)
			continue
		}
		if !refusedAt(rc.refused, i+1) {
			res.Refused = append(res.Refused, Refused{Position: i + 1, Recipient: raw, Err: ErrRecipientNotRegistered})
		}
	}
	sortRefused(res.Refused)

	var old *store.Notification
	if in.Rectifies != "" {
		if old, err = s.rectifiable(ctx, tx, in, recipients); err != nil {
			return Result{}, err
		}
	}
	if len(recipients) == 0 {
		return res, nil
	}
	if err := s.checkQuota(ctx, tx, inst, today, len(recipients)); err != nil {
		return Result{}, err
	}
	cal, err := s.Calendars.CurrentIn(ctx, tx)
	if err != nil {
		return Result{}, fmt.Errorf("deposit: %w", err)
	}
	if due, ok := cal.Due(now, in.Deadline); ok {
		res.Due = due
	}

	var tramiteID string
	if in.Expediente != "" {
		t, err := tx.EnsureTramite(ctx, inst.ID, in.Expediente, in.TramiteTitle, now)
		if err != nil {
			return Result{}, fmt.Errorf("deposit: %w", err)
		}
		tramiteID = t.ID
	}
	batch := &store.NotificationBatch{InstitutionID: inst.ID, ActorKind: string(in.Actor.Kind), ActorID: in.Actor.ID,
		Recipients: len(in.Recipients), Deposited: len(recipients), CreatedAt: now}
	if err := tx.InsertNotificationBatch(ctx, batch); err != nil {
		return Result{}, fmt.Errorf("deposit: %w", err)
	}
	res.BatchID = batch.ID
	attHashes := make([]string, len(in.Attachments))
	for i, a := range in.Attachments {
		if err := tx.InsertNotificationAttachment(ctx, &store.NotificationAttachment{
			BatchID: batch.ID, Position: i + 1, Filename: a.Filename, TypeID: a.Type.ID, MediaType: a.Type.MIME,
			Size: a.Size, SHA256: a.SHA256, BlobKey: a.BlobKey, CreatedAt: now,
		}); err != nil {
			return Result{}, fmt.Errorf("deposit: %w", err)
		}
		attHashes[i] = a.SHA256
		// The blob is now the deposited notifications': never cleaned up.
		if err := tx.ForgetComposeFile(ctx, a.BlobKey); err != nil {
			return Result{}, fmt.Errorf("deposit: %w", err)
		}
	}

	dk, dc, dd := deadlineColumns(in.Deadline)
	for k, r := range recipients {
		vals := in.valuesFor(positions[k], r, inst.Name, today)
		subject, err := expand(in.Subject, vals)
		if err != nil {
			return Result{}, err
		}
		body, err := expand(in.Body, vals)
		if err != nil {
			return Result{}, err
		}
		id := store.NewID()
		sealed, err := s.Keys.Seal([]byte(body), []byte(id))
		if err != nil {
			return Result{}, fmt.Errorf("deposit: seal body: %w", err)
		}
		sum := sha256.Sum256([]byte(body))
		n := &store.Notification{
			ID: id, BatchID: batch.ID, InstitutionID: inst.ID, InstitutionName: inst.Name,
			RecipientID: r.ID, RecipientNUI: r.NUI, Subject: subject, Reference: vals.Reference, Category: string(in.Category),
			BodySealed: sealed, BodySHA256: hex.EncodeToString(sum[:]),
			SearchText: fold(strings.Join([]string{subject, vals.Reference, in.Expediente, in.TramiteTitle}, " ")),
			TramiteID:  tramiteID, RectifiesID: in.Rectifies,
			DeadlineKind: dk, DeadlineCount: dc, DeadlineDate: dd, DueDate: res.Due.String(),
			VerificationCode: NewVerificationCode(), ActorKind: string(in.Actor.Kind), ActorID: in.Actor.ID,
			DepositedAt: now, DepositDay: today.String(),
		}
		if err := tx.InsertNotification(ctx, n); err != nil {
			return Result{}, fmt.Errorf("deposit: %w", err)
		}
		base := evidence.Event{NotificationID: id, InstitutionID: inst.ID, RecipientNUI: nui.NUI(r.NUI),
			ContentSHA256: n.BodySHA256, AttachmentSHA256: attHashes, Time: now}
		submitted := base
		submitted.Type, submitted.Actor = evidence.Submitted, in.Actor
		submitted.Details = map[string]string{"batch_id": batch.ID, "verification_code": n.VerificationCode}
		if in.Rectifies != "" {
			submitted.Details["rectifies"] = in.Rectifies
		}
		if res.Due != (calendar.Date{}) {
			submitted.Details["due_date"] = res.Due.String()
		}
		deposited := base
		deposited.Type, deposited.Actor = evidence.Deposited, evidence.System
		for _, e := range []evidence.Event{submitted, deposited} {
			if _, err := evidence.Record(ctx, tx, e); err != nil {
				return Result{}, fmt.Errorf("deposit: %w", err)
			}
		}
		if err := s.enqueueAlert(ctx, tx, n, r, now); err != nil {
			return Result{}, err
		}
		if old != nil {
			if _, err := evidence.Record(ctx, tx, evidence.Event{Type: evidence.Rectified, Time: now, Actor: in.Actor,
				NotificationID: old.ID, InstitutionID: old.InstitutionID, RecipientNUI: nui.NUI(old.RecipientNUI),
				ContentSHA256: old.BodySHA256, Details: map[string]string{"rectified_by": id}}); err != nil {
				return Result{}, fmt.Errorf("deposit: %w", err)
			}
		}
		res.Deposited = append(res.Deposited, Delivered{NUI: nui.NUI(r.NUI), NotificationID: id, VerificationCode: n.VerificationCode})
	}
	return res, nil
}

func refusedAt(list []Refused, pos int) bool {
	for _, r := range list {
		if r.Position == pos {
			return true
		}
	}
	return false
}

func sortRefused(list []Refused) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && list[j].Position < list[j-1].Position; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

func deadlineColumns(d calendar.Deadline) (kind string, count int, date string) {
	return d.Kind.String(), d.Count, d.Date.String()
}

// rectifiable checks that in may rectify the notification it names.
func (s *Service) rectifiable(ctx context.Context, tx *store.Tx, in Submission, recipients []store.Recipient) (*store.Notification, error) {
	if !ValidID(in.Rectifies) {
		return nil, ErrRectifiesUnknown
	}
	old, err := tx.Notification(ctx, in.Rectifies)
	if errors.Is(err, store.ErrNotFound) || (err == nil && old.InstitutionID != in.InstitutionID) {
		return nil, ErrRectifiesUnknown
	}
	if err != nil {
		return nil, fmt.Errorf("deposit: %w", err)
	}
	if len(in.Recipients) != 1 || len(recipients) > 1 || (len(recipients) == 1 && recipients[0].ID != old.RecipientID) {
		return nil, ErrRectifiesRecipient
	}
	if _, err := tx.Rectification(ctx, old.ID); err == nil {
		return nil, ErrAlreadyRectified
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("deposit: %w", err)
	}
	return old, nil
}

// checkQuota refuses a send that would take the institution past its daily
// quota (Ecuador's day).
func (s *Service) checkQuota(ctx context.Context, tx *store.Tx, inst *store.Institution, today calendar.Date, n int) error {
	used, err := tx.CountDepositedSince(ctx, inst.ID, dayStart(today))
	if err != nil {
		return fmt.Errorf("deposit: %w", err)
	}
	if used+n > inst.DailyQuota {
		return ErrQuotaExceeded
	}
	return nil
}

// alertMessageID is the alert's Message-ID, derived from the notification
// id so that a resend after a crash is recognisably the same mail.
func (s *Service) alertMessageID(id string) string { return "<" + id + "@" + s.mailDomain() + ">" }

func (s *Service) enqueueAlert(ctx context.Context, tx *store.Tx, n *store.Notification, r store.Recipient, now time.Time) error {
	name := strings.TrimSpace(r.GivenNames + " " + r.Surnames)
	subject, text, html, err := s.Mail.Render("notification_alert", emailLanguage(r.Language), mail.AlertData{
		Name: name, Institution: n.InstitutionName, Reference: n.Reference, SentAt: now,
		VerificationCode: n.VerificationCode, SiteURL: s.SiteURL,
	})
	if err != nil {
		return fmt.Errorf("deposit: render alert: %w", err)
	}
	to := r.Email
	if name != "" {
		to = mailbox(name, r.Email)
	}
	msg := mail.Message{From: s.MailFrom, To: to, Subject: subject, Text: text, HTML: html,
		MessageID: s.alertMessageID(n.ID), Date: now, Headers: map[string]string{"Auto-Submitted": "auto-generated"}}
	if err := msg.Validate(); err != nil {
		// An address the registry accepted but mail cannot use: the alert
		// fails at once, visibly, and the notification stands.
		msg.To = ""
	}
	if _, err := jobs.Enqueue(ctx, tx, AlertKind, alertPayload{NotificationID: n.ID, Message: msg}, now,
		jobs.Options{UniqueKey: "alert:" + n.ID, MaxAttempts: alertAttempts}); err != nil {
		return fmt.Errorf("deposit: %w", err)
	}
	return nil
}

// alertAttempts is about a day of backoff before an alert is given up.
const alertAttempts = 12

// mailbox formats "Name <address>", quoting the name as RFC 5322 requires.
func mailbox(name, addr string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, name)
	return `"` + name + `" <` + addr + `>`
}
