package client

import "time"

// Deadline is a notification's deadline: Count business days ("termino"),
// calendar days ("plazo_days") or months ("plazo_months"), or a Date
// ("date", YYYY-MM-DD).
type Deadline struct {
	Kind  string `json:"kind"`
	Count int    `json:"count,omitempty"`
	Date  string `json:"date,omitempty"`
}

// Tramite names the procedure a notification belongs to.
type Tramite struct {
	Expediente string `json:"expediente"`
	Title      string `json:"title"`
}

// NotificationRequest is one notification to one or more recipients.
type NotificationRequest struct {
	Recipients []string  `json:"recipients"`
	Subject    string    `json:"subject"`
	Body       string    `json:"body"`
	Category   string    `json:"category,omitempty"`
	Reference  string    `json:"reference,omitempty"`
	Tramite    *Tramite  `json:"tramite,omitempty"`
	Deadline   *Deadline `json:"deadline,omitempty"`
	FileIDs    []string  `json:"file_ids,omitempty"`
	Rectifies  string    `json:"rectifies,omitempty"`
}

// SubmissionResult says what happened to each recipient of a notification.
type SubmissionResult struct {
	Mode         string            `json:"mode"`
	SubmissionID string            `json:"submission_id,omitempty"`
	DepositedAt  time.Time         `json:"deposited_at"`
	DueDate      string            `json:"due_date,omitempty"`
	Deposited    int               `json:"deposited"`
	Refused      int               `json:"refused"`
	Results      []RecipientResult `json:"results"`
}

// RecipientResult is one recipient's outcome: Status "deposited" with the
// notification's id, or "refused" with a Code such as
// "recipient_not_registered" (notify that person by other means).
type RecipientResult struct {
	Position         int    `json:"position"`
	Recipient        string `json:"recipient"`
	Status           string `json:"status"`
	NotificationID   string `json:"notification_id,omitempty"`
	VerificationCode string `json:"verification_code,omitempty"`
	Code             string `json:"code,omitempty"`
	Detail           string `json:"detail,omitempty"`
	DetailEN         string `json:"detail_en,omitempty"`
}

// Deposited reports whether the recipient's notification was deposited.
func (r RecipientResult) Deposited() bool { return r.Status == "deposited" }

// File is an uploaded attachment.
type File struct {
	ID        string    `json:"id"`
	Mode      string    `json:"mode"`
	Filename  string    `json:"filename"`
	MediaType string    `json:"media_type"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
}

// Attachment is a notification's attachment.
type Attachment struct {
	ID        string `json:"id,omitempty"`
	Filename  string `json:"filename"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
}

// Alert is where a notification's email alert stands.
type Alert struct {
	State    string     `json:"state"`
	At       *time.Time `json:"at,omitempty"`
	Attempts int        `json:"attempts"`
}

// TimelineEvent is one evidence event of a notification.
type TimelineEvent struct {
	ID         string            `json:"id"`
	Type       string            `json:"type"`
	OccurredAt time.Time         `json:"occurred_at"`
	Actor      string            `json:"actor"`
	Details    map[string]string `json:"details,omitempty"`
}

// Notification is a notification's state and, from Notification, its
// attachments and timeline.
type Notification struct {
	ID                string          `json:"id"`
	Mode              string          `json:"mode"`
	Recipient         string          `json:"recipient"`
	Subject           string          `json:"subject"`
	Reference         string          `json:"reference"`
	Category          string          `json:"category"`
	State             string          `json:"state"`
	DepositedAt       time.Time       `json:"deposited_at"`
	VerificationCode  string          `json:"verification_code"`
	Deadline          *Deadline       `json:"deadline,omitempty"`
	DueDate           string          `json:"due_date,omitempty"`
	Rectifies         string          `json:"rectifies,omitempty"`
	Alert             Alert           `json:"alert"`
	OpenCount         int             `json:"open_count"`
	FirstOpenedAt     *time.Time      `json:"first_opened_at,omitempty"`
	LastOpenedAt      *time.Time      `json:"last_opened_at,omitempty"`
	FirstDownloadAt   *time.Time      `json:"first_download_at,omitempty"`
	DeadlineReachedAt *time.Time      `json:"deadline_reached_at,omitempty"`
	Attachments       []Attachment    `json:"attachments,omitempty"`
	Events            []TimelineEvent `json:"events,omitempty"`
}

