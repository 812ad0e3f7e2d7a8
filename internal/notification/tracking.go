package notification

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"buzon/internal/calendar"
	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/nui"
	"buzon/internal/store"
)

// Audit actions of institution staff looking at notifications.
const (
	ActionTrackingList   = "notificaciones.listar"
	ActionTrackingView   = "notificacion.consultar"
	ActionTrackingExport = "notificaciones.exportar"
	ActionStaffDownload  = "notificacion.descargar_anexo"
)

// staffRole returns the role p acts under for an institution's
// notifications: its administrator or one of its notifiers.
func staffRole(p *identity.Principal, institutionID string) (identity.Role, error) {
	if institutionID == "" || !ValidID(institutionID) {
		return "", ErrForbidden
	}
	for _, r := range []identity.Role{identity.RoleInstitutionAdmin, identity.RoleNotifier} {
		if identity.RequireIn(p, r, institutionID) == nil {
			return r, nil
		}
	}
	return "", ErrForbidden
}

// Send is the web's way to deposit: a notifier (or the institution's
// administrator) of in.InstitutionID submits in its name, in a transaction
// of its own.
func (s *Service) Send(ctx context.Context, p *identity.Principal, in Submission) (Result, error) {
	if _, err := staffRole(p, in.InstitutionID); err != nil {
		return Result{}, err
	}
	in.Actor = evidence.Actor{Kind: evidence.ActorStaff, ID: p.ID}
	var res Result
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.Deposit(ctx, tx, in, s.now())
		return err
	})
	return res, err
}

// RecipientCheck is a recipient list checked before sending: who would
// receive the notification, and who would not and why.
type RecipientCheck struct {
	Ready   []store.Recipient
	Refused []Refused
}

// CheckRecipients answers, row by row, what Deposit would do with a
// recipient list, without storing anything, so the notifier can correct
// the list (or confirm it) before sending.
func (s *Service) CheckRecipients(ctx context.Context, p *identity.Principal, institutionID string, raw []string) (*RecipientCheck, error) {
	if _, err := staffRole(p, institutionID); err != nil {
		return nil, err
	}
	rc := checkRecipients(raw)
	nuis := make([]string, len(rc.valid))
	for i, n := range rc.valid {
		nuis[i] = n.String()
	}
	active, err := s.DB.Reader().ActiveRecipients(ctx, nuis)
	if err != nil {
		return nil, err
	}
	byNUI := map[string]store.Recipient{}
	for _, r := range active {
		byNUI[r.NUI] = r
	}
	out := &RecipientCheck{Refused: rc.refused}
	for i, r := range raw {
		n, err := nui.Parse(strings.TrimSpace(r))
		if err != nil || refusedAt(rc.refused, i+1) {
			continue
		}
		if a, ok := byNUI[n.String()]; ok {
			out.Ready = append(out.Ready, a)
		} else {
			out.Refused = append(out.Refused, Refused{Position: i + 1, Recipient: r, Err: ErrRecipientNotRegistered})
		}
	}
	sortRefused(out.Refused)
	return out, nil
}

// TrackFilter narrows an institution's list of notifications.
type TrackFilter struct {
	Alert        string // "", "failed", "sent", "pending"
	Opened       string // "", "yes", "no"
	Downloaded   string // "", "yes", "no"
	RecipientNUI string
	BatchID      string
	TramiteID    string
	Deadline     string
	From, To     calendar.Date
	Search       string
}

// TrackRow is one recipient's notification with what became of it.
type TrackRow struct {
	Notification
	Attachments int // in the notification
	Downloaded  int // of them, downloaded at least once
}

// TrackPage is a page of TrackRows.
type TrackPage struct {
	Rows []TrackRow
	Next string
}

