package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/url"
	"path"
	"reflect"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"
)

// The emails live in templates/, two files per name and language:
//
//	templates/<name>.<lang>.txt   text/template: {{define "subject"}}…{{end}}, then the plain-text body
//	templates/<name>.<lang>.html  html/template: the HTML body, which the shared layout wraps
//
// The subject is its own template (not a "Subject:" first line) so that a
// line break in the data can never move text between subject and body; it is
// rendered on one line, runs of white space collapsed. Files whose name starts
// with "_" are shared: _layout.html (the page around every HTML body) and
// _partials.html (the "heading", "button", "code", "facts" and "note"
// blocks). Every template exists in every language of Languages, and its data
// type is registered in templateData (see template_data.go).
//
//go:embed templates/*.html templates/*.txt
var templateFiles embed.FS

// DefaultLanguage is the language of an email whose recipient's language is
// unknown or unsupported.
const DefaultLanguage = "es"

// Languages are the languages every email is written in, the default first.
var Languages = []string{"es", "en"}

// ErrUnknownTemplate means Render was asked for a name no template has.
var ErrUnknownTemplate = errors.New("mail: unknown template")

// ErrMissingData means Render stopped because a field the email cannot do
// without (a link, a code, the site address) is empty or malformed.
var ErrMissingData = errors.New("missing data")

// Templates renders Buzón's emails. Parse them once at start with
// NewTemplates; Render is safe for concurrent use.
type Templates struct {
	loc    *time.Location
	layout *htmltemplate.Template
	mails  map[templateKey]*mailTemplate
	names  []string
}

type templateKey struct{ name, lang string }

type mailTemplate struct {
	text *texttemplate.Template // "subject" and the body
	html *htmltemplate.Template // "content" and the partials
}

// Ecuador is mainland Ecuador's time, UTC−5 all year (no daylight saving since
// 1993); a fixed zone needs no time zone database in the binary.
var Ecuador = time.FixedZone("ECT", -5*60*60)

// NewTemplates parses the embedded emails. Moments (sending time, expiry) are
// shown in loc; nil means Ecuador.
func NewTemplates(loc *time.Location) (*Templates, error) {
	if loc == nil {
		loc = Ecuador
	}
	t := &Templates{loc: loc, mails: map[templateKey]*mailTemplate{}}
	layout, err := fs.ReadFile(templateFiles, "templates/_layout.html")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	t.layout, err = htmltemplate.New("layout").Parse(string(layout))
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	partials, err := fs.ReadFile(templateFiles, "templates/_partials.html")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	bases := map[string]*htmltemplate.Template{}
	for _, lang := range Languages {
		bases[lang], err = htmltemplate.New("partials").Funcs(t.funcs(lang)).Parse(string(partials))
		if err != nil {
			return nil, fmt.Errorf("mail: templates: _partials.html: %w", err)
		}
	}

	entries, err := fs.ReadDir(templateFiles, "templates")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	files := map[string]bool{}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "_") {
			files[e.Name()] = true
		}
	}
	for file := range files {
		name, lang, ext, ok := splitTemplateFile(file)
		if !ok || !slices.Contains(Languages, lang) {
			return nil, fmt.Errorf("mail: templates: unexpected file %s (want <name>.<lang>.txt or .html)", file)
		}
		if ext == "html" {
			continue // parsed with its .txt twin
		}
		if _, ok := templateData[name]; !ok {
			return nil, fmt.Errorf("mail: templates: %s has no data type in templateData", name)
		}
		if !slices.Contains(t.names, name) {
			t.names = append(t.names, name)
		}
		for _, l := range Languages {
			for _, x := range []string{"txt", "html"} {
				if twin := name + "." + l + "." + x; !files[twin] {
					return nil, fmt.Errorf("mail: templates: %s is missing (every email exists as .txt and .html in %v)", twin, Languages)
				}
			}
		}
		m, err := t.parseMail(name, lang, bases[lang])
		if err != nil {
			return nil, err
		}
		t.mails[templateKey{name, lang}] = m
	}
	for name := range templateData {
		if !slices.Contains(t.names, name) {
			return nil, fmt.Errorf("mail: templates: data type registered for %s but no templates/%s.*", name, name)
		}
	}
	slices.Sort(t.names)
	return t, nil
}

