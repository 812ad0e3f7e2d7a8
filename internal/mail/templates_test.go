package mail

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current templates")

var (
	sampleSent    = time.Date(2026, 3, 16, 15, 4, 0, 0, time.UTC) // 10:04 in Ecuador
	sampleExpires = time.Date(2026, 3, 18, 4, 30, 0, 0, time.UTC) // 17 March 23:30 in Ecuador
	sampleDue     = time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC)  // a calendar day
)

// samples are the data every template is rendered with in the golden test;
// a name may have several cases ("name" or "name/case").
var samples = map[string]any{
	"account_activation":       AccountActivationData{Name: "María José Ñúñez Andrade", Link: "https://buzon.gob.ec/activar/Zx81-tok", Expires: sampleExpires},
	"account_activation/staff": AccountActivationData{Name: "Pedro Chiriboga", Link: "https://buzon.gob.ec/activar/Qw12-tok", Expires: sampleExpires, Staff: true},
	"password_reset":           PasswordResetData{Name: "María José Ñúñez Andrade", Link: "https://buzon.gob.ec/clave/Rt55-tok", Expires: sampleExpires},
	"email_verification":       EmailVerificationData{Name: "María José Ñúñez Andrade", NewEmail: "maria.nunez@example.com", Code: "482913", Expires: sampleExpires},
	"email_verification/link":  EmailVerificationData{NewEmail: "maria.nunez@example.com", Link: "https://buzon.gob.ec/correo/Vb77-tok", Expires: sampleExpires},
	"email_verification/both":  EmailVerificationData{Name: "Ana", NewEmail: "ana@example.com", Code: "105577", Link: "https://buzon.gob.ec/correo/Kk09-tok", Expires: sampleExpires},
	"email_changed_notice":     EmailChangedNoticeData{Name: "María José Ñúñez Andrade", NewEmail: "maria.nunez@example.com", At: sampleSent},
	"notification_alert": AlertData{Name: "María José Ñúñez Andrade", Institution: "Servicio de Rentas Internas",
		Reference: "SRI-2026-00123", SentAt: sampleSent, VerificationCode: "K7Q-2M", SiteURL: "https://buzon.gob.ec"},
	"notification_alert/no-reference": AlertData{Name: "Luis Quishpe", Institution: "Agencia Nacional de Tránsito",
		SentAt: sampleSent, VerificationCode: "P4X-9T", SiteURL: "https://buzon.gob.ec/"},
	"deadline_reminder": ReminderData{Name: "María José Ñúñez Andrade", Institution: "Servicio de Rentas Internas",
		Reference: "SRI-2026-00123", DueDate: sampleDue, BusinessDaysLeft: 3, VerificationCode: "K7Q-2M", SiteURL: "https://buzon.gob.ec"},
	"deadline_reminder/one-day": ReminderData{Name: "Luis Quishpe", Institution: "Agencia Nacional de Tránsito",
		DueDate: sampleDue, BusinessDaysLeft: 1, VerificationCode: "P4X-9T", SiteURL: "https://buzon.gob.ec"},
	"institution_request_received": InstitutionRequestReceivedData{Name: "Carmen Yépez", Institution: "Gobierno Autónomo Descentralizado de Cuenca",
		Request: "SOL-2026-0042", At: sampleSent},
	"institution_request_decided": InstitutionRequestDecidedData{Name: "Carmen Yépez", Institution: "Gobierno Autónomo Descentralizado de Cuenca",
		Request: "SOL-2026-0042", Approved: true, At: sampleSent},
	"institution_request_decided/rejected": InstitutionRequestDecidedData{Name: "Carmen Yépez", Institution: "Gobierno Autónomo Descentralizado de Cuenca",
		Request: "SOL-2026-0042", Reason: "El documento de delegación no está firmado por la máxima autoridad.", At: sampleSent},
	"institution_admin_invitation": InstitutionAdminInvitationData{Name: "Carmen Yépez", Institution: "Gobierno Autónomo Descentralizado de Cuenca",
		Link: "https://buzon.gob.ec/invitacion/Hh31-tok", Expires: sampleExpires},
	"staff_invitation": StaffInvitationData{Name: "Jorge Andrade", Institution: "Servicio de Rentas Internas", Role: "notificador",
		InvitedBy: "Carmen Yépez", Link: "https://buzon.gob.ec/invitacion/Mm44-tok", Expires: sampleExpires},
	"staff_invitation/platform": StaffInvitationData{Name: "Rosa Guamán", Role: "operador_digercic",
		Link: "https://buzon.gob.ec/invitacion/Nn52-tok", Expires: sampleExpires},
	"test_message": TestMessageData{RequestedBy: "Operador de turno", At: sampleSent, Server: "smtp://buzon:xxxxx@smtp.example.gob.ec:587?auth=autodiscover"},
}

