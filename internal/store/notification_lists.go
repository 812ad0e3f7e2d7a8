package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Read-state filters of InboxQuery.
const (
	ReadAny    = ""
	ReadUnread = "unread"
	ReadRead   = "read"
)

// Deadline filters of InboxQuery and TrackingQuery.
const (
	DeadlineAny     = ""
	DeadlineWith    = "with"    // has a due date
	DeadlinePending = "pending" // due today or later
	DeadlineOverdue = "overdue" // due before today
)

// InboxQuery selects one page of a citizen's inbox, unread first, newest
// first. Every filter is optional.
type InboxQuery struct {
	RecipientID   string
	InstitutionID string
	Read          string // ReadAny, ReadUnread, ReadRead
	Deadline      string // DeadlineAny, DeadlineWith, DeadlinePending, DeadlineOverdue
	Today         string // YYYY-MM-DD in Ecuador, for the deadline filters
	From, To      time.Time
	// Search is matched inside search_text; it must already be folded like
	// it (lower case, no accents).
	Search string
	After  *InboxCursor // the last row of the previous page
	Limit  int          // default and maximum 100
}

// InboxCursor is the position of a row in the inbox order.
type InboxCursor struct {
	Unread      bool
	DepositedAt time.Time
	ID          string
}

// nFilters collects WHERE conditions and their parameters.
type nFilters struct {
	where []string
	args  []any
}

func (f *nFilters) add(cond string, args ...any) {
	n := len(f.args)
	for i := range args {
		cond = strings.Replace(cond, fmt.Sprintf("?%d", i+1), fmt.Sprintf("$%d", n+i+1), -1)
	}
	f.where = append(f.where, cond)
	f.args = append(f.args, args...)
}

func (f *nFilters) sql() string { return strings.Join(f.where, " AND ") }

func (f *nFilters) common(institutionID, deadline, today string, from, to time.Time, search string) {
	if institutionID != "" {
		f.add("n.institution_id = ?1", institutionID)
	}
	switch deadline {
	case DeadlineWith:
		f.add("n.due_date <> ''")
	case DeadlinePending:
		f.add("n.due_date <> '' AND n.due_date >= ?1", today)
	case DeadlineOverdue:
		f.add("n.due_date <> '' AND n.due_date < ?1", today)
	}
	if !from.IsZero() {
		f.add("n.deposited_at >= ?1", micros(from))
	}
	if !to.IsZero() {
		f.add("n.deposited_at < ?1", micros(to))
	}
	if search != "" {
		f.add(`n.search_text LIKE ?1 ESCAPE '\'`, "%"+nEscapeLike(search)+"%")
	}
}

func nEscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func nBoolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// InboxPage returns one page of a citizen's inbox, without bodies. The
// order (unread DESC, deposited_at DESC, id DESC) follows the index
// notifications_inbox, and the cursor continues it by keyset, so a page
// costs the same at the end of a long inbox as at its start.
func (tx *Tx) InboxPage(ctx context.Context, q InboxQuery) ([]Notification, error) {
	var f nFilters
	f.add("n.recipient_id = ?1", q.RecipientID)
	switch q.Read {
	case ReadUnread:
		f.add("n.unread = 1")
	case ReadRead:
		f.add("n.unread = 0")
	}
	f.common(q.InstitutionID, q.Deadline, q.Today, q.From, q.To, q.Search)
	if c := q.After; c != nil {
		f.add("(n.unread, n.deposited_at, n.id) < (?1, ?2, ?3)", nBoolInt(c.Unread), micros(c.DepositedAt), c.ID)
	}
	sql := `SELECT ` + notificationColumns + ` FROM notifications n WHERE ` + f.sql() +
		fmt.Sprintf(` ORDER BY n.unread DESC, n.deposited_at DESC, n.id DESC LIMIT %d`, limitOr(q.Limit, 100))
	return tx.queryNotifications(ctx, "inbox page", sql, f.args...)
}

