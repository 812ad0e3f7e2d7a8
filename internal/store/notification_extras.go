package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Tramite is an institution's administrative procedure, by expediente number.
type Tramite struct {
	ID            string
	InstitutionID string
	Expediente    string
	Title         string
	CreatedAt     time.Time
}

// EnsureTramite returns the institution's trámite with the expediente
// number, creating it with title when it does not exist yet. The title of
// an existing trámite is kept.
func (tx *Tx) EnsureTramite(ctx context.Context, institutionID, expediente, title string, now time.Time) (*Tramite, error) {
	t := &Tramite{ID: NewID(), InstitutionID: institutionID, Expediente: expediente, Title: title, CreatedAt: now}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO tramites (id, institution_id, expediente, title, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (institution_id, expediente) DO NOTHING`,
		t.ID, institutionID, expediente, title, micros(now))
	if err != nil {
		return nil, wrap("ensure tramite", err)
	}
	return tx.tramite(ctx, "tramite "+expediente, `institution_id = $1 AND expediente = $2`, institutionID, expediente)
}

// TramiteByID returns one trámite.
func (tx *Tx) TramiteByID(ctx context.Context, id string) (*Tramite, error) {
	return tx.tramite(ctx, "tramite "+id, `id = $1`, id)
}

func (tx *Tx) tramite(ctx context.Context, op, where string, args ...any) (*Tramite, error) {
	var t Tramite
	var created int64
	err := tx.q.QueryRowContext(ctx, `SELECT id, institution_id, expediente, title, created_at FROM tramites WHERE `+where, args...).
		Scan(&t.ID, &t.InstitutionID, &t.Expediente, &t.Title, &created)
	if err != nil {
		return nil, wrap(op, err)
	}
	t.CreatedAt = fromMicros(created)
	return &t, nil
}

// NotificationTemplate is an institution's reusable text.
type NotificationTemplate struct {
	ID            string
	InstitutionID string
	Name          string
	Subject       string
	Body          string
	Category      string
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// SaveNotificationTemplate inserts a template, or updates it when its id
// exists in the same institution. A second template with the same name in
// one institution is ErrDuplicate.
func (tx *Tx) SaveNotificationTemplate(ctx context.Context, t *NotificationTemplate) error {
	if t.ID == "" {
		t.ID = NewID()
		_, err := tx.q.ExecContext(ctx, `INSERT INTO notification_templates (id, institution_id, name, subject, body, category, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
			t.ID, t.InstitutionID, t.Name, t.Subject, t.Body, t.Category, t.CreatedBy, micros(t.CreatedAt))
		return wrapWrite("insert template", err)
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE notification_templates SET name = $3, subject = $4, body = $5, category = $6, updated_at = $7
		WHERE id = $1 AND institution_id = $2`, t.ID, t.InstitutionID, t.Name, t.Subject, t.Body, t.Category, micros(t.UpdatedAt))
	if err != nil {
		return wrapWrite("update template", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wrap("update template", ErrNotFound)
	}
	return nil
}

// DeleteNotificationTemplate removes an institution's template.
func (tx *Tx) DeleteNotificationTemplate(ctx context.Context, institutionID, id string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM notification_templates WHERE id = $1 AND institution_id = $2`, id, institutionID)
	return wrap("delete template", err)
}

// NotificationTemplates lists an institution's templates by name.
func (tx *Tx) NotificationTemplates(ctx context.Context, institutionID string) ([]NotificationTemplate, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id, institution_id, name, subject, body, category, created_by, created_at, updated_at
		FROM notification_templates WHERE institution_id = $1 ORDER BY name`, institutionID)
	if err != nil {
		return nil, wrap("templates", err)
	}
	defer rows.Close()
	var out []NotificationTemplate
	for rows.Next() {
		var t NotificationTemplate
		var c, u int64
		if err := rows.Scan(&t.ID, &t.InstitutionID, &t.Name, &t.Subject, &t.Body, &t.Category, &t.CreatedBy, &c, &u); err != nil {
			return nil, wrap("templates", err)
		}
		t.CreatedAt, t.UpdatedAt = fromMicros(c), fromMicros(u)
		out = append(out, t)
	}
	return out, wrap("templates", rows.Err())
}

// ReminderPreference returns the reminder days a citizen chose (as stored,
// e.g. "5,2"), or "" when he kept the defaults.
func (tx *Tx) ReminderPreference(ctx context.Context, identityID string) (string, error) {
	var days string
	err := tx.q.QueryRowContext(ctx, `SELECT days FROM reminder_preferences WHERE identity_id = $1`, identityID).Scan(&days)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return days, wrap("reminder preference", err)
}

// ReminderPreferences returns the chosen days of several citizens, by
// identity id; those who kept the defaults are absent.
func (tx *Tx) ReminderPreferences(ctx context.Context, identityIDs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, chunk := range idChunks(identityIDs, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := tx.q.QueryContext(ctx, `SELECT identity_id, days FROM reminder_preferences WHERE identity_id IN (`+paramList(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, wrap("reminder preferences", err)
		}
		for rows.Next() {
			var id, days string
			if err := rows.Scan(&id, &days); err != nil {
				rows.Close()
				return nil, wrap("reminder preferences", err)
			}
			out[id] = days
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrap("reminder preferences", err)
		}
	}
	return out, nil
}

// SetReminderPreference stores a citizen's reminder days; "" restores the defaults.
func (tx *Tx) SetReminderPreference(ctx context.Context, identityID, days string, now time.Time) error {
	if days == "" {
		_, err := tx.q.ExecContext(ctx, `DELETE FROM reminder_preferences WHERE identity_id = $1`, identityID)
		return wrap("reset reminder preference", err)
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO reminder_preferences (identity_id, days, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (identity_id) DO UPDATE SET days = excluded.days, updated_at = excluded.updated_at`, identityID, days, micros(now))
	return wrap("set reminder preference", err)
}