func splitTemplateFile(file string) (name, lang, ext string, ok bool) {
	ext = strings.TrimPrefix(path.Ext(file), ".")
	rest := strings.TrimSuffix(file, "."+ext)
	lang = strings.TrimPrefix(path.Ext(rest), ".")
	name = strings.TrimSuffix(rest, "."+lang)
	return name, lang, ext, name != "" && lang != "" && (ext == "txt" || ext == "html")
}

func (t *Templates) parseMail(name, lang string, base *htmltemplate.Template) (*mailTemplate, error) {
	base, err := base.Clone()
	if err != nil {
		return nil, err
	}
	file := "templates/" + name + "." + lang
	txt, err := fs.ReadFile(templateFiles, file+".txt")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	text, err := texttemplate.New("body").Funcs(texttemplate.FuncMap(t.funcs(lang))).Parse(string(txt))
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	if text.Lookup("subject") == nil {
		return nil, fmt.Errorf("mail: templates: %s.txt has no {{define \"subject\"}}", file)
	}
	html, err := fs.ReadFile(templateFiles, file+".html")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	content, err := base.New("content").Parse(string(html))
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	return &mailTemplate{text: text, html: content}, nil
}

// Names are the emails there are templates for, sorted.
func (t *Templates) Names() []string { return slices.Clone(t.names) }

// Render writes the email name in lang ("es", "en"; a tag such as "en-US" is
// cut to its language, and an unsupported one falls back to Spanish) with
// data, which must be the type registered for name (e.g. AlertData for
// "notification_alert", value or pointer). The subject is one line; the text
// ends with a newline; html is a whole document.
func (t *Templates) Render(name, lang string, data any) (subject, text, html string, err error) {
	lang = normalizeLanguage(lang)
	m, ok := t.mails[templateKey{name, lang}]
	if !ok {
		return "", "", "", fmt.Errorf("%w %q (have %s)", ErrUnknownTemplate, name, strings.Join(t.names, ", "))
	}
	want := reflect.TypeOf(templateData[name])
	if got := reflect.TypeOf(data); got != want && got != reflect.PointerTo(want) {
		return "", "", "", fmt.Errorf("mail: render %s: data is %v, want mail.%s", name, got, want.Name())
	}
	if v := reflect.ValueOf(data); v.Kind() == reflect.Pointer && v.IsNil() {
		return "", "", "", fmt.Errorf("mail: render %s: nil data", name)
	}
	var buf bytes.Buffer
	if err := m.text.ExecuteTemplate(&buf, "subject", data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s.%s subject: %w", name, lang, err)
	}
	subject = strings.Join(strings.Fields(buf.String()), " ")
	buf.Reset()
	if err := m.text.Execute(&buf, data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s.%s text: %w", name, lang, err)
	}
	text = strings.Trim(buf.String(), "\n") + "\n"
	buf.Reset()
	if err := m.html.Execute(&buf, data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s.%s html: %w", name, lang, err)
	}
	page := struct {
		Lang, Subject, Tagline, Footer string
		Body                           htmltemplate.HTML
	}{
		Lang: lang, Subject: subject, Tagline: tagline[lang], Footer: footer[lang],
		// Produced by html/template, escaped in its own context: safe.
		Body: htmltemplate.HTML(strings.TrimSpace(buf.String())),
	}
	buf.Reset()
	if err := t.layout.Execute(&buf, page); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s.%s layout: %w", name, lang, err)
	}
	return subject, text, buf.String(), nil
}

// Message renders the email name for the address to, ready to queue: the
// outbox gives it its Message-ID, and From is the caller's (or the sender's
// default). Its Headers name the template, for the development mailbox and
// the logs.
func (t *Templates) Message(name, lang, to string, data any) (*Message, error) {
	subject, text, html, err := t.Render(name, lang, data)
	if err != nil {
		return nil, err
	}
	return &Message{To: to, Subject: subject, Text: text, HTML: html,
		Headers: map[string]string{"Auto-Submitted": "auto-generated", TemplateHeader: name}}, nil
}

// TemplateHeader is the header field that names the template of a message.
const TemplateHeader = "X-Buzon-Template"

// normalizeLanguage maps a language tag to one of Languages.
func normalizeLanguage(tag string) string {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	primary, _, _ = strings.Cut(primary, "_")
	if slices.Contains(Languages, primary) {
		return primary
	}
	return DefaultLanguage
}

