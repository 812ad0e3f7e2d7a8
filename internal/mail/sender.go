package mail

import "context"

// Sender delivers one message. Implementations are safe for concurrent use and
// treat Message.MessageID as the identity of the message: a retry after an
// error sends the same Message again, and must not be turned into a new mail.
// An error matching ErrPermanent means "do not retry"; any other error means
// "try again later".
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// SenderFunc adapts a function to Sender, for tests and small adapters.
type SenderFunc func(ctx context.Context, m *Message) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m *Message) error { return f(ctx, m) }