// CalendarOverride is a decree's effect on one day, as entered by the
// platform administrator.
type CalendarOverride struct {
	Day       string // YYYY-MM-DD
	Kind      string // feriado or laborable
	Name      string
	CreatedBy string
	CreatedAt time.Time
}

// CalendarOverrides returns every override in date order.
func (tx *Tx) CalendarOverrides(ctx context.Context) ([]CalendarOverride, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT day, kind, name, created_by, created_at FROM calendar_overrides ORDER BY day`)
	if err != nil {
		return nil, wrap("calendar overrides", err)
	}
	defer rows.Close()
	var out []CalendarOverride
	for rows.Next() {
		var o CalendarOverride
		var c int64
		if err := rows.Scan(&o.Day, &o.Kind, &o.Name, &o.CreatedBy, &c); err != nil {
			return nil, wrap("calendar overrides", err)
		}
		o.CreatedAt = fromMicros(c)
		out = append(out, o)
	}
	return out, wrap("calendar overrides", rows.Err())
}

// PutCalendarOverride adds or replaces the override of a day.
func (tx *Tx) PutCalendarOverride(ctx context.Context, o *CalendarOverride) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO calendar_overrides (day, kind, name, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, created_by = excluded.created_by, created_at = excluded.created_at`,
		o.Day, o.Kind, o.Name, o.CreatedBy, micros(o.CreatedAt))
	return wrap("put calendar override "+o.Day, err)
}

// DeleteCalendarOverride removes the override of a day; it reports whether there was one.
func (tx *Tx) DeleteCalendarOverride(ctx context.Context, day string) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM calendar_overrides WHERE day = $1`, day)
	return affected("delete calendar override "+day, res, err)
}

// NotificationDraft is a send waiting for the notifier's confirmation.
type NotificationDraft struct {
	ID            string
	InstitutionID string
	CreatedBy     string
	Payload       []byte // sealed
	CreatedAt     time.Time
}

// SaveNotificationDraft stores a draft and forgets those created before
// expireBefore.
func (tx *Tx) SaveNotificationDraft(ctx context.Context, d *NotificationDraft, expireBefore time.Time) error {
	if d.ID == "" {
		d.ID = NewID()
	}
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM notification_drafts WHERE created_at < $1`, micros(expireBefore)); err != nil {
		return wrap("expire drafts", err)
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO notification_drafts (id, institution_id, created_by, payload, created_at)
		VALUES ($1, $2, $3, $4, $5)`, d.ID, d.InstitutionID, d.CreatedBy, d.Payload, micros(d.CreatedAt))
	return wrap("save draft", err)
}

// NotificationDraftByID returns a draft of one institution by one person.
func (tx *Tx) NotificationDraftByID(ctx context.Context, id, institutionID, createdBy string) (*NotificationDraft, error) {
	var d NotificationDraft
	var c int64
	err := tx.q.QueryRowContext(ctx, `SELECT id, institution_id, created_by, payload, created_at FROM notification_drafts
		WHERE id = $1 AND institution_id = $2 AND created_by = $3`, id, institutionID, createdBy).
		Scan(&d.ID, &d.InstitutionID, &d.CreatedBy, &d.Payload, &c)
	if err != nil {
		return nil, wrap("draft "+id, err)
	}
	d.CreatedAt = fromMicros(c)
	return &d, nil
}

// DeleteNotificationDraft removes a draft; it reports whether it existed, so
// that two confirmations of one draft send once.
func (tx *Tx) DeleteNotificationDraft(ctx context.Context, id string) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM notification_drafts WHERE id = $1`, id)
	return affected("delete draft "+id, res, err)
}
