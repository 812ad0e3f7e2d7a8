package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"buzon/internal/mail/mailtest"

	"github.com/google/go-cmp/cmp"
)

// newSender is an SMTP sender to srv; change adjusts the configuration.
func newSender(t testing.TB, srv *mailtest.Server, change func(*SMTPConfig)) *SMTP {
	t.Helper()
	cfg, err := ParseURL(srv.URL())
	if err != nil {
		t.Fatalf("ParseURL(%q): %v", srv.URL(), err)
	}
	cfg.HELO = "buzon.test"
	if change != nil {
		change(&cfg)
	}
	s, err := NewSMTP(cfg)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testMessage(to string) *Message {
	return &Message{
		To:        to,
		Subject:   "Nueva notificación",
		Text:      "Tiene una notificación.\n",
		MessageID: NewMessageID("buzon.example.test"),
	}
}

// waitCtx bounds a wait on the server; reaching the bound fails the test, it
// does not measure time.
func waitCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSMTPSendDeliversMessage(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv, nil)
	m := &Message{
		From:      "Buzón <no-reply@buzon.example.test>",
		To:        "María José Ñúñez <maria@example.com>",
		Subject:   "Notificación de la institución: año, acción, pingüino",
		Text:      "Línea uno con ñ y tildes: áéíóú.\nLínea dos.\n",
		HTML:      "<!DOCTYPE html>\n<html lang=\"es\"><body><p>Línea <strong>uno</strong> con ñ.</p></body></html>\n",
		MessageID: "<ABC123@buzon.example.test>",
		Date:      time.Date(2026, 3, 16, 15, 4, 5, 0, time.UTC),
		Headers:   map[string]string{"X-Buzon-Kind": "notification_alert"},
	}
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs, err := srv.Wait(waitCtx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	got := msgs[0]
	if got.ParseErr != nil {
		t.Fatalf("parse: %v\n%s", got.ParseErr, got.Raw)
	}
	type view struct {
		EnvelopeFrom string
		EnvelopeTo   []string
		From, To     string
		Subject      string
		MessageID    string
		Date         string
		AutoSub      string
		Custom       string
		UserAgent    string
		Text, HTML   string
	}
	dec := func(field string) string {
		a, err := got.Header.AddressList(field)
		if err != nil || len(a) != 1 {
			t.Fatalf("%s: %v %v", field, a, err)
		}
		return a[0].String()
	}
	want := view{
		EnvelopeFrom: "buzon@example.test", // the configured envelope sender, for bounces
		EnvelopeTo:   []string{"maria@example.com"},
		From:         `=?utf-8?q?Buz=C3=B3n?= <no-reply@buzon.example.test>`,
		To:           `=?utf-8?q?Mar=C3=ADa_Jos=C3=A9_=C3=91=C3=BA=C3=B1ez?= <maria@example.com>`,
		Subject:      m.Subject,
		MessageID:    "<ABC123@buzon.example.test>",
		Date:         "Mon, 16 Mar 2026 15:04:05 +0000",
		AutoSub:      "auto-generated",
		Custom:       "notification_alert",
		Text:         m.Text,
		HTML:         m.HTML,
	}
	gotView := view{
		EnvelopeFrom: got.From, EnvelopeTo: got.To,
		From: dec("From"), To: dec("To"),
		Subject: got.Subject, MessageID: got.MessageID,
		Date: got.Header.Get("Date"), AutoSub: got.Header.Get("Auto-Submitted"),
		Custom: got.Header.Get("X-Buzon-Kind"), UserAgent: got.Header.Get("User-Agent"),
		Text: got.Text, HTML: got.HTML,
	}
	if diff := cmp.Diff(want, gotView); diff != "" {
		t.Errorf("received message (-want +got):\n%s\nraw:\n%s", diff, got.Raw)
	}
}

func TestSMTPSendWireFormat(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv, nil)
	m := testMessage("ana@example.com")
	m.Subject = "Acción requerida: señor Muñoz, revise su buzón"
	m.HTML = "<p>Acción</p>\n"
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()[0]
	for i, b := range got.Raw {
		if b >= 0x80 {
			t.Fatalf("raw message has a non-ASCII byte at %d; headers and bodies must be encoded:\n%s", i, got.Raw)
		}
	}
	if subj := got.Header.Get("Subject"); !strings.HasPrefix(strings.ToUpper(subj), "=?UTF-8?") {
		t.Errorf("subject %q is not an RFC 2047 encoded word", subj)
	}
	if got.Subject != m.Subject {
		t.Errorf("decoded subject = %q, want %q", got.Subject, m.Subject)
	}
	ct := got.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "multipart/alternative;") {
		t.Errorf("Content-Type = %q, want multipart/alternative", ct)
	}
	// The plain text comes first: clients show the last alternative they can.
	if i, j := strings.Index(string(got.Raw), "text/plain"), strings.Index(string(got.Raw), "text/html"); i < 0 || j < 0 || i > j {
		t.Errorf("text/plain (at %d) must precede text/html (at %d)", i, j)
	}
	if got.Text != m.Text || got.HTML != m.HTML {
		t.Errorf("parts = %q, %q; want %q, %q", got.Text, got.HTML, m.Text, m.HTML)
	}
}