// NotificationPage is a page of the list; NextCursor is "" on the last.
type NotificationPage struct {
	Notifications []Notification `json:"notifications"`
	NextCursor    string         `json:"next_cursor,omitempty"`
}

// Batch is a batch's progress and a page of its items.
type Batch struct {
	ID          string      `json:"id"`
	Mode        string      `json:"mode"`
	State       string      `json:"state"`
	Total       int         `json:"total"`
	Processed   int         `json:"processed"`
	Succeeded   int         `json:"succeeded"`
	Failed      int         `json:"failed"`
	Deposited   int         `json:"deposited"`
	Refused     int         `json:"refused"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
	CompletedAt *time.Time  `json:"completed_at,omitempty"`
	Items       []BatchItem `json:"items,omitempty"`
	NextAfter   *int        `json:"next_after,omitempty"`
}

// Completed reports whether every item was processed.
func (b *Batch) Completed() bool { return b.State == "completed" }

// BatchItem is one notification of a batch.
type BatchItem struct {
	Position int               `json:"position"`
	Status   string            `json:"status"`
	Result   *SubmissionResult `json:"result,omitempty"`
	Error    *Problem          `json:"error,omitempty"`
}

// Event is one event of the feed, as webhooks also carry it.
type Event struct {
	ID             string            `json:"id"`
	Type           string            `json:"type"`
	OccurredAt     time.Time         `json:"occurred_at"`
	NotificationID string            `json:"notification_id,omitempty"`
	Reference      string            `json:"reference,omitempty"`
	Recipient      string            `json:"recipient,omitempty"`
	Details        map[string]string `json:"details,omitempty"`
}

// EventPage is a page of the feed; keep NextCursor for the next poll.
type EventPage struct {
	Events     []Event `json:"events"`
	NextCursor string  `json:"next_cursor"`
	HasMore    bool    `json:"has_more"`
}

// WebhookRequest registers a webhook endpoint.
type WebhookRequest struct {
	URL         string   `json:"url"`
	Description string   `json:"description,omitempty"`
	EventTypes  []string `json:"event_types,omitempty"`
}

// Webhook is an endpoint; Secret only in CreateWebhook's answer.
type Webhook struct {
	ID           string     `json:"id"`
	URL          string     `json:"url"`
	Description  string     `json:"description"`
	EventTypes   []string   `json:"event_types"`
	State        string     `json:"state"`
	StateReason  string     `json:"state_reason,omitempty"`
	FailingSince *time.Time `json:"failing_since,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	Secret       string     `json:"secret,omitempty"`
	Deliveries   []Delivery `json:"deliveries,omitempty"`
}

// Delivery is one message to an endpoint with its attempts.
type Delivery struct {
	ID         string    `json:"id"`
	MessageID  string    `json:"message_id"`
	EventType  string    `json:"event_type"`
	State      string    `json:"state"`
	Attempts   []Attempt `json:"attempts"`
	LastStatus int       `json:"last_status,omitempty"`
	LastError  string    `json:"last_error,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Attempt is one try at a delivery.
type Attempt struct {
	Number     int       `json:"number"`
	At         time.Time `json:"at"`
	Status     int       `json:"status"`
	DurationMS int64     `json:"duration_ms"`
	Error      string    `json:"error,omitempty"`
}

// TestEvent is the delivery a test event was queued as.
type TestEvent struct {
	DeliveryID string `json:"delivery_id"`
	MessageID  string `json:"message_id"`
}

// WebhookMessage is the body Buzón posts to an endpoint.
type WebhookMessage struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      Event     `json:"data"`
}
