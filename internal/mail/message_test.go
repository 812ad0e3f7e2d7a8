package mail

import (
	"errors"
	"mime"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
)

func TestNewMessageID(t *testing.T) {
	re := regexp.MustCompile(`^<[A-Z2-7]{26}@buzon\.gob\.ec>$`)
	seen := map[string]bool{}
	for range 1000 {
		id := NewMessageID("buzon.gob.ec")
		if !re.MatchString(id) {
			t.Fatalf("NewMessageID = %q, want <26 base32 characters@buzon.gob.ec>", id)
		}
		if err := validMessageID(id); err != nil {
			t.Fatalf("NewMessageID made an id Validate refuses: %v", err)
		}
		if seen[id] {
			t.Fatalf("NewMessageID repeated %q", id)
		}
		seen[id] = true
	}
	if id := NewMessageID(""); !strings.HasSuffix(id, "@localhost>") {
		t.Errorf("NewMessageID(\"\") = %q, want @localhost", id)
	}
}

func TestMessageValidate(t *testing.T) {
	valid := func() *Message {
		return &Message{From: "Buzón <no-responder@buzon.gob.ec>", To: "María <maria@example.com>", Subject: "Aviso",
			Text: "Hola", MessageID: "<ABC@buzon.gob.ec>", Headers: map[string]string{"Auto-Submitted": "auto-generated"}}
	}
	tests := []struct {
		name   string
		change func(*Message)
		ok     bool
	}{
		{"valid", func(*Message) {}, true},
		{"no From (the sender's default)", func(m *Message) { m.From = "" }, true},
		{"subject with a tab", func(m *Message) { m.Subject = "a\tb" }, true},
		{"UTF-8 everywhere", func(m *Message) { m.Subject = "Notificación ñ"; m.To = "Ñúñez <n@example.com>" }, true},
		{"HTML optional", func(m *Message) { m.HTML = "" }, true},
		{"no recipient", func(m *Message) { m.To = "" }, false},
		{"recipient list", func(m *Message) { m.To = "a@example.com, b@example.com" }, false},
		{"recipient group", func(m *Message) { m.To = "g: a@example.com;" }, false},
		{"bad recipient", func(m *Message) { m.To = "not an address" }, false},
		{"bad From", func(m *Message) { m.From = "Buzón" }, false},
		{"LF in To", func(m *Message) { m.To = "a@example.com\nBcc: b@example.com" }, false},
		{"CR in From", func(m *Message) { m.From = "a@example.com\rBcc: b@example.com" }, false},
		{"CRLF in subject", func(m *Message) { m.Subject = "x\r\nBcc: b@example.com" }, false},
		{"NUL in subject", func(m *Message) { m.Subject = "x\x00y" }, false},
		{"line separator in subject", func(m *Message) { m.Subject = "x\u2028y" }, false},
		{"empty subject", func(m *Message) { m.Subject = "  " }, false},
		{"empty text", func(m *Message) { m.Text = "\n" }, false},
		{"no Message-ID", func(m *Message) { m.MessageID = "" }, false},
		{"Message-ID without brackets", func(m *Message) { m.MessageID = "ABC@buzon.gob.ec" }, false},
		{"Message-ID without domain", func(m *Message) { m.MessageID = "<ABC>" }, false},
		{"Message-ID with space", func(m *Message) { m.MessageID = "<A B@buzon.gob.ec>" }, false},
		{"Message-ID with two @", func(m *Message) { m.MessageID = "<a@b@c>" }, false},
		{"Message-ID with dot at end", func(m *Message) { m.MessageID = "<a.@b>" }, false},
		{"header value with LF", func(m *Message) { m.Headers["X-A"] = "1\nBcc: b@example.com" }, false},
		{"header name with space", func(m *Message) { m.Headers["X A"] = "1" }, false},
		{"header name with colon", func(m *Message) { m.Headers["X:A"] = "1" }, false},
		{"empty header name", func(m *Message) { m.Headers[""] = "1" }, false},
		{"header name non-ASCII", func(m *Message) { m.Headers["X-Ñ"] = "1" }, false},
		{"reserved header Bcc", func(m *Message) { m.Headers["Bcc"] = "b@example.com" }, false},
		{"reserved header any case", func(m *Message) { m.Headers["message-id"] = "<x@y>" }, false},
		{"reserved Content-Type", func(m *Message) { m.Headers["Content-Type"] = "text/html" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.change(m)
			err := m.Validate()
			if tt.ok {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidMessage) || !errors.Is(err, ErrPermanent) {
				t.Errorf("Validate = %v, want ErrInvalidMessage and ErrPermanent", err)
			}
		})
	}
}