func newTestTemplates(t testing.TB) *Templates {
	t.Helper()
	tm, err := NewTemplates(nil)
	if err != nil {
		t.Fatalf("NewTemplates: %v", err)
	}
	return tm
}

func TestTemplatesGolden(t *testing.T) {
	tm := newTestTemplates(t)
	covered := map[string]bool{}
	for key, data := range samples {
		name, _, _ := strings.Cut(key, "/")
		covered[name] = true
		for _, lang := range Languages {
			file := strings.ReplaceAll(key, "/", "-") + "." + lang + ".golden"
			t.Run(file, func(t *testing.T) {
				subject, text, html, err := tm.Render(name, lang, data)
				if err != nil {
					t.Fatal(err)
				}
				got := fmt.Sprintf("Subject: %s\n\n----- text -----\n%s\n----- html -----\n%s", subject, text, html)
				path := filepath.Join("testdata", file)
				if *update {
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("%s differs (-golden +rendered; go test -update to accept):\n%s", path, diff)
				}
			})
		}
	}
	for _, name := range tm.Names() {
		if !covered[name] {
			t.Errorf("template %s has no sample data in the golden test", name)
		}
	}
}

func TestTemplatesRenderEveryNameInEveryLanguage(t *testing.T) {
	tm := newTestTemplates(t)
	var want []string
	for name := range templateData {
		want = append(want, name)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, tm.Names()); diff != "" {
		t.Errorf("Names() (-registered +parsed):\n%s", diff)
	}
	wantFooter := map[string]string{
		"es": "Este es un mensaje automático; no lo responda.",
		"en": "This is an automatic message; do not reply to it.",
	}
	for _, name := range tm.Names() {
		for _, lang := range Languages {
			subject, text, html, err := tm.Render(name, lang, samples[name])
			if err != nil {
				t.Errorf("%s.%s: %v", name, lang, err)
				continue
			}
			m := &Message{To: "a@example.com", Subject: subject, Text: text, HTML: html, MessageID: "<x@y>"}
			if err := m.Validate(); err != nil {
				t.Errorf("%s.%s renders an invalid message: %v", name, lang, err)
			}
			if !strings.Contains(html, `<html lang="`+lang+`">`) {
				t.Errorf("%s.%s: html has no lang=%q", name, lang, lang)
			}
			if !strings.Contains(html, wantFooter[lang]) {
				t.Errorf("%s.%s: html lacks the footer %q", name, lang, wantFooter[lang])
			}
			if !strings.Contains(html, ">Buzón<") {
				t.Errorf("%s.%s: html lacks the platform name", name, lang)
			}
			if strings.Contains(html, "<img") || strings.Contains(html, "<style") || strings.Contains(html, "<script") {
				t.Errorf("%s.%s: html has an image, a style sheet or a script; inline styles and text only", name, lang)
			}
			if strings.Contains(text, "<no value>") || strings.Contains(html, "<no value>") || strings.Contains(html, "ZgotmplZ") {
				t.Errorf("%s.%s: a field rendered as <no value> or was filtered", name, lang)
			}
		}
	}
}

var hrefRE = regexp.MustCompile(`href="([^"]*)"`)