func TestSMTPSendTextOnlyIsSinglePart(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv, nil)
	if err := s.Send(t.Context(), testMessage("ana@example.com")); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()[0]
	if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want text/plain", ct)
	}
	if got.HTML != "" {
		t.Errorf("unexpected HTML part %q", got.HTML)
	}
}

func TestSMTPSendReusesConnection(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv, func(c *SMTPConfig) { c.Connections = 1 })
	for i := range 5 {
		if err := s.Send(t.Context(), testMessage(fmt.Sprintf("c%d@example.com", i))); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("server accepted %d connections for 5 sequential messages, want 1", n)
	}
	for _, m := range srv.Messages() {
		if m.Conn != 1 {
			t.Errorf("message to %v came on connection %d", m.To, m.Conn)
		}
	}
}

func TestSMTPSendParallelUsesAtMostConnections(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv, func(c *SMTPConfig) { c.Connections = 3 })
	const n = 30
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() { errs <- s.Send(t.Context(), testMessage(fmt.Sprintf("p%d@example.com", i))) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := len(srv.Messages()); got != n {
		t.Fatalf("server got %d messages, want %d", got, n)
	}
	if c := srv.Connections(); c < 1 || c > 3 {
		t.Errorf("server accepted %d connections, want between 1 and 3", c)
	}
	if idle := s.idleConns(); idle != srv.Connections() {
		t.Errorf("%d idle connections kept, want all %d", idle, srv.Connections())
	}
}

func TestSMTPSendRedialsAfterServerRestart(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv, func(c *SMTPConfig) { c.Connections = 1 })
	if err := s.Send(t.Context(), testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	err := s.Send(t.Context(), testMessage("b@example.com"))
	if err == nil {
		t.Fatal("send while the server is down succeeded")
	}
	if errors.Is(err, ErrPermanent) {
		t.Errorf("server down is permanent: %v", err)
	}
	var se *SendError
	if !errors.As(err, &se) || se.Stage != StageConnect {
		t.Errorf("error %v, want a SendError at stage connect", err)
	}

	srv.Start()
	if err := s.Send(t.Context(), testMessage("c@example.com")); err != nil {
		t.Fatalf("send after restart: %v", err)
	}
	if got := srv.Connections(); got != 2 {
		t.Errorf("server accepted %d connections, want 2 (one per server life)", got)
	}
}

func TestSMTPSendRetriesStaleConnectionOnce(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv, func(c *SMTPConfig) { c.Connections = 1 })
	if err := s.Send(t.Context(), testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}
	// The server drops the idle connection (as after its own idle timeout) and
	// comes back: the pooled connection is dead, the caller must not notice.
	srv.Stop()
	srv.Start()
	if err := s.Send(t.Context(), testMessage("b@example.com")); err != nil {
		t.Fatalf("send on a stale connection: %v", err)
	}
	if got := len(srv.Messages()); got != 2 {
		t.Errorf("server got %d messages, want 2", got)
	}
}

func TestSMTPSendClassifiesReplies(t *testing.T) {
	tests := []struct {
		name          string
		rcptCode      int
		dataCode      int
		reject        bool
		wantPermanent bool
		wantRecipient bool
		wantStage     Stage
		wantCode      int
	}{
		{name: "recipient 4xx is temporary", rcptCode: 451, wantStage: StageRcpt, wantCode: 451},
		{name: "recipient 5xx is permanent", rcptCode: 550, wantPermanent: true, wantRecipient: true, wantStage: StageRcpt, wantCode: 550},
		{name: "unknown mailbox is a bounce", reject: true, wantPermanent: true, wantRecipient: true, wantStage: StageRcpt, wantCode: 550},
		{name: "content 4xx is temporary", dataCode: 451, wantStage: StageData, wantCode: 451},
		{name: "content 5xx is permanent, not a bad recipient", dataCode: 554, wantPermanent: true, wantStage: StageData, wantCode: 554},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.NewServer(t)
			s := newSender(t, srv, nil)
			srv.SetFailing(tt.rcptCode)
			srv.SetFailingData(tt.dataCode)
			if tt.reject {
				srv.RejectRecipient("gone@example.com")
			}
			m := testMessage("gone@example.com")
			err := s.Send(t.Context(), m)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v, want *SendError", err, err)
			}
			got := []any{errors.Is(err, ErrPermanent), errors.Is(err, ErrRecipientRejected), se.Stage, se.Code, se.MessageID}
			want := []any{tt.wantPermanent, tt.wantRecipient, tt.wantStage, tt.wantCode, m.MessageID}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("[permanent recipient stage code id] (-want +got):\n%s\nerror: %v", diff, err)
			}
			if len(srv.Messages()) != 0 {
				t.Errorf("server kept a refused message")
			}

			// The failure is over: the same sender delivers again.
			srv.SetFailing(0)
			srv.SetFailingData(0)
			if err := s.Send(t.Context(), testMessage("ok@example.com")); err != nil {
				t.Errorf("send after the failure: %v", err)
			}
		})
	}
}

