package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Alert states of a notification, as stored: the email alert waits in the
// outbox (pendiente), was accepted by the mail server (enviada), failed and
// will be tried again (reintentando), failed for good (fallida) or was
// refused by the recipient's mail server (rebotada).
const (
	AlertPending  = "pendiente"
	AlertSent     = "enviada"
	AlertRetrying = "reintentando"
	AlertFailed   = "fallida"
	AlertBounced  = "rebotada"
)

// NotificationBatch is one submission: a notifier's send or an API request.
type NotificationBatch struct {
	ID            string
	InstitutionID string
	ActorKind     string
	ActorID       string
	Recipients    int // asked for
	Deposited     int // of which had an active buzón
	CreatedAt     time.Time
}

// NotificationAttachment is an attachment of a batch, shared by every
// notification of it.
type NotificationAttachment struct {
	ID        string
	BatchID   string
	Position  int
	Filename  string
	TypeID    string
	MediaType string
	Size      int64
	SHA256    string // lowercase hex of the plaintext
	BlobKey   string
	CreatedAt time.Time
}

// Notification is one row of notifications: the content, fixed at deposit,
// and the state that changes afterwards.
type Notification struct {
	ID               string
	BatchID          string
	InstitutionID    string
	InstitutionName  string
	RecipientID      string
	RecipientNUI     string
	Subject          string
	Reference        string
	Category         string
	BodySealed       []byte // nil in list results, which do not read it
	BodySHA256       string
	SearchText       string
	TramiteID        string // "" for none
	RectifiesID      string // "" for none
	DeadlineKind     string
	DeadlineCount    int
	DeadlineDate     string // YYYY-MM-DD or ""
	DueDate          string // YYYY-MM-DD or ""
	VerificationCode string
	ActorKind        string
	ActorID          string
	DepositedAt      time.Time
	DepositDay       string

	Unread            bool
	FirstOpenedAt     time.Time
	LastOpenedAt      time.Time
	OpenCount         int
	FirstDownloadAt   time.Time
	AlertState        string
	AlertAt           time.Time
	AlertAttempts     int
	AlertError        string
	DeadlineReachedAt time.Time
}

// notificationColumns lists every column but the sealed body; scan reads
// them in this order.
const notificationColumns = `n.id, n.batch_id, n.institution_id, n.institution_name, n.recipient_id, n.recipient_nui,
	n.subject, n.reference, n.category, n.body_sha256, n.search_text, n.tramite_id, n.rectifies_id,
	n.deadline_kind, n.deadline_count, n.deadline_date, n.due_date, n.verification_code, n.actor_kind, n.actor_id,
	n.deposited_at, n.deposit_day, n.unread, n.first_opened_at, n.last_opened_at, n.open_count, n.first_download_at,
	n.alert_state, n.alert_at, n.alert_attempts, n.alert_error, n.deadline_reached_at`

type notificationScan struct {
	n                                                  Notification
	tramite, rectifies                                 sql.NullString
	unread                                             int
	deposited, first, last, download, alert, deadlineR int64
}

func (s *notificationScan) targets() []any {
	n := &s.n
	return []any{&n.ID, &n.BatchID, &n.InstitutionID, &n.InstitutionName, &n.RecipientID, &n.RecipientNUI,
		&n.Subject, &n.Reference, &n.Category, &n.BodySHA256, &n.SearchText, &s.tramite, &s.rectifies,
		&n.DeadlineKind, &n.DeadlineCount, &n.DeadlineDate, &n.DueDate, &n.VerificationCode, &n.ActorKind, &n.ActorID,
		&s.deposited, &n.DepositDay, &s.unread, &s.first, &s.last, &n.OpenCount, &s.download,
		&n.AlertState, &s.alert, &n.AlertAttempts, &n.AlertError, &s.deadlineR}
}