func (s *Service) trackingQuery(institutionID string, f TrackFilter, cursor string, limit int) store.TrackingQuery {
	switch f.Alert {
	case store.AlertFilterFailed, store.AlertFilterSent, store.AlertFilterPending:
	default:
		f.Alert = ""
	}
	yesNo := func(v string) string {
		if v == "yes" || v == "no" {
			return v
		}
		return ""
	}
	if _, err := nui.Parse(f.RecipientNUI); err != nil {
		if strings.TrimSpace(f.RecipientNUI) != "" {
			f.RecipientNUI = "-" // matches nobody
		} else {
			f.RecipientNUI = ""
		}
	}
	if f.BatchID != "" && !ValidID(f.BatchID) {
		f.BatchID = "00000000-0000-0000-0000-000000000000"
	}
	if f.TramiteID != "" && !ValidID(f.TramiteID) {
		f.TramiteID = "00000000-0000-0000-0000-000000000000"
	}
	nf := normalizeFilter(Filter{Deadline: f.Deadline, Search: f.Search})
	from, to := dateRange(f.From, f.To)
	q := store.TrackingQuery{InstitutionID: institutionID, Alert: f.Alert, Opened: yesNo(f.Opened), Downloaded: yesNo(f.Downloaded),
		RecipientNUI: f.RecipientNUI, BatchID: f.BatchID, TramiteID: f.TramiteID, Deadline: nf.Deadline,
		Today: s.today().String(), From: from, To: to, Search: nf.Search, Limit: limit}
	if _, at, id, ok := decodeCursor(cursor); ok {
		q.After = &store.TrackingCursor{DepositedAt: at, ID: id}
	}
	return q
}

// Tracking returns a page of an institution's notifications, newest first,
// with each recipient's state. Only the institution's staff may look, and
// each look is written to the audit log (the list shows cédulas).
func (s *Service) Tracking(ctx context.Context, p *identity.Principal, institutionID string, f TrackFilter, cursor string) (*TrackPage, error) {
	role, err := staffRole(p, institutionID)
	if err != nil {
		return nil, err
	}
	const size = 50
	rows, err := s.DB.Reader().TrackingPage(ctx, s.trackingQuery(institutionID, f, cursor, size+1))
	if err != nil {
		return nil, fmt.Errorf("tracking: %w", err)
	}
	page := &TrackPage{}
	if len(rows) > size {
		rows = rows[:size]
		last := rows[len(rows)-1]
		page.Next = encodeCursor(false, last.DepositedAt, last.ID)
	}
	if page.Rows, err = s.trackRows(ctx, s.DB.Reader(), rows); err != nil {
		return nil, err
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		return identity.RecordAudit(ctx, tx, p, role, identity.AuditRecord{Action: ActionTrackingList,
			InstitutionID: institutionID, Detail: describeFilter(f)}, s.now())
	})
	return page, err
}

func describeFilter(f TrackFilter) string {
	var parts []string
	for _, kv := range [][2]string{{"alerta", f.Alert}, {"abierta", f.Opened}, {"descargada", f.Downloaded},
		{"cedula", f.RecipientNUI}, {"envio", f.BatchID}, {"tramite", f.TramiteID}, {"plazo", f.Deadline},
		{"desde", f.From.String()}, {"hasta", f.To.String()}, {"texto", f.Search}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, " ")
}

func (s *Service) trackRows(ctx context.Context, tx *store.Tx, rows []store.Notification) ([]TrackRow, error) {
	ids := make([]string, len(rows))
	batches := map[string]int{}
	for i, r := range rows {
		ids[i] = r.ID
		batches[r.BatchID] = -1
	}
	for b := range batches {
		atts, err := tx.AttachmentsOfBatch(ctx, b)
		if err != nil {
			return nil, err
		}
		batches[b] = len(atts)
	}
	downloads, err := tx.DownloadsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	per := map[string]int{}
	for _, d := range downloads {
		per[d.NotificationID]++
	}
	out := make([]TrackRow, len(rows))
	for i := range rows {
		out[i] = TrackRow{Notification: notificationOf(&rows[i]), Attachments: batches[rows[i].BatchID], Downloaded: per[rows[i].ID]}
	}
	return out, nil
}

// Event is one line of a notification's evidence as the institution sees it.
type Event struct {
	Type    evidence.Type
	Time    time.Time
	Actor   evidence.ActorKind
	Details map[string]string
}

// StaffDetail is a notification as its institution's staff see it: the
// page the citizen sees, and the evidence so far.
type StaffDetail struct {
	*Detail
	Events []Event
}

