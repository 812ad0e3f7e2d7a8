package mail_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"buzon/internal/mail"
	"buzon/internal/mail/mailtest"
)

func ExampleParseURL() {
	cfg, err := mail.ParseURL("smtp://buzon:s3cr3t@smtp.example.gob.ec:587?starttls=require&from=no-responder%40buzon.gob.ec")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Host, cfg.Port, cfg.Security, cfg.From)
	fmt.Println(cfg.Redacted())
	// Output:
	// smtp.example.gob.ec 587 starttls=require no-responder@buzon.gob.ec
	// smtp://buzon:xxxxx@smtp.example.gob.ec:587?auth=autodiscover&connections=2&from=no-responder%40buzon.gob.ec&idle_timeout=30s&starttls=require&timeout=30s
}

func ExampleTemplates_Render() {
	tm, err := mail.NewTemplates(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	subject, text, _, err := tm.Render("notification_alert", "es", mail.AlertData{
		Name:             "María Ñúñez",
		Institution:      "Servicio de Rentas Internas",
		Reference:        "SRI-2026-00123",
		SentAt:           time.Date(2026, 3, 16, 15, 4, 0, 0, time.UTC),
		VerificationCode: "K7Q-2M",
		SiteURL:          "https://buzon.gob.ec",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(subject)
	for _, line := range strings.Split(text, "\n")[4:8] {
		fmt.Println(line)
	}
	// Output:
	// Nueva notificación de Servicio de Rentas Internas en su Buzón
	// Institución: Servicio de Rentas Internas
	// Referencia: SRI-2026-00123
	// Fecha: 16 de marzo de 2026, 10:04 (UTC-05:00)
	// Código de verificación: K7Q-2M
}

// A whole trip: render, send over SMTP, receive on the test server.
func TestTemplatesMessageOverSMTP(t *testing.T) {
	srv := mailtest.NewServer(t)
	cfg, err := mail.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	sender, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close()
	tm, err := mail.NewTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := tm.Message("deadline_reminder", "es-EC", "maria@example.test", &mail.ReminderData{
		Name: "María Ñúñez", Institution: "Agencia Nacional de Tránsito", DueDate: time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC),
		BusinessDaysLeft: 3, VerificationCode: "P4X-9T", SiteURL: "https://buzon.gob.ec",
	})
	if err != nil {
		t.Fatal(err)
	}
	m.From = "Buzón <no-responder@buzon.gob.ec>"
	m.MessageID = mail.NewMessageID("buzon.gob.ec")
	if err := sender.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	got, err := srv.WaitFor(ctx, func(r mailtest.Received) bool { return r.MessageID == m.MessageID })
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != m.Subject || got.Text != m.Text || got.HTML != m.HTML {
		t.Errorf("received differs from what was rendered:\nsubject %q\nwant    %q", got.Subject, m.Subject)
	}
	if got.Header.Get(mail.TemplateHeader) != "deadline_reminder" || got.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("headers: %v", got.Header)
	}
	if !strings.Contains(got.Text, "Le quedan 3 días hábiles.") {
		t.Errorf("text:\n%s", got.Text)
	}
}
