package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// States a notification can be filtered by in the API's list.
const (
	APIStateAny             = ""
	APIStateDeposited       = "deposited"        // in the buzón, not opened yet
	APIStateOpened          = "opened"           // opened at least once
	APIStateAlertFailed     = "alert_failed"     // the email alert will not arrive
	APIStateDeadlineReached = "deadline_reached" // its deadline ran out
)

// APINotificationQuery selects an institution's notifications for the API's
// list: oldest first from Since, after a keyset cursor, so that a system
// can page through everything deposited since its last look.
type APINotificationQuery struct {
	InstitutionID string // required
	Reference     string
	State         string // APIState*
	Since         time.Time
	AfterAt       time.Time // with AfterID: the last row of the previous page
	AfterID       string
	Limit         int // default and maximum 100
}

// APINotifications lists an institution's notifications in (deposited_at,
// id) order, read through the notifications_institution index.
func (tx *Tx) APINotifications(ctx context.Context, q APINotificationQuery) ([]Notification, error) {
	if !validUUID(q.InstitutionID) || (q.AfterID != "" && !validUUID(q.AfterID)) {
		return nil, nil
	}
	where := []string{`n.institution_id = $1`, `n.deposited_at >= $2`}
	args := []any{q.InstitutionID, micros(q.Since)}
	add := func(cond string, vals ...any) {
		for _, v := range vals {
			args = append(args, v)
			cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(args)), 1)
		}
		where = append(where, cond)
	}
	if q.Reference != "" {
		add(`n.reference = ?`, q.Reference)
	}
	switch q.State {
	case APIStateDeposited:
		add(`n.open_count = 0`)
	case APIStateOpened:
		add(`n.open_count > 0`)
	case APIStateAlertFailed:
		add(`n.alert_state IN (?, ?)`, AlertFailed, AlertBounced)
	case APIStateDeadlineReached:
		add(`n.deadline_reached_at > 0`)
	}
	if q.AfterID != "" {
		at := micros(q.AfterAt)
		add(`(n.deposited_at > ? OR (n.deposited_at = ? AND n.id > ?))`, at, at, q.AfterID)
	}
	args = append(args, limitOr(q.Limit, 100))
	return tx.queryNotifications(ctx, "API notifications", `SELECT `+notificationColumns+` FROM notifications n WHERE `+
		strings.Join(where, " AND ")+fmt.Sprintf(` ORDER BY n.deposited_at, n.id LIMIT $%d`, len(args)), args...)
}

// InstitutionEvents returns an institution's integrated evidence events of
// the given types with a leaf index above afterLeaf, in log order: the API's
// event feed. Leaf indexes are given in commit order by the integrator, one
// batch at a time, so a reader that remembers the last index it saw never
// misses an event that commits later.
func (tx *Tx) InstitutionEvents(ctx context.Context, institutionID string, types []string, afterLeaf int64, limit int) ([]EvidenceEvent, error) {
	args := []any{institutionID, afterLeaf}
	q := `SELECT ` + evidenceEventColumns + ` FROM evidence_events WHERE institution_id = $1 AND leaf_index IS NOT NULL AND leaf_index > $2`
	if len(types) > 0 {
		q += ` AND type IN (` + paramList(3, len(types)) + `)`
		for _, t := range types {
			args = append(args, t)
		}
	}
	args = append(args, limitOr(limit, 1000))
	q += fmt.Sprintf(` ORDER BY leaf_index LIMIT $%d`, len(args))
	return tx.evidenceEvents(ctx, "institution events", q, args...)
}

// EventsAfterLeaf returns integrated evidence events of any institution
// with a leaf index above afterLeaf, in log order: what the webhook
// dispatcher reads.
func (tx *Tx) EventsAfterLeaf(ctx context.Context, afterLeaf int64, limit int) ([]EvidenceEvent, error) {
	return tx.evidenceEvents(ctx, "events after leaf", `SELECT `+evidenceEventColumns+` FROM evidence_events
		WHERE leaf_index IS NOT NULL AND leaf_index > $1 ORDER BY leaf_index LIMIT $2`, afterLeaf, limitOr(limit, 1000))
}

// CountJobsOfKind counts the jobs of one kind in any state, for tests and
// figures (JobsByKind reads whole rows).
func (tx *Tx) CountJobsOfKind(ctx context.Context, kind string) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind = $1`, kind).Scan(&n)
	return n, wrap("count jobs of kind "+kind, err)
}