// StaffView returns one of the institution's notifications for its staff,
// writing the look to the audit log. A notification of another institution
// is ErrNotFound.
func (s *Service) StaffView(ctx context.Context, p *identity.Principal, institutionID, id string) (*StaffDetail, error) {
	role, err := staffRole(p, institutionID)
	if err != nil {
		return nil, err
	}
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	var out *StaffDetail
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		n, err := tx.Notification(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && n.InstitutionID != institutionID) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		d, err := s.detail(ctx, tx, n, "")
		if err != nil {
			return err
		}
		out = &StaffDetail{Detail: d}
		evs, err := tx.EvidenceEventsOfNotification(ctx, id)
		if err != nil {
			return err
		}
		for _, e := range evs {
			parsed, err := evidence.ParseRecord(e.Record)
			if err != nil {
				return err
			}
			out.Events = append(out.Events, Event{Type: parsed.Type, Time: parsed.Time, Actor: parsed.Actor.Kind, Details: parsed.Details})
		}
		return identity.RecordAudit(ctx, tx, p, role, identity.AuditRecord{Action: ActionTrackingView,
			SubjectNUI: n.RecipientNUI, SubjectID: n.RecipientID, InstitutionID: institutionID, Detail: "notificación " + id}, s.now())
	})
	return out, err
}

// StaffDownload opens an attachment of one of the institution's
// notifications for its staff; it is audited, and is not a recipient's
// download (no evidence event).
func (s *Service) StaffDownload(ctx context.Context, p *identity.Principal, institutionID, notificationID, attachmentID string) (*Download, error) {
	role, err := staffRole(p, institutionID)
	if err != nil {
		return nil, err
	}
	if !ValidID(notificationID) || !ValidID(attachmentID) {
		return nil, ErrNotFound
	}
	r := s.DB.Reader()
	n, err := r.Notification(ctx, notificationID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && n.InstitutionID != institutionID) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	atts, err := r.AttachmentsOfBatch(ctx, n.BatchID)
	if err != nil {
		return nil, err
	}
	for i := range atts {
		if atts[i].ID != attachmentID {
			continue
		}
		a := attachmentOf(&atts[i])
		if err := s.DB.Write(ctx, func(tx *store.Tx) error {
			return identity.RecordAudit(ctx, tx, p, role, identity.AuditRecord{Action: ActionStaffDownload,
				SubjectNUI: n.RecipientNUI, SubjectID: n.RecipientID, InstitutionID: institutionID,
				Detail: "anexo " + a.ID + " de la notificación " + n.ID}, s.now())
		}); err != nil {
			return nil, err
		}
		rc, err := s.Blobs.Get(ctx, a.BlobKey)
		if err != nil {
			return nil, err
		}
		return &Download{Attachment: a, ReadCloser: rc}, nil
	}
	return nil, ErrNotFound
}

// ExportCSV writes every notification of the institution that matches f as
// CSV (UTF-8 with a BOM, so spreadsheets read the accents), one row per
// recipient, and audits the export.
func (s *Service) ExportCSV(ctx context.Context, p *identity.Principal, institutionID string, f TrackFilter, w io.Writer) error {
	role, err := staffRole(p, institutionID)
	if err != nil {
		return err
	}
	if err := s.DB.Write(ctx, func(tx *store.Tx) error {
		return identity.RecordAudit(ctx, tx, p, role, identity.AuditRecord{Action: ActionTrackingExport,
			InstitutionID: institutionID, Detail: describeFilter(f)}, s.now())
	}); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "cedula", "asunto", "referencia", "categoria", "depositada", "codigo_verificacion",
		"vence", "alerta", "alerta_fecha", "alerta_error", "abierta_primera_vez", "aperturas", "anexos", "anexos_descargados", "envio"})
	cursor := ""
	for {
		q := s.trackingQuery(institutionID, f, cursor, 500)
		rows, err := s.DB.Reader().TrackingPage(ctx, q)
		if err != nil {
			return err
		}
		tr, err := s.trackRows(ctx, s.DB.Reader(), rows)
		if err != nil {
			return err
		}
		for _, r := range tr {
			cw.Write([]string{r.ID, r.RecipientNUI.String(), csvSafe(r.Subject), csvSafe(r.Reference), string(r.Category),
				isoTime(r.DepositedAt), r.VerificationCode, r.Due.String(), string(r.Alert), isoTime(r.AlertAt), csvSafe(r.AlertError),
				isoTime(r.FirstOpenedAt), strconv.Itoa(r.OpenCount), strconv.Itoa(r.Attachments), strconv.Itoa(r.Downloaded), r.BatchID})
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if len(rows) < 500 {
			return nil
		}
		last := rows[len(rows)-1]
		cursor = encodeCursor(false, last.DepositedAt, last.ID)
	}
}

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(ecuador).Format(time.RFC3339)
}

// csvSafe defuses spreadsheet formulas in texts people typed.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