func TestSMTPSendRefusesInvalidMessageWithoutConnecting(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv, nil)
	tests := []struct {
		name   string
		change func(*Message)
	}{
		{"CRLF in subject", func(m *Message) { m.Subject = "Hola\r\nBcc: victim@example.com" }},
		{"LF in subject", func(m *Message) { m.Subject = "Hola\nBcc: victim@example.com" }},
		{"CRLF in To", func(m *Message) { m.To = "a@example.com\r\nBcc: victim@example.com" }},
		{"CRLF in From", func(m *Message) { m.From = "Buzón <b@example.com>\r\nBcc: victim@example.com" }},
		{"two recipients", func(m *Message) { m.To = "a@example.com, b@example.com" }},
		{"CRLF in header value", func(m *Message) { m.Headers = map[string]string{"X-Kind": "a\r\nBcc: victim@example.com"} }},
		{"header name with colon", func(m *Message) { m.Headers = map[string]string{"Bcc: victim@example.com\r\nX": "a"} }},
		{"reserved header", func(m *Message) { m.Headers = map[string]string{"bcc": "victim@example.com"} }},
		{"Message-ID with CRLF", func(m *Message) { m.MessageID = "<a@b>\r\nBcc: victim@example.com" }},
		{"no Message-ID", func(m *Message) { m.MessageID = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage("a@example.com")
			tt.change(m)
			err := s.Send(t.Context(), m)
			if !errors.Is(err, ErrInvalidMessage) || !errors.Is(err, ErrPermanent) {
				t.Errorf("Send = %v, want ErrInvalidMessage and ErrPermanent", err)
			}
		})
	}
	if n := srv.Connections(); n != 0 {
		t.Errorf("invalid messages opened %d connections", n)
	}
}

func TestSMTPSendFromFallsBackToMessageFrom(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv, func(c *SMTPConfig) { c.From = "" })
	err := s.Send(t.Context(), testMessage("a@example.com"))
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Errorf("Send without any sender address = %v, want a temporary configuration error", err)
	}
	m := testMessage("a@example.com")
	m.From = "Buzón <no-reply@buzon.example.test>"
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages()[0].From; got != "no-reply@buzon.example.test" {
		t.Errorf("envelope from = %q, want the header From's address", got)
	}
}

func TestSMTPAuth(t *testing.T) {
	tests := []struct {
		name    string
		opts    []mailtest.Option
		change  func(*SMTPConfig)
		wantErr bool
	}{
		{name: "PLAIN without TLS on localhost", opts: []mailtest.Option{mailtest.WithAuth("buzon", "s3cr3t")}},
		{name: "autodiscover over STARTTLS", opts: []mailtest.Option{mailtest.WithAuth("buzon", "s3cr3t"), mailtest.WithSTARTTLS()}},
		{name: "wrong password", opts: []mailtest.Option{mailtest.WithAuth("buzon", "s3cr3t")},
			change: func(c *SMTPConfig) { c.Password = "wrong" }, wantErr: true},
		{name: "no credentials", opts: []mailtest.Option{mailtest.WithAuth("buzon", "s3cr3t")},
			change: func(c *SMTPConfig) { c.Username, c.Password, c.Auth = "", "", "" }, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tt.opts...)
			s := newSender(t, srv, tt.change)
			err := s.Send(t.Context(), testMessage("a@example.com"))
			if tt.wantErr {
				if err == nil {
					t.Fatal("Send succeeded")
				}
				if errors.Is(err, ErrPermanent) {
					t.Errorf("a configuration error must stay temporary (jobs wait for the fix): %v", err)
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("error reveals the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(srv.Messages()) != 1 {
				t.Errorf("server got %d messages", len(srv.Messages()))
			}
		})
	}
}

