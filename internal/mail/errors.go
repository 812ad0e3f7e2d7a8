package mail

import (
	"errors"
	"fmt"
)

// Errors a Sender returns, for the job worker to decide between retrying and
// giving up. Compare with errors.Is.
var (
	// ErrPermanent means resending the same message will fail again: the
	// recipient or the content was refused with a 5xx reply, or the message is
	// invalid. The job is not retried and the failure is recorded (a bounce).
	// Every other error is temporary.
	ErrPermanent = errors.New("mail: permanent delivery failure")
	// ErrRecipientRejected is the permanent failure of one address (5xx to
	// RCPT TO): the bounce to record against the citizen's email. It also
	// matches ErrPermanent.
	ErrRecipientRejected = errors.New("mail: recipient rejected")
	// ErrInvalidMessage means Message.Validate refused the message; nothing
	// was sent. It also matches ErrPermanent.
	ErrInvalidMessage = errors.New("mail: invalid message")
	// ErrClosed means the sender was closed; the job is retried later,
	// possibly by another process.
	ErrClosed = errors.New("mail: sender closed")
)

// invalidError is a validation failure: both ErrInvalidMessage and ErrPermanent.
type invalidError struct{ reason string }

func invalid(reason string) error { return &invalidError{reason} }

func (e *invalidError) Error() string { return "mail: invalid message: " + e.reason }

func (e *invalidError) Is(target error) bool {
	return target == ErrInvalidMessage || target == ErrPermanent
}

// Stage names the step of the SMTP dialogue where a send failed.
type Stage string

// The stages of one delivery, in order.
const (
	StageConnect Stage = "connect" // dial, greeting, STARTTLS, AUTH
	StageMail    Stage = "mail"    // MAIL FROM
	StageRcpt    Stage = "rcpt"    // RCPT TO
	StageData    Stage = "data"    // DATA, the content and the final reply
)

// SendError is a failed delivery as the SMTP sender reports it, with the server's
// reply code for the bounce record. Use errors.As to read it and errors.Is with
// ErrPermanent or ErrRecipientRejected to classify it.
type SendError struct {
	// MessageID is the Message-ID of the message that failed.
	MessageID string
	// Stage is where the dialogue failed.
	Stage Stage
	// Code is the SMTP reply code (e.g. 451, 550), 0 if there was no reply
	// (network failure, timeout, cancelled context).
	Code int
	// EnhancedCode is the RFC 3463 status (e.g. "5.1.1") when the server gives one.
	EnhancedCode string
	// Err is the underlying error, including the server's reply text.
	Err error
}

func (e *SendError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("mail: send %s: %s: reply %d: %v", e.MessageID, e.Stage, e.Code, e.Err)
	}
	return fmt.Sprintf("mail: send %s: %s: %v", e.MessageID, e.Stage, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// Permanent reports whether resending cannot succeed: a 5xx reply to the
// recipient or to the content. A 5xx while connecting or to MAIL FROM (bad
// credentials, sender not allowed) is our configuration, not the message: it
// stays temporary so the jobs wait, visibly failing, until an operator fixes it.
func (e *SendError) Permanent() bool {
	return e.Code >= 500 && e.Code < 600 && (e.Stage == StageRcpt || e.Stage == StageData)
}

// Is makes errors.Is(err, ErrPermanent) and errors.Is(err, ErrRecipientRejected) work.
func (e *SendError) Is(target error) bool {
	switch target {
	case ErrPermanent:
		return e.Permanent()
	case ErrRecipientRejected:
		return e.Permanent() && e.Stage == StageRcpt
	}
	return false
}
