package identity

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"buzon/internal/eligibility"
	"buzon/internal/mail"
)

// MailKind names an account email.
type MailKind string

// The account emails. The names match mail.Templates' template names.
const (
	MailActivation   MailKind = "account_activation"
	MailReset        MailKind = "password_reset"
	MailVerifyEmail  MailKind = "email_verification"
	MailEmailChanged MailKind = "email_changed_notice"
)

// MailData is what an account email says.
type MailData struct {
	// Name is the person's full name.
	Name string
	// Link is the single-use link (activation, reset, verification).
	Link string
	// Expires is when the link stops working.
	Expires time.Time
	// NewEmail is the address being verified or now in use.
	NewEmail string
	// At is when the change happened (email changed notice).
	At time.Time
	// Staff is true when the account was created for a civil servant, whose
	// activation email says so.
	Staff bool
}

// Mailer renders the account emails. The server passes an adapter over
// mail.Templates; the built-in one is used otherwise.
type Mailer interface {
	AccountMail(kind MailKind, to string, data MailData) (*mail.Message, error)
}

// builtinMailer renders the account emails from the texts below: Spanish,
// then English.
type builtinMailer struct{}

type builtinText struct {
	subject string
	body    string // text/template; the same text feeds the HTML part
}

var builtinTexts = map[MailKind]builtinText{
	MailActivation: {"Active su cuenta de Buzón", `Estimado/a {{.Name}}:

{{if .Staff}}Se creó una cuenta de Buzón para usted como funcionario/a.{{else}}Su cuenta de Buzón fue registrada en una agencia del Registro Civil.{{end}} Para activarla, abra este enlace y elija una contraseña:

{{.Link}}

El enlace sirve una sola vez y caduca el {{.ExpiresES}}. Si usted no pidió esta cuenta, ignore este mensaje.

---

Dear {{.Name}},

{{if .Staff}}A Buzón account was created for you as a civil servant.{{else}}Your Buzón account was registered at a civil registry office.{{end}} To activate it, open this link and choose a password:

{{.Link}}

The link works once and expires on {{.ExpiresEN}}. If you did not ask for this account, ignore this message.`},
	MailReset: {"Restablezca su contraseña de Buzón", `Estimado/a {{.Name}}:

Recibimos un pedido para restablecer la contraseña de su cuenta de Buzón. Para elegir una nueva, abra este enlace:

{{.Link}}

El enlace sirve una sola vez y caduca el {{.ExpiresES}}. Si usted no lo pidió, ignore este mensaje: su contraseña no cambia.

---

Dear {{.Name}},

We received a request to reset the password of your Buzón account. To choose a new one, open this link:

{{.Link}}

The link works once and expires on {{.ExpiresEN}}. If you did not ask for it, ignore this message: your password stays the same.`},
	MailVerifyEmail: {"Confirme su nuevo correo en Buzón", `Estimado/a {{.Name}}:

Para que {{.NewEmail}} sea el correo de su cuenta de Buzón, abra este enlace:

{{.Link}}

El enlace sirve una sola vez y caduca el {{.ExpiresES}}. Si usted no lo pidió, ignore este mensaje.

---

Dear {{.Name}},

To make {{.NewEmail}} the email address of your Buzón account, open this link:

{{.Link}}

The link works once and expires on {{.ExpiresEN}}. If you did not ask for it, ignore this message.`},
	MailEmailChanged: {"El correo de su cuenta de Buzón cambió", `Estimado/a {{.Name}}:

El {{.AtES}} el correo de su cuenta de Buzón cambió a {{.NewEmail}}. Desde ahora los avisos llegarán a esa dirección.

Si usted no hizo este cambio, acérquese a una agencia del Registro Civil con su cédula.

---

Dear {{.Name}},

On {{.AtEN}} the email address of your Buzón account changed to {{.NewEmail}}. From now on alerts go to that address.

If you did not make this change, visit a civil registry office with your identity card.`},
}

var builtinTemplates = func() map[MailKind]*texttemplate.Template {
	m := map[MailKind]*texttemplate.Template{}
	for k, t := range builtinTexts {
		m[k] = texttemplate.Must(texttemplate.New(string(k)).Parse(t.body))
	}
	return m
}()

func (builtinMailer) AccountMail(kind MailKind, to string, d MailData) (*mail.Message, error) {
	t, ok := builtinTemplates[kind]
	if !ok {
		return nil, fmt.Errorf("no account mail %q", kind)
	}
	view := struct {
		MailData
		ExpiresES, ExpiresEN, AtES, AtEN string
	}{d, dateES(d.Expires), dateEN(d.Expires), dateES(d.At), dateEN(d.At)}
	var text bytes.Buffer
	if err := t.Execute(&text, view); err != nil {
		return nil, err
	}
	var html bytes.Buffer
	html.WriteString(`<!doctype html><html lang="es"><body style="font-family:sans-serif;font-size:16px;line-height:1.5">`)
	for _, para := range strings.Split(text.String(), "\n\n") {
		if para == "---" {
			html.WriteString("<hr>")
			continue
		}
		if para == d.Link && d.Link != "" {
			fmt.Fprintf(&html, `<p><a href="%s">%s</a></p>`, template.HTMLEscapeString(d.Link), template.HTMLEscapeString(d.Link))
			continue
		}
		html.WriteString("<p>" + strings.ReplaceAll(template.HTMLEscapeString(para), "\n", "<br>") + "</p>")
	}
	html.WriteString("</body></html>")
	return &mail.Message{To: to, Subject: builtinTexts[kind].subject, Text: text.String(), HTML: html.String(),
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}}, nil
}

var monthsES = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
	"septiembre", "octubre", "noviembre", "diciembre"}

// dateES writes a moment as Ecuador reads it: "5 de marzo de 2026 a las 14:30".
func dateES(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(eligibility.Ecuador)
	return fmt.Sprintf("%d de %s de %d a las %02d:%02d (hora de Ecuador)", t.Day(), monthsES[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}

func dateEN(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(eligibility.Ecuador).Format("2 January 2006 at 15:04") + " (Ecuador time)"
}

// TemplateMailer renders the account emails with mail.Templates (Spanish,
// HTML and text); the server passes it in Config.Mailer.
type TemplateMailer struct {
	Templates *mail.Templates
	// Lang is the language of the emails; "" means mail.DefaultLanguage.
	Lang string
}

// AccountMail renders kind for to.
func (m TemplateMailer) AccountMail(kind MailKind, to string, d MailData) (*mail.Message, error) {
	var data any
	switch kind {
	case MailActivation:
		data = mail.AccountActivationData{Name: d.Name, Link: d.Link, Expires: d.Expires, Staff: d.Staff}
	case MailReset:
		data = mail.PasswordResetData{Name: d.Name, Link: d.Link, Expires: d.Expires}
	case MailVerifyEmail:
		data = mail.EmailVerificationData{Name: d.Name, NewEmail: d.NewEmail, Link: d.Link, Expires: d.Expires}
	case MailEmailChanged:
		data = mail.EmailChangedNoticeData{Name: d.Name, NewEmail: d.NewEmail, At: d.At}
	default:
		return nil, fmt.Errorf("no account mail %q", kind)
	}
	lang := m.Lang
	if lang == "" {
		lang = mail.DefaultLanguage
	}
	return m.Templates.Message(string(kind), lang, to, data)
}

// BuiltinMailer returns the account emails' built-in renderer, used when no
// Mailer is configured.
func BuiltinMailer() Mailer { return builtinMailer{} }