func TestSendErrorClassification(t *testing.T) {
	tests := []struct {
		stage                Stage
		code                 int
		permanent, recipient bool
	}{
		{StageRcpt, 550, true, true},
		{StageRcpt, 553, true, true},
		{StageRcpt, 451, false, false},
		{StageData, 554, true, false},
		{StageData, 452, false, false},
		{StageData, 0, false, false},
		{StageMail, 550, false, false}, // the sender is refused: our configuration
		{StageMail, 0, false, false},
		{StageConnect, 535, false, false}, // bad credentials: our configuration
		{StageConnect, 0, false, false},
	}
	for _, tt := range tests {
		err := error(&SendError{MessageID: "<a@b>", Stage: tt.stage, Code: tt.code, Err: errors.New("reply")})
		if got := errors.Is(err, ErrPermanent); got != tt.permanent {
			t.Errorf("%s %d: permanent = %v, want %v", tt.stage, tt.code, got, tt.permanent)
		}
		if got := errors.Is(err, ErrRecipientRejected); got != tt.recipient {
			t.Errorf("%s %d: recipient rejected = %v, want %v", tt.stage, tt.code, got, tt.recipient)
		}
	}
}

// FuzzMessageHeaders: whatever the caller's strings, a message that passes
// Validate is written with exactly the headers we mean, one recipient, and the
// subject intact.
func FuzzMessageHeaders(f *testing.F) {
	f.Add("María <maria@example.com>", "Notificación ñ", "X-Kind", "alert")
	f.Add("a@example.com\r\nBcc: b@example.com", "s", "X-A", "v")
	f.Add("a@example.com", "s\nBcc: b@example.com", "X-A", "v")
	f.Add("\"x\\\"\r\n\" <a@example.com>", "=?utf-8?q?a?=", "Bcc", "b@example.com")
	f.Add("a@example.com", strings.Repeat("ñandú ", 40), "X-Long", strings.Repeat("v", 200))
	s, err := NewSMTP(SMTPConfig{Host: "localhost", From: "Buzón <no-responder@buzon.gob.ec>"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, to, subject, hname, hvalue string) {
		m := &Message{To: to, Subject: subject, Text: "t", MessageID: "<A@b.ec>", Headers: map[string]string{hname: hvalue}}
		if m.Validate() != nil {
			return
		}
		msg, err := s.build(m)
		if err != nil {
			t.Fatalf("build of a valid message: %v", err)
		}
		var buf strings.Builder
		if _, err := msg.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		parsed, err := netmail.ReadMessage(strings.NewReader(buf.String()))
		if err != nil {
			t.Fatalf("unparsable output: %v\n%s", err, buf.String())
		}
		want, _ := netmail.ParseAddress(to)
		got, err := parsed.Header.AddressList("To")
		if err != nil || len(got) != 1 || got[0].Address != want.Address {
			t.Fatalf("To = %v (%v), want only %s\n%s", got, err, want.Address, buf.String())
		}
		for _, h := range []string{"Bcc", "Cc", "Reply-To", "Sender"} {
			if _, ok := parsed.Header[h]; ok {
				t.Fatalf("output has a %s header:\n%s", h, buf.String())
			}
		}
		if ids := parsed.Header["Message-Id"]; len(ids) != 1 || ids[0] != "<A@b.ec>" {
			t.Fatalf("Message-ID = %q", ids)
		}
		dec, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("subject %q: %v", parsed.Header.Get("Subject"), err)
		}
		if strings.Join(strings.Fields(dec), " ") != strings.Join(strings.Fields(subject), " ") {
			t.Fatalf("subject %q came out as %q", subject, dec)
		}
	})
}
