package identity_test

import (
	"strings"
	"testing"
	"time"

	"buzon/internal/identity"
	"buzon/internal/mail"
)

func TestAccountMailsRender(t *testing.T) {
	tpl, err := mail.NewTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	data := identity.MailData{Name: "María José Guamán Ortiz", Link: "http://localhost:8080/activar/abc", Expires: at.Add(72 * time.Hour),
		NewEmail: "nueva@example.test", At: at}
	for _, m := range []identity.Mailer{identity.TemplateMailer{Templates: tpl}, identity.BuiltinMailer()} {
		for _, kind := range []identity.MailKind{identity.MailActivation, identity.MailReset, identity.MailVerifyEmail, identity.MailEmailChanged} {
			msg, err := m.AccountMail(kind, "maria@example.test", data)
			if err != nil {
				t.Fatalf("%T %s: %v", m, kind, err)
			}
			msg.MessageID = mail.NewMessageID("example.test")
			if err := msg.Validate(); err != nil {
				t.Errorf("%T %s: %v", m, kind, err)
			}
			if kind != identity.MailEmailChanged && !strings.Contains(msg.Text, data.Link) {
				t.Errorf("%T %s: the text lacks the link:\n%s", m, kind, msg.Text)
			}
			if !strings.Contains(msg.Text, "María José") {
				t.Errorf("%T %s: the text lacks the name", m, kind)
			}
		}
	}
}
