package notification

import (
	"context"
	"log/slog"
	"time"

	"buzon/internal/blob"
	"buzon/internal/calendar"
	"buzon/internal/mail"
	"buzon/internal/richtext"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// Limits bound what one submission may carry; the zero value of a field
// means its default.
type Limits struct {
	MaxRecipients     int   // default 5000
	MaxAttachments    int   // default 10
	MaxAttachmentSize int64 // bytes; default 25 MiB
	MaxTotalSize      int64 // bytes, all attachments of a send; default 50 MiB
	// DepositChunk is how many recipients of a large recipients file are
	// deposited per transaction (see StartUpload); default 1000.
	DepositChunk int
}

func (l Limits) withDefaults() Limits {
	if l.MaxRecipients <= 0 {
		l.MaxRecipients = 5000
	}
	if l.MaxAttachments <= 0 {
		l.MaxAttachments = 10
	}
	if l.MaxAttachmentSize <= 0 {
		l.MaxAttachmentSize = 25 << 20
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = 50 << 20
	}
	return l
}

// Service holds the notification feature's dependencies. Build one per
// process; it is safe for concurrent use.
type Service struct {
	DB        *store.DB
	Keys      *seal.Keyring // seals bodies
	Blobs     *blob.Sealed  // attachments
	Mail      *mail.Templates
	Calendars *Calendars
	// Now is the clock; nil means time.Now. Domain code never reads the
	// wall clock itself, so tests can walk through deadlines.
	Now func() time.Time
	// SiteURL is the platform's address the alert tells citizens to type.
	SiteURL string
	// MailDomain is the right side of the Message-IDs of alerts and
	// reminders, which are derived from the notification id.
	MailDomain string
	// MailFrom is the From of alerts and reminders; "" means the sender's default.
	MailFrom string
	Limits   Limits
	// ValidateBody checks a body's formatting; nil means richtext.Validate.
	ValidateBody func(string) error
	Logger       *slog.Logger
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Service) limits() Limits { return s.Limits.withDefaults() }

func (s *Service) mailDomain() string {
	if s.MailDomain != "" {
		return s.MailDomain
	}
	return "buzon.localhost"
}

// today is the current date in Ecuador.
func (s *Service) today() calendar.Date { return calendar.DateOf(s.now()) }

func (s *Service) validateBody(body string) error {
	if s.ValidateBody != nil {
		return s.ValidateBody(body)
	}
	return richtext.Validate(body)
}

// Today is the current date in Ecuador by the service's clock.
func (s *Service) Today() calendar.Date { return s.today() }

// Calendar returns the business-day calendar in force (the law and the decrees).
func (s *Service) Calendar(ctx context.Context) (*calendar.Calendar, error) { return s.calendar(ctx) }

// Time returns the current instant by the service's clock, in UTC.
func (s *Service) Time() time.Time { return s.now() }
