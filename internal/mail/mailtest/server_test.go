package mailtest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// A hand-written message: base64 text, quoted-printable HTML, inside a
// multipart/mixed around a multipart/alternative, a folded encoded subject.
const rawMessage = "From: =?utf-8?q?Buz=C3=B3n?= <no-responder@buzon.test>\r\n" +
	"To: <maria@example.test>\r\n" +
	"Subject: =?UTF-8?q?Notificaci=C3=B3n_de_prueba_con_=C3=B1_y?=\r\n" +
	" =?UTF-8?q?_tildes?=\r\n" +
	"Message-ID: <ID1@buzon.test>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=outer\r\n" +
	"\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=inner\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"TMOtbmVhIHVubyBjb24gw7EuCkzDrW5lYSBkb3Mu\r\n" +
	"Cg==\r\n" +
	"--inner\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"<p>L=C3=ADnea <b>uno</b> con =C3=B1, y una l=C3=ADnea muy larga que se corta=\r\n" +
	" aqu=C3=AD.</p>\r\n" +
	"--inner--\r\n" +
	"--outer--\r\n"

func send(t *testing.T, s *Server, from string, to []string, raw string) error {
	t.Helper()
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		return err
	}
	defer c.Close()
	return c.SendMail(from, to, strings.NewReader(raw))
}

func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestServerParsesMessage(t *testing.T) {
	s := NewServer(t)
	if err := send(t, s, "bounces@buzon.test", []string{"maria@example.test"}, rawMessage); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Wait(bounded(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := Received{
		From:      "bounces@buzon.test",
		To:        []string{"maria@example.test"},
		Raw:       []byte(rawMessage),
		Subject:   "Notificación de prueba con ñ y tildes",
		MessageID: "<ID1@buzon.test>",
		Text:      "Línea uno con ñ.\nLínea dos.\n",
		HTML:      "<p>Línea <b>uno</b> con ñ, y una línea muy larga que se corta aquí.</p>",
		Conn:      1,
	}
	if diff := cmp.Diff(want, msgs[0], cmpopts.IgnoreFields(Received{}, "Header")); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
	if got := msgs[0].Header.Get("Mime-Version"); got != "1.0" {
		t.Errorf("Header MIME-Version = %q", got)
	}
}

func TestServerKeepsUnparsableMessage(t *testing.T) {
	s := NewServer(t)
	raw := "Subject: x\r\nContent-Type: multipart/alternative\r\n\r\nno boundary\r\n"
	if err := send(t, s, "a@buzon.test", []string{"b@example.test"}, raw); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Wait(bounded(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].ParseErr == nil || string(msgs[0].Raw) != raw {
		t.Errorf("got ParseErr %v, raw %q; want an error and the raw bytes", msgs[0].ParseErr, msgs[0].Raw)
	}
}

func TestServerWaitRespectsContext(t *testing.T) {
	s := NewServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Wait(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait = %v, want context.Canceled", err)
	}
	if _, err := s.WaitFor(ctx, func(Received) bool { return true }); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitFor = %v, want context.Canceled", err)
	}
}

func TestServerWaitForSeesEarlierAndLaterMessages(t *testing.T) {
	s := NewServer(t)
	msg := func(subject string) string { return "Subject: " + subject + "\r\n\r\nbody\r\n" }
	if err := send(t, s, "a@buzon.test", []string{"one@example.test"}, msg("first")); err != nil {
		t.Fatal(err)
	}
	got, err := s.WaitFor(bounded(t), func(r Received) bool { return r.Subject == "first" })
	if err != nil || got.To[0] != "one@example.test" {
		t.Fatalf("WaitFor an earlier message = %+v, %v", got, err)
	}

	done := make(chan Received)
	go func() {
		r, _ := s.WaitFor(bounded(t), func(r Received) bool { return r.Subject == "third" })
		done <- r
	}()
	for _, subj := range []string{"second", "third"} {
		if err := send(t, s, "a@buzon.test", []string{subj + "@example.test"}, msg(subj)); err != nil {
			t.Fatal(err)
		}
	}
	if r := <-done; r.Subject != "third" || r.To[0] != "third@example.test" {
		t.Errorf("WaitFor a later message = %+v", r)
	}
}

func TestServerFailingSwitches(t *testing.T) {
	s := NewServer(t)
	body := "Subject: x\r\n\r\nbody\r\n"
	codeOf := func(err error) int {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return se.Code
		}
		return 0
	}
	s.SetFailing(451)
	if got := codeOf(send(t, s, "a@buzon.test", []string{"b@example.test"}, body)); got != 451 {
		t.Errorf("SetFailing(451): reply %d", got)
	}
	s.SetFailing(0)
	s.SetFailingData(554)
	if got := codeOf(send(t, s, "a@buzon.test", []string{"b@example.test"}, body)); got != 554 {
		t.Errorf("SetFailingData(554): reply %d", got)
	}
	s.SetFailingData(0)
	s.RejectRecipient("Gone@Example.test")
	if got := codeOf(send(t, s, "a@buzon.test", []string{"gone@example.test"}, body)); got != 550 {
		t.Errorf("RejectRecipient: reply %d", got)
	}
	if err := send(t, s, "a@buzon.test", []string{"b@example.test"}, body); err != nil {
		t.Errorf("after the switches are off: %v", err)
	}
	if n := len(s.Messages()); n != 1 {
		t.Errorf("kept %d messages, want only the accepted one", n)
	}
}

func TestServerStopAndStart(t *testing.T) {
	s := NewServer(t)
	addr := s.Addr()
	body := "Subject: x\r\n\r\nbody\r\n"
	// A client connected while the server goes down loses its connection.
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := c.Noop(); err == nil {
		t.Error("a connection survived Stop")
	}
	if err := send(t, s, "a@buzon.test", []string{"b@example.test"}, body); err == nil {
		t.Error("the stopped server accepted a message")
	}
	s.Start()
	if s.Addr() != addr {
		t.Errorf("restarted on %s, want the same address %s", s.Addr(), addr)
	}
	if err := send(t, s, "a@buzon.test", []string{"b@example.test"}, body); err != nil {
		t.Fatalf("after Start: %v", err)
	}
	if got := s.Connections(); got != 2 {
		t.Errorf("Connections = %d, want 2", got)
	}
	s.Stop()
	s.Stop() // idempotent; the cleanup stops again
}

func TestServerAuth(t *testing.T) {
	s := NewServer(t, WithAuth("buzon", "clave"))
	body := "Subject: x\r\n\r\nbody\r\n"
	if err := send(t, s, "a@buzon.test", []string{"b@example.test"}, body); err == nil {
		t.Error("accepted mail without authentication")
	}
	if !strings.Contains(s.URL(), "buzon:clave@") {
		t.Errorf("URL %q lacks the credentials", s.URL())
	}
}