// The alert and the reminder are what phishing imitates: they must carry no
// link but the site's home, whatever link the caller passes.
func TestAlertsCarryNoTokenLink(t *testing.T) {
	tm := newTestTemplates(t)
	const token = "s3cr3t-session-token"
	cases := map[string]any{
		"notification_alert": AlertData{Name: "Ana", Institution: "SRI", SentAt: sampleSent, VerificationCode: "K7Q-2M",
			SiteURL: "https://buzon.gob.ec/login?next=/n/123&token=" + token + "#" + token},
		"deadline_reminder": ReminderData{Name: "Ana", Institution: "SRI", DueDate: sampleDue, BusinessDaysLeft: 2, VerificationCode: "K7Q-2M",
			SiteURL: "https://user:" + token + "@buzon.gob.ec/n/" + token},
	}
	for name, data := range cases {
		for _, lang := range Languages {
			_, text, html, err := tm.Render(name, lang, data)
			if name == "deadline_reminder" {
				// Credentials in the site address are refused outright.
				if !errors.Is(err, ErrMissingData) {
					t.Errorf("%s.%s with credentials in SiteURL: err = %v, want ErrMissingData", name, lang, err)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(text, token) || strings.Contains(html, token) {
				t.Errorf("%s.%s carries the token", name, lang)
			}
			for _, m := range hrefRE.FindAllStringSubmatch(html, -1) {
				if m[1] != "https://buzon.gob.ec/" {
					t.Errorf("%s.%s links to %q; only the home page is allowed", name, lang, m[1])
				}
			}
			if !strings.Contains(text, "https://buzon.gob.ec/") || !strings.Contains(text, "K7Q-2M") {
				t.Errorf("%s.%s text lacks the site address or the verification code:\n%s", name, lang, text)
			}
		}
	}
}

func TestTemplatesRenderErrors(t *testing.T) {
	tm := newTestTemplates(t)
	okAlert := samples["notification_alert"].(AlertData)
	noCode := okAlert
	noCode.VerificationCode = ""
	badSite := okAlert
	badSite.SiteURL = "javascript:alert(1)"
	tests := []struct {
		name, template string
		data           any
		wantErr        error
		wantText       string
	}{
		{name: "unknown template", template: "no_such_mail", data: okAlert, wantErr: ErrUnknownTemplate},
		{name: "wrong data type", template: "notification_alert", data: ReminderData{}, wantText: "want mail.AlertData"},
		{name: "nil pointer", template: "notification_alert", data: (*AlertData)(nil), wantText: "nil data"},
		{name: "missing code", template: "notification_alert", data: noCode, wantErr: ErrMissingData},
		{name: "bad site address", template: "notification_alert", data: badSite, wantErr: ErrMissingData},
		{name: "verification without code or link", template: "email_verification",
			data: EmailVerificationData{NewEmail: "a@example.com", Expires: sampleExpires}, wantErr: ErrMissingData},
		{name: "rejection without reason", template: "institution_request_decided",
			data: InstitutionRequestDecidedData{Name: "A", Institution: "B", Request: "C"}, wantErr: ErrMissingData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := tm.Render(tt.template, "es", tt.data)
			if err == nil {
				t.Fatal("Render succeeded")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Render = %v, want %v", err, tt.wantErr)
			}
			if tt.wantText != "" && !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("Render = %v, want it to say %q", err, tt.wantText)
			}
		})
	}
}

func TestTemplatesLanguageFallback(t *testing.T) {
	tm := newTestTemplates(t)
	data := samples["password_reset"]
	es, _, _, _ := tm.Render("password_reset", "es", data)
	en, _, _, _ := tm.Render("password_reset", "en", data)
	tests := []struct{ lang, want string }{
		{"es", es}, {"en", en}, {"en-US", en}, {"EN", en}, {"es-EC", es}, {"en_GB", en},
		{"fr", es}, {"", es}, {"qu", es},
	}
	for _, tt := range tests {
		got, _, _, err := tm.Render("password_reset", tt.lang, data)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("Render(lang %q) subject = %q, want %q", tt.lang, got, tt.want)
		}
	}
}

func TestTemplatesEscapeData(t *testing.T) {
	tm := newTestTemplates(t)
	data := AlertData{Name: `<script>alert("x")</script>`, Institution: "Dirección \"A & B\"\r\nBcc: x@example.com",
		SentAt: sampleSent, VerificationCode: "K7Q-2M", SiteURL: "https://buzon.gob.ec"}
	subject, _, html, err := tm.Render("notification_alert", "es", data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<script>") {
		t.Error("html carries the name unescaped")
	}
	if strings.ContainsAny(subject, "\r\n") {
		t.Errorf("subject %q spans several lines", subject)
	}
	if want := `Nueva notificación de Dirección "A & B" Bcc: x@example.com en su Buzón`; subject != want {
		t.Errorf("subject = %q, want %q", subject, want)
	}
}

func TestTemplatesDates(t *testing.T) {
	tm := newTestTemplates(t)
	data := samples["email_changed_notice"]
	_, es, _, _ := tm.Render("email_changed_notice", "es", data)
	_, en, _, _ := tm.Render("email_changed_notice", "en", data)
	if want := "16 de marzo de 2026, 10:04 (UTC-05:00)"; !strings.Contains(es, want) {
		t.Errorf("Spanish text lacks %q:\n%s", want, es)
	}
	if want := "16 March 2026, 10:04 (UTC-05:00)"; !strings.Contains(en, want) {
		t.Errorf("English text lacks %q:\n%s", want, en)
	}
	utc, err := NewTemplates(time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	_, es, _, _ = utc.Render("email_changed_notice", "es", data)
	if want := "16 de marzo de 2026, 15:04 (UTC+00:00)"; !strings.Contains(es, want) {
		t.Errorf("with UTC, text lacks %q:\n%s", want, es)
	}
}

func TestMaskAddress(t *testing.T) {
	tests := map[string]string{
		"maria.nunez@example.com": "m***@example.com",
		"ñandú@example.com":       "ñ***@example.com",
		"a@b.ec":                  "a***@b.ec",
		"broken":                  "***",
		"@example.com":            "***",
	}
	for in, want := range tests {
		if got := maskAddress(in); got != want {
			t.Errorf("maskAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