func (s *notificationScan) notification() Notification {
	n := s.n
	n.TramiteID, n.RectifiesID = s.tramite.String, s.rectifies.String
	n.Unread = s.unread != 0
	n.DepositedAt, n.FirstOpenedAt, n.LastOpenedAt = fromMicros(s.deposited), fromMicros(s.first), fromMicros(s.last)
	n.FirstDownloadAt, n.AlertAt, n.DeadlineReachedAt = fromMicros(s.download), fromMicros(s.alert), fromMicros(s.deadlineR)
	return n
}

// InsertNotificationBatch records a submission.
func (tx *Tx) InsertNotificationBatch(ctx context.Context, b *NotificationBatch) error {
	if b.ID == "" {
		b.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO notification_batches (id, institution_id, actor_kind, actor_id, recipients, deposited, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		b.ID, b.InstitutionID, b.ActorKind, b.ActorID, b.Recipients, b.Deposited, micros(b.CreatedAt))
	return wrapWrite("insert notification batch", err)
}

// InsertNotificationAttachment records an attachment of a batch.
func (tx *Tx) InsertNotificationAttachment(ctx context.Context, a *NotificationAttachment) error {
	if a.ID == "" {
		a.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO notification_attachments
		(id, batch_id, position, filename, type_id, media_type, size, sha256, blob_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		a.ID, a.BatchID, a.Position, a.Filename, a.TypeID, a.MediaType, a.Size, a.SHA256, a.BlobKey, micros(a.CreatedAt))
	return wrapWrite("insert notification attachment", err)
}

// InsertNotification deposits a notification. Its state columns start
// unread, alert pending.
func (tx *Tx) InsertNotification(ctx context.Context, n *Notification) error {
	if n.ID == "" {
		n.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO notifications (id, batch_id, institution_id, institution_name,
			recipient_id, recipient_nui, subject, reference, category, body_sealed, body_sha256, search_text,
			tramite_id, rectifies_id, deadline_kind, deadline_count, deadline_date, due_date, verification_code,
			actor_kind, actor_id, deposited_at, deposit_day, alert_state)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
		n.ID, n.BatchID, n.InstitutionID, n.InstitutionName, n.RecipientID, n.RecipientNUI, n.Subject, n.Reference,
		n.Category, n.BodySealed, n.BodySHA256, n.SearchText, nullable(n.TramiteID), nullable(n.RectifiesID),
		n.DeadlineKind, n.DeadlineCount, n.DeadlineDate, n.DueDate, n.VerificationCode, n.ActorKind, n.ActorID,
		micros(n.DepositedAt), n.DepositDay, AlertPending)
	if err != nil {
		return wrapWrite("insert notification", err)
	}
	n.Unread, n.AlertState = true, AlertPending
	return nil
}

// Notification returns one notification with its sealed body. Callers
// decide who may see it; ids must be well-formed UUIDs (PostgreSQL refuses
// anything else), which the notification package checks first.
func (tx *Tx) Notification(ctx context.Context, id string) (*Notification, error) {
	var s notificationScan
	err := tx.q.QueryRowContext(ctx, `SELECT `+notificationColumns+`, n.body_sealed FROM notifications n WHERE n.id = $1`, id).
		Scan(append(s.targets(), &s.n.BodySealed)...)
	if err != nil {
		return nil, wrap("notification "+id, err)
	}
	n := s.notification()
	return &n, nil
}

// AttachmentsOfBatch returns a batch's attachments in their order.
func (tx *Tx) AttachmentsOfBatch(ctx context.Context, batchID string) ([]NotificationAttachment, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id, batch_id, position, filename, type_id, media_type, size, sha256, blob_key, created_at
		FROM notification_attachments WHERE batch_id = $1 ORDER BY position`, batchID)
	if err != nil {
		return nil, wrap("attachments of batch "+batchID, err)
	}
	defer rows.Close()
	var out []NotificationAttachment
	for rows.Next() {
		var a NotificationAttachment
		var created int64
		if err := rows.Scan(&a.ID, &a.BatchID, &a.Position, &a.Filename, &a.TypeID, &a.MediaType, &a.Size, &a.SHA256, &a.BlobKey, &created); err != nil {
			return nil, wrap("attachments of batch "+batchID, err)
		}
		a.CreatedAt = fromMicros(created)
		out = append(out, a)
	}
	return out, wrap("attachments of batch "+batchID, rows.Err())
}

// MarkNotificationOpened records one access by the recipient and reports
// whether it was the first.
func (tx *Tx) MarkNotificationOpened(ctx context.Context, id string, now time.Time) (first bool, err error) {
	var was int64
	err = tx.q.QueryRowContext(ctx, `UPDATE notifications SET unread = 0, open_count = open_count + 1, last_opened_at = $2,
			first_opened_at = CASE WHEN first_opened_at = 0 THEN $2 ELSE first_opened_at END
		WHERE id = $1 RETURNING open_count`, id, micros(now)).Scan(&was)
	if err != nil {
		return false, wrap("mark notification opened "+id, err)
	}
	return was == 1, nil
}

// RecordNotificationDownload counts one download of an attachment by the
// recipient and reports whether it was the first of that attachment.
func (tx *Tx) RecordNotificationDownload(ctx context.Context, notificationID, attachmentID string, now time.Time) (first bool, err error) {
	var times int
	err = tx.q.QueryRowContext(ctx, `INSERT INTO notification_downloads (notification_id, attachment_id, first_at, last_at, times)
		VALUES ($1, $2, $3, $3, 1)
		ON CONFLICT (notification_id, attachment_id) DO UPDATE SET last_at = excluded.last_at, times = notification_downloads.times + 1
		RETURNING times`, notificationID, attachmentID, micros(now)).Scan(&times)
	if err != nil {
		return false, wrap("record download of "+attachmentID, err)
	}
	if _, err := tx.q.ExecContext(ctx, `UPDATE notifications SET first_download_at = $2 WHERE id = $1 AND first_download_at = 0`,
		notificationID, micros(now)); err != nil {
		return false, wrap("record download of "+attachmentID, err)
	}
	return times == 1, nil
}

// NotificationDownload is what the recipient downloaded of one attachment.
type NotificationDownload struct {
	NotificationID string
	AttachmentID   string
	FirstAt        time.Time
	LastAt         time.Time
	Times          int
}

// DownloadsOf returns the downloads of the given notifications.
func (tx *Tx) DownloadsOf(ctx context.Context, notificationIDs []string) ([]NotificationDownload, error) {
	var out []NotificationDownload
	for _, chunk := range idChunks(notificationIDs, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := tx.q.QueryContext(ctx, `SELECT notification_id, attachment_id, first_at, last_at, times
			FROM notification_downloads WHERE notification_id IN (`+paramList(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, wrap("downloads", err)
		}
		for rows.Next() {
			var d NotificationDownload
			var first, last int64
			if err := rows.Scan(&d.NotificationID, &d.AttachmentID, &first, &last, &d.Times); err != nil {
				rows.Close()
				return nil, wrap("downloads", err)
			}
			d.FirstAt, d.LastAt = fromMicros(first), fromMicros(last)
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrap("downloads", err)
		}
	}
	return out, nil
}

// SetNotificationAlert records the outcome of an attempt to send the alert.
// It changes nothing once the alert is sent, so that a resend after a crash
// (the job runs again) does not record a second outcome; it reports whether
// the row changed.
func (tx *Tx) SetNotificationAlert(ctx context.Context, id, state, errText string, attempts int, now time.Time) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE notifications SET alert_state = $2, alert_error = $3, alert_attempts = $4, alert_at = $5
		WHERE id = $1 AND alert_state <> 'enviada'`, id, state, errText, attempts, micros(now))
	return affected("set alert of "+id, res, err)
}

// MarkDeadlineReached records that a notification's due date has passed,
// once; it reports whether the row changed.
func (tx *Tx) MarkDeadlineReached(ctx context.Context, id string, now time.Time) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE notifications SET deadline_reached_at = $2 WHERE id = $1 AND deadline_reached_at = 0`, id, micros(now))
	return affected("mark deadline reached "+id, res, err)
}

// Rectification returns the notification that rectifies id, or ErrNotFound.
func (tx *Tx) Rectification(ctx context.Context, id string) (*Notification, error) {
	return tx.oneNotification(ctx, "rectification of "+id, `n.rectifies_id = $1`, id)
}

func (tx *Tx) oneNotification(ctx context.Context, op, where string, args ...any) (*Notification, error) {
	var s notificationScan
	err := tx.q.QueryRowContext(ctx, `SELECT `+notificationColumns+` FROM notifications n WHERE `+where, args...).Scan(s.targets()...)
	if err != nil {
		return nil, wrap(op, err)
	}
	n := s.notification()
	return &n, nil
}

// queryNotifications runs a SELECT of notificationColumns.
func (tx *Tx) queryNotifications(ctx context.Context, op, q string, args ...any) ([]Notification, error) {
	rows, err := tx.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var s notificationScan
		if err := rows.Scan(s.targets()...); err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, s.notification())
	}
	return out, wrap(op, rows.Err())
}

// NotificationsOfTramite returns the notifications of a trámite sent to one
// recipient, oldest first: the trámite's timeline as that citizen sees it.
// An empty recipientID returns every recipient's (for the institution).
func (tx *Tx) NotificationsOfTramite(ctx context.Context, tramiteID, recipientID string, limit int) ([]Notification, error) {
	q := `SELECT ` + notificationColumns + ` FROM notifications n WHERE n.tramite_id = $1`
	args := []any{tramiteID}
	if recipientID != "" {
		q += ` AND n.recipient_id = $2`
		args = append(args, recipientID)
	}
	q += fmt.Sprintf(` ORDER BY n.deposited_at, n.id LIMIT %d`, limitOr(limit, 200))
	return tx.queryNotifications(ctx, "notifications of tramite "+tramiteID, q, args...)
}

// CountDepositedSince counts an institution's notifications deposited at
// or after since: its use of the daily quota.
func (tx *Tx) CountDepositedSince(ctx context.Context, institutionID string, since time.Time) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE institution_id = $1 AND deposited_at >= $2`,
		institutionID, micros(since)).Scan(&n)
	return n, wrap("count deposited", err)
}

