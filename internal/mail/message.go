package mail

import (
	"crypto/rand"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// Message is one email to one person. Alerts are personal, so a message has
// exactly one recipient; sending to many means many messages, each with its own
// Message-ID, which is what lets a job retry one recipient without touching the
// others.
type Message struct {
	// From is the header From, e.g. "Buzón <no-reply@buzon.gob.ec>". Empty means
	// the sender's configured address.
	From string
	// To is the single recipient, e.g. "María <maria@example.com>".
	To string
	// Subject is one line of plain text; any character may be non-ASCII.
	Subject string
	// Text is the plain-text body; it is required, since some readers (and
	// screen readers in text mode) show nothing else.
	Text string
	// HTML is the optional HTML alternative of Text.
	HTML string
	// MessageID is the RFC 5322 identifier, "<random@domain>", made by
	// NewMessageID when the job is queued and kept across retries.
	MessageID string
	// Date is the header Date; zero means the moment of sending.
	Date time.Time
	// Headers are extra header fields, e.g. "Auto-Submitted". The fields the
	// sender writes itself (From, To, Subject, Date, Message-ID, MIME and
	// Content fields, Cc, Bcc...) cannot be set here.
	Headers map[string]string
}

// NewMessageID returns a fresh random Message-ID "<id@domain>" for a message
// about to be queued. domain should be the platform's mail domain, so that the
// identifier is unique world-wide.
func NewMessageID(domain string) string {
	if domain == "" {
		domain = "localhost"
	}
	// rand.Text has 130 bits of randomness in base32: A–Z and 2–7, all valid
	// in a dot-atom.
	return "<" + rand.Text() + "@" + domain + ">"
}

// reservedHeaders are the fields Send writes itself; letting Headers set them
// would allow a second From or a forged Message-ID.
var reservedHeaders = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "sender": true, "reply-to": true,
	"subject": true, "date": true, "message-id": true, "mime-version": true,
	"content-type": true, "content-transfer-encoding": true, "content-disposition": true,
	"return-path": true, "received": true, "in-reply-to": true, "references": true,
}

// Validate reports whether m can be sent as is. Every error matches
// ErrInvalidMessage (and ErrPermanent: resending the same message cannot help).
// Line breaks in the subject, the addresses or a header are refused, so no
// caller data can add a header field.
func (m *Message) Validate() error {
	if m.From != "" {
		if _, err := parseAddress("From", m.From); err != nil {
			return err
		}
	}
	if m.To == "" {
		return invalid("no recipient")
	}
	if _, err := parseAddress("To", m.To); err != nil {
		return err
	}
	if err := checkLine("subject", m.Subject); err != nil {
		return err
	}
	if strings.TrimSpace(m.Subject) == "" {
		return invalid("empty subject")
	}
	if strings.TrimSpace(m.Text) == "" {
		return invalid("empty text body")
	}
	if err := validMessageID(m.MessageID); err != nil {
		return err
	}
	for name, value := range m.Headers {
		if !validFieldName(name) {
			return invalid(fmt.Sprintf("bad header name %q", name))
		}
		if reservedHeaders[strings.ToLower(name)] {
			return invalid(fmt.Sprintf("header %s cannot be set by the caller", name))
		}
		if err := checkLine("header "+name, value); err != nil {
			return err
		}
	}
	return nil
}

// parseAddress parses a single address, refusing lists and line breaks.
func parseAddress(field, s string) (*mail.Address, error) {
	if err := checkLine(field, s); err != nil {
		return nil, err
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, invalid(fmt.Sprintf("%s address %q: %v", field, s, err))
	}
	if strings.HasSuffix(strings.TrimSpace(s), ";") {
		return nil, invalid(fmt.Sprintf("%s address %q: a group, want one address", field, s))
	}
	return a, nil
}

// checkLine refuses control characters (CR and LF above all) in a value that
// ends up inside one header line; a tab is folding white space and harmless.
func checkLine(field, s string) error {
	for _, r := range s {
		if r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029') {
			return invalid(fmt.Sprintf("%s contains a control character or line break", field))
		}
	}
	return nil
}

// validFieldName follows RFC 5322 §3.6.8: printable ASCII except the colon.
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// validMessageID accepts "<left@right>" where both sides are dot-atom text
// (RFC 5322 §3.6.4, without the obsolete and literal forms).
func validMessageID(id string) error {
	if id == "" {
		return invalid("no Message-ID (make one with NewMessageID when queuing)")
	}
	bad := invalid(fmt.Sprintf("malformed Message-ID %q", id))
	if len(id) > 250 || !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, ">") {
		return bad
	}
	left, right, ok := strings.Cut(id[1:len(id)-1], "@")
	if !ok || !dotAtom(left) || !dotAtom(right) {
		return bad
	}
	return nil
}

// dotAtom reports whether s is RFC 5322 dot-atom-text.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