// The layout's words, per language.
var (
	tagline = map[string]string{
		"es": "Notificaciones electrónicas del Estado",
		"en": "State electronic notifications",
	}
	footer = map[string]string{
		"es": "Este es un mensaje automático; no lo responda.",
		"en": "This is an automatic message; do not reply to it.",
	}
	monthNames = map[string][12]string{
		"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	}
	dayNames = map[string][7]string{
		"es": {"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	}
	// roleNames are the official names of the roles whose codes identity uses.
	roleNames = map[string]map[string]string{
		"ciudadano":           {"es": "Ciudadano", "en": "Citizen"},
		"operador_digercic":   {"es": "Operador DIGERCIC", "en": "DIGERCIC operator"},
		"admin_plataforma":    {"es": "Administrador de plataforma", "en": "Platform administrator"},
		"admin_institucional": {"es": "Administrador Institucional", "en": "Institutional administrator"},
		"notificador":         {"es": "Notificador", "en": "Notifier"},
		"auditor":             {"es": "Auditor", "en": "Auditor"},
	}
)

// link is what the "button" partial shows.
type link struct{ URL, Label string }

// fact is one row of the "facts" partial.
type fact struct{ Label, Value string }

// funcs are the template functions, bound to a language.
func (t *Templates) funcs(lang string) htmltemplate.FuncMap {
	return htmltemplate.FuncMap{
		// date writes a moment in t.loc: "16 de marzo de 2026, 10:04 (UTC-05:00)".
		"date": func(v time.Time) string {
			v = v.In(t.loc)
			_, off := v.Zone()
			sign := '+'
			if off < 0 {
				sign, off = '-', -off
			}
			zone := fmt.Sprintf("UTC%c%02d:%02d", sign, off/3600, off%3600/60)
			if lang == "en" {
				return fmt.Sprintf("%d %s %d, %02d:%02d (%s)", v.Day(), monthNames[lang][v.Month()-1], v.Year(), v.Hour(), v.Minute(), zone)
			}
			return fmt.Sprintf("%d de %s de %d, %02d:%02d (%s)", v.Day(), monthNames[lang][v.Month()-1], v.Year(), v.Hour(), v.Minute(), zone)
		},
		// day writes a calendar day as given, without moving it to t.loc:
		// "lunes 16 de marzo de 2026".
		"day": func(v time.Time) string {
			if lang == "en" {
				return fmt.Sprintf("%s %d %s %d", dayNames[lang][v.Weekday()], v.Day(), monthNames[lang][v.Month()-1], v.Year())
			}
			return fmt.Sprintf("%s %d de %s de %d", dayNames[lang][v.Weekday()], v.Day(), monthNames[lang][v.Month()-1], v.Year())
		},
		"mask": maskAddress,
		"home": siteHome,
		// required fails the rendering when a field the email cannot do
		// without is empty, rather than sending a mail with a hole.
		"required": func(field, v string) (string, error) {
			if strings.TrimSpace(v) == "" {
				return "", fmt.Errorf("%w: %s is empty", ErrMissingData, field)
			}
			return v, nil
		},
		"fail": func(msg string) (string, error) { return "", fmt.Errorf("%w: %s", ErrMissingData, msg) },
		"role": func(code string) string {
			if names, ok := roleNames[code]; ok {
				return names[lang]
			}
			return code
		},
		"link": func(url, label string) link { return link{url, label} },
		"facts": func(kv ...string) ([]fact, error) {
			if len(kv)%2 != 0 {
				return nil, errors.New("facts: want label, value pairs")
			}
			var fs []fact
			for i := 0; i < len(kv); i += 2 {
				if kv[i+1] != "" {
					fs = append(fs, fact{kv[i], kv[i+1]})
				}
			}
			return fs, nil
		},
	}
}

// maskAddress hides most of the local part of an address, "m***@example.com",
// for an email that goes to another address than the one it names.
func maskAddress(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "***"
	}
	first := []rune(local)[0]
	return string(first) + "***@" + domain
}

// siteHome reduces a URL to its home page, "https://host/": the alerts must
// never carry a link with a path or a token, whatever the caller passes.
func siteHome(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("%w: site address %q is not an http(s) URL", ErrMissingData, raw)
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}).String(), nil
}