// Recipient is a citizen who can receive notifications: an active identity
// holding the citizen role.
type Recipient struct {
	ID         string
	NUI        string
	GivenNames string
	Surnames   string
	Email      string
	Language   string // of his emails: "es", "en" or "" (the default)
}

// ActiveRecipients returns, of the given N.U.I.s, those with an active
// buzón, in no particular order.
func (tx *Tx) ActiveRecipients(ctx context.Context, nuis []string) ([]Recipient, error) {
	var out []Recipient
	for _, chunk := range idChunks(nuis, 500) {
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		rows, err := tx.q.QueryContext(ctx, `SELECT i.id, i.nui, i.given_names, i.surnames, i.email, i.language FROM identities i
			WHERE i.nui IN (`+paramList(1, len(chunk))+`) AND i.state = 'activa'
			AND EXISTS (SELECT 1 FROM identity_roles r WHERE r.identity_id = i.id AND r.role = 'ciudadano')`, args...)
		if err != nil {
			return nil, wrap("active recipients", err)
		}
		for rows.Next() {
			var r Recipient
			if err := rows.Scan(&r.ID, &r.NUI, &r.GivenNames, &r.Surnames, &r.Email, &r.Language); err != nil {
				rows.Close()
				return nil, wrap("active recipients", err)
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrap("active recipients", err)
		}
	}
	return out, nil
}

// paramList returns "$from, $from+1, …" for n parameters.
func paramList(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

func idChunks[T any](s []T, size int) [][]T {
	var out [][]T
	for len(s) > size {
		out = append(out, s[:size])
		s = s[size:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

func limitOr(n, max int) int {
	if n <= 0 || n > max {
		return max
	}
	return n
}