// CountUnread counts a citizen's unread notifications: the header's counter.
func (tx *Tx) CountUnread(ctx context.Context, recipientID string) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE recipient_id = $1 AND unread = 1`, recipientID).Scan(&n)
	return n, wrap("count unread", err)
}

// SenderRef names an institution that sent notifications to a citizen.
type SenderRef struct {
	ID   string
	Name string
}

// InboxSenders lists the institutions that sent notifications to a
// citizen, for the inbox's filter.
func (tx *Tx) InboxSenders(ctx context.Context, recipientID string) ([]SenderRef, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT institution_id, min(institution_name) FROM notifications
		WHERE recipient_id = $1 GROUP BY institution_id ORDER BY min(institution_name)`, recipientID)
	if err != nil {
		return nil, wrap("inbox senders", err)
	}
	defer rows.Close()
	var out []SenderRef
	for rows.Next() {
		var s SenderRef
		if err := rows.Scan(&s.ID, &s.Name); err != nil {
			return nil, wrap("inbox senders", err)
		}
		out = append(out, s)
	}
	return out, wrap("inbox senders", rows.Err())
}

// Alert nFilters of TrackingQuery.
const (
	AlertFilterAny     = ""
	AlertFilterFailed  = "failed"  // fallida or rebotada
	AlertFilterSent    = "sent"    // enviada
	AlertFilterPending = "pending" // pendiente or reintentando
)

// TrackingQuery selects one page of an institution's notifications,
// newest first.
type TrackingQuery struct {
	InstitutionID string // required
	Alert         string // AlertFilter*
	Opened        string // "", "yes", "no"
	Downloaded    string // "", "yes", "no"
	RecipientNUI  string
	BatchID       string
	TramiteID     string
	Deadline      string
	Today         string
	From, To      time.Time
	Search        string // folded
	After         *TrackingCursor
	Limit         int // default and maximum 500
}

// TrackingCursor is the position of a row in the tracking order.
type TrackingCursor struct {
	DepositedAt time.Time
	ID          string
}

// TrackingPage returns one page of an institution's notifications with
// their state, without bodies, by keyset on (deposited_at, id).
func (tx *Tx) TrackingPage(ctx context.Context, q TrackingQuery) ([]Notification, error) {
	var f nFilters
	f.add("n.institution_id = ?1", q.InstitutionID)
	switch q.Alert {
	case AlertFilterFailed:
		f.add("n.alert_state IN ('fallida', 'rebotada')")
	case AlertFilterSent:
		f.add("n.alert_state = 'enviada'")
	case AlertFilterPending:
		f.add("n.alert_state IN ('pendiente', 'reintentando')")
	}
	switch q.Opened {
	case "yes":
		f.add("n.first_opened_at > 0")
	case "no":
		f.add("n.first_opened_at = 0")
	}
	switch q.Downloaded {
	case "yes":
		f.add("n.first_download_at > 0")
	case "no":
		f.add("n.first_download_at = 0")
	}
	if q.RecipientNUI != "" {
		f.add("n.recipient_nui = ?1", q.RecipientNUI)
	}
	if q.BatchID != "" {
		f.add("n.batch_id = ?1", q.BatchID)
	}
	if q.TramiteID != "" {
		f.add("n.tramite_id = ?1", q.TramiteID)
	}
	f.common("", q.Deadline, q.Today, q.From, q.To, q.Search)
	if c := q.After; c != nil {
		f.add("(n.deposited_at, n.id) < (?1, ?2)", micros(c.DepositedAt), c.ID)
	}
	sql := `SELECT ` + notificationColumns + ` FROM notifications n WHERE ` + f.sql() +
		fmt.Sprintf(` ORDER BY n.deposited_at DESC, n.id DESC LIMIT %d`, limitOr(q.Limit, 500))
	return tx.queryNotifications(ctx, "tracking page", sql, f.args...)
}

// DayStat is one institution's figures for the notifications it deposited
// on one day.
type DayStat struct {
	Day             string // YYYY-MM-DD in Ecuador
	InstitutionID   string
	InstitutionName string
	Deposited       int
	AlertsFailed    int
	// OpenedWithin[i] counts those first opened within Windows[i] of the deposit.
	OpenedWithin []int
}