func TestSMTPTLS(t *testing.T) {
	tests := []struct {
		name    string
		opt     mailtest.Option
		change  func(*SMTPConfig, *mailtest.Server)
		wantErr string
	}{
		{name: "STARTTLS verified with the server's root", opt: mailtest.WithSTARTTLS(),
			change: func(c *SMTPConfig, s *mailtest.Server) { c.InsecureSkipVerify, c.RootCAs = false, s.RootCAs() }},
		{name: "STARTTLS with an unknown certificate fails", opt: mailtest.WithSTARTTLS(),
			change: func(c *SMTPConfig, s *mailtest.Server) { c.InsecureSkipVerify = false }, wantErr: "certificate"},
		{name: "STARTTLS opportunistic upgrades", opt: mailtest.WithSTARTTLS(),
			change: func(c *SMTPConfig, s *mailtest.Server) { c.Security = StartTLSOpportunistic }},
		{name: "STARTTLS required but not offered", opt: func(*mailtest.Server) {},
			change: func(c *SMTPConfig, s *mailtest.Server) { c.Security = StartTLSRequired }, wantErr: "STARTTLS"},
		{name: "implicit TLS", opt: mailtest.WithImplicitTLS()},
		{name: "implicit TLS verified", opt: mailtest.WithImplicitTLS(),
			change: func(c *SMTPConfig, s *mailtest.Server) { c.InsecureSkipVerify, c.RootCAs = false, s.RootCAs() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tt.opt)
			s := newSender(t, srv, func(c *SMTPConfig) {
				if tt.change != nil {
					tt.change(c, srv)
				}
			})
			err := s.Send(t.Context(), testMessage("a@example.com"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Send = %v, want an error about %q", err, tt.wantErr)
				}
				if len(srv.Messages()) != 0 {
					t.Error("message delivered despite the TLS failure")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(srv.Messages()) != 1 {
				t.Errorf("server got %d messages", len(srv.Messages()))
			}
		})
	}
}

func TestSMTPClosesIdleConnections(t *testing.T) {
	srv := mailtest.NewServer(t)
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	s := newSender(t, srv, func(c *SMTPConfig) { c.Connections = 1; c.IdleTimeout = time.Minute })
	s.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	if err := s.Send(t.Context(), testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}
	advance(59 * time.Second)
	s.reap()
	if got := s.idleConns(); got != 1 {
		t.Fatalf("after 59s idle: %d idle connections, want 1", got)
	}
	if err := s.Send(t.Context(), testMessage("b@example.com")); err != nil {
		t.Fatal(err)
	}
	advance(time.Minute)
	s.reap()
	if got := s.idleConns(); got != 0 {
		t.Fatalf("after a minute idle: %d idle connections, want 0", got)
	}
	if err := s.Send(t.Context(), testMessage("c@example.com")); err != nil {
		t.Fatal(err)
	}
	if got := srv.Connections(); got != 2 {
		t.Errorf("server accepted %d connections, want 2 (reused once, then redialled)", got)
	}
}

func TestSMTPSendExpiredIdleConnectionIsNotReused(t *testing.T) {
	srv := mailtest.NewServer(t)
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	s := newSender(t, srv, func(c *SMTPConfig) { c.Connections = 1; c.IdleTimeout = time.Minute })
	s.now = func() time.Time { return now }
	if err := s.Send(t.Context(), testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute) // the reaper has not run yet
	if err := s.Send(t.Context(), testMessage("b@example.com")); err != nil {
		t.Fatal(err)
	}
	if got := srv.Connections(); got != 2 {
		t.Errorf("server accepted %d connections, want 2", got)
	}
}

func TestSMTPSendHonoursContext(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv, func(c *SMTPConfig) { c.Connections = 1 })
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	// Hold the only connection slot, so Send waits and sees the cancellation.
	s.slots <- struct{}{}
	err := s.Send(ctx, testMessage("a@example.com"))
	<-s.slots
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrPermanent) {
		t.Errorf("Send = %v, want a temporary context.Canceled", err)
	}
	if err := s.Send(ctx, testMessage("a@example.com")); !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a cancelled context = %v, want context.Canceled", err)
	}
	if len(srv.Messages()) != 0 {
		t.Error("a message went out despite the cancelled context")
	}
}

func TestSMTPClose(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv, nil)
	if err := s.Send(t.Context(), testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	err := s.Send(t.Context(), testMessage("b@example.com"))
	if !errors.Is(err, ErrClosed) || errors.Is(err, ErrPermanent) {
		t.Errorf("Send after Close = %v, want ErrClosed (temporary)", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func BenchmarkSMTPSend(b *testing.B) {
	for _, conns := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("connections=%d", conns), func(b *testing.B) {
			srv := mailtest.NewServer(b)
			s := newSender(b, srv, func(c *SMTPConfig) { c.Connections = conns })
			m := testMessage("bench@example.com")
			m.HTML = "<p>Tiene una notificación.</p>"
			b.SetParallelism(conns) // enough senders to keep every connection busy
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := s.Send(b.Context(), m); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if c := srv.Connections(); c > conns {
				b.Errorf("%d connections for a pool of %d", c, conns)
			}
		})
	}
}
