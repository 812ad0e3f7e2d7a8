// Package outbox delivers email through the job queue: a message is queued in
// the transaction that decides to send it, and a worker hands it to a
// mail.Sender later, retrying with backoff. The queued message is already
// rendered and carries its Message-ID, so every retry sends the same mail and
// a duplicate after a crash is recognisable as one.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/metrics"
	"buzon/internal/store"
)

// Kind is the job kind of queued mail.
const Kind = "mail"

// Enqueue validates m, gives it a Message-ID if it has none, and queues it in
// tx. Nothing is sent unless tx commits.
func Enqueue(ctx context.Context, tx *store.Tx, m *mail.Message, now time.Time, opt jobs.Options) error {
	if m.MessageID == "" {
		m.MessageID = mail.NewMessageID(domainOf(m.From))
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("queue mail to %s: %w", m.To, err)
	}
	if _, err := jobs.Enqueue(ctx, tx, Kind, m, now, opt); err != nil {
		return fmt.Errorf("queue mail to %s: %w", m.To, err)
	}
	return nil
}

// Job returns the job kind that sends queued mail through s. A message the
// server refuses for good (an unknown mailbox) fails at once; anything else
// is retried.
func Job(s mail.Sender, m *metrics.Metrics, logger *slog.Logger) jobs.Kind {
	return jobs.Kind{
		Name:        Kind,
		MaxAttempts: 12, // about a day of backoff before giving up
		Timeout:     2 * time.Minute,
		Handler: func(ctx context.Context, j *store.Job) error {
			var msg mail.Message
			if err := jobs.Decode(j, &msg); err != nil {
				return err
			}
			err := s.Send(ctx, &msg)
			if m != nil {
				if err != nil {
					m.MailsFailed.Inc()
				} else {
					m.MailsSent.Inc()
				}
			}
			if err == nil {
				logger.Info("mail sent", "job", j.ID, "message_id", msg.MessageID, "attempt", j.Attempts)
				return nil
			}
			if errors.Is(err, mail.ErrPermanent) {
				return jobs.Permanent(err)
			}
			return err
		},
	}
}

// DevMailbox is the Sender of a server without SMTP: it keeps every message in
// the database, where /dev/mail shows it.
type DevMailbox struct {
	DB  *store.DB
	Now func() time.Time
}

// Send stores m.
func (d DevMailbox) Send(ctx context.Context, m *mail.Message) error {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	if err := m.Validate(); err != nil {
		return err
	}
	return d.DB.Write(ctx, func(tx *store.Tx) error {
		return tx.SaveDevMail(ctx, &store.DevMail{
			MessageID: m.MessageID, From: m.From, To: m.To, Subject: m.Subject,
			Text: m.Text, HTML: m.HTML, CreatedAt: now().UTC(),
		})
	})
}

func domainOf(addr string) string {
	addr = strings.TrimSuffix(strings.TrimSpace(addr), ">")
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "localhost"
}