// DailyStats returns, per day and institution, the notifications deposited
// in [from, to), the failed alerts among them, and how many were opened
// within each window after their deposit. An empty institutionID means
// every institution.
func (tx *Tx) DailyStats(ctx context.Context, institutionID string, from, to time.Time, windows []time.Duration) ([]DayStat, error) {
	var f nFilters
	f.add("n.deposited_at >= ?1", micros(from))
	f.add("n.deposited_at < ?1", micros(to))
	if institutionID != "" {
		f.add("n.institution_id = ?1", institutionID)
	}
	cols := ""
	for _, w := range windows {
		cols += fmt.Sprintf(", sum(CASE WHEN n.first_opened_at > 0 AND n.first_opened_at - n.deposited_at <= %d THEN 1 ELSE 0 END)", w.Microseconds())
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT n.deposit_day, n.institution_id, min(n.institution_name), count(*),
			sum(CASE WHEN n.alert_state IN ('fallida', 'rebotada') THEN 1 ELSE 0 END)`+cols+`
		FROM notifications n WHERE `+f.sql()+`
		GROUP BY n.deposit_day, n.institution_id ORDER BY n.deposit_day, min(n.institution_name)`, f.args...)
	if err != nil {
		return nil, wrap("daily stats", err)
	}
	defer rows.Close()
	var out []DayStat
	for rows.Next() {
		s := DayStat{OpenedWithin: make([]int, len(windows))}
		dest := []any{&s.Day, &s.InstitutionID, &s.InstitutionName, &s.Deposited, &s.AlertsFailed}
		for i := range s.OpenedWithin {
			dest = append(dest, &s.OpenedWithin[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, wrap("daily stats", err)
		}
		out = append(out, s)
	}
	return out, wrap("daily stats", rows.Err())
}

// DueCandidate is a notification whose deadline the daily sweep looks at,
// with what a reminder needs.
type DueCandidate struct {
	Notification
	Email      string
	GivenNames string
	Surnames   string
	Language   string // of his emails; "" for the default
}

// NotificationsDueBetween returns the notifications with a deadline not
// yet reached whose due date is in (after, until], by (due_date, id) after
// the cursor (cursorDue, cursorID), for the reminder sweep.
func (tx *Tx) NotificationsDueBetween(ctx context.Context, after, until, cursorDue, cursorID string, limit int) ([]DueCandidate, error) {
	var f nFilters
	f.add("n.due_date <> '' AND n.deadline_reached_at = 0")
	f.add("n.due_date > ?1 AND n.due_date <= ?2", after, until)
	if cursorID != "" {
		f.add("(n.due_date, n.id) > (?1, ?2)", cursorDue, cursorID)
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+notificationColumns+`, i.email, i.given_names, i.surnames, i.language
		FROM notifications n JOIN identities i ON i.id = n.recipient_id WHERE `+f.sql()+
		fmt.Sprintf(` ORDER BY n.due_date, n.id LIMIT %d`, limitOr(limit, 1000)), f.args...)
	if err != nil {
		return nil, wrap("notifications due", err)
	}
	defer rows.Close()
	var out []DueCandidate
	for rows.Next() {
		var s notificationScan
		var c DueCandidate
		if err := rows.Scan(append(s.targets(), &c.Email, &c.GivenNames, &c.Surnames, &c.Language)...); err != nil {
			return nil, wrap("notifications due", err)
		}
		c.Notification = s.notification()
		out = append(out, c)
	}
	return out, wrap("notifications due", rows.Err())
}

// NotificationsPastDue returns up to limit notifications whose due date is
// before today and whose deadline_reached event is not yet recorded.
func (tx *Tx) NotificationsPastDue(ctx context.Context, today string, limit int) ([]Notification, error) {
	return tx.queryNotifications(ctx, "notifications past due", `SELECT `+notificationColumns+` FROM notifications n
		WHERE n.due_date <> '' AND n.deadline_reached_at = 0 AND n.due_date < $1
		ORDER BY n.due_date, n.id LIMIT `+fmt.Sprint(limitOr(limit, 1000)), today)
}

// ExplainInbox returns the engine's plan for the first inbox page of a
// recipient, so a test can check that it walks notifications_inbox. Run it
// in a transaction (DB.Write): on PostgreSQL it sets a planner option for
// that transaction only.
func (tx *Tx) ExplainInbox(ctx context.Context, recipientID string) (string, error) {
	q := `SELECT ` + notificationColumns + ` FROM notifications n WHERE n.recipient_id = $1
		ORDER BY n.unread DESC, n.deposited_at DESC, n.id DESC LIMIT 26`
	prefix := "EXPLAIN QUERY PLAN "
	if tx.engine == Postgres {
		// Planner costs on an almost empty table prefer a scan; ask for the
		// plan as it would be on a large one.
		if _, err := tx.q.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return "", wrap("explain inbox", err)
		}
		prefix = "EXPLAIN "
	}
	rows, err := tx.q.QueryContext(ctx, prefix+q, recipientID)
	if err != nil {
		return "", wrap("explain inbox", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", wrap("explain inbox", err)
		}
		fmt.Fprintln(&b, vals...)
	}
	return b.String(), wrap("explain inbox", rows.Err())
}
