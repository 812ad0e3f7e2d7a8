package store

import (
	"context"
	"time"
)

// DevMail is a message kept in the development mailbox instead of being sent.
type DevMail struct {
	ID        string
	MessageID string
	From      string
	To        string
	Subject   string
	Text      string
	HTML      string
	CreatedAt time.Time
}

// SaveDevMail keeps a message in the development mailbox.
func (tx *Tx) SaveDevMail(ctx context.Context, m *DevMail) error {
	if m.ID == "" {
		m.ID = NewID()
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO dev_mail (id, message_id, sender, recipient, subject, text_body, html_body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		m.ID, m.MessageID, m.From, m.To, m.Subject, m.Text, m.HTML, micros(m.CreatedAt))
	return wrap("save dev mail", err)
}

// DevMails lists the development mailbox, newest first.
func (tx *Tx) DevMails(ctx context.Context, limit int) ([]DevMail, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id, message_id, sender, recipient, subject, text_body, html_body, created_at
		FROM dev_mail ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, wrap("list dev mail", err)
	}
	defer rows.Close()
	var ms []DevMail
	for rows.Next() {
		var m DevMail
		var created int64
		if err := rows.Scan(&m.ID, &m.MessageID, &m.From, &m.To, &m.Subject, &m.Text, &m.HTML, &created); err != nil {
			return nil, wrap("list dev mail", err)
		}
		m.CreatedAt = fromMicros(created)
		ms = append(ms, m)
	}
	return ms, wrap("list dev mail", rows.Err())
}

// DevMail returns one message of the development mailbox.
func (tx *Tx) DevMail(ctx context.Context, id string) (*DevMail, error) {
	var m DevMail
	var created int64
	err := tx.q.QueryRowContext(ctx, `SELECT id, message_id, sender, recipient, subject, text_body, html_body, created_at
		FROM dev_mail WHERE id = $1`, id).Scan(&m.ID, &m.MessageID, &m.From, &m.To, &m.Subject, &m.Text, &m.HTML, &created)
	if err != nil {
		return nil, wrap("dev mail "+id, err)
	}
	m.CreatedAt = fromMicros(created)
	return &m, nil
}
