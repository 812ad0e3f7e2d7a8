package view

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"buzon/internal/web/i18n"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

const okMessages = `{"x.hello": "Hola %s"}`
const okMessagesEN = `{"x.hello": "Hello %s"}`

func TestAreaRendersEachLanguage(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.Area("x", fstest.MapFS{
		"messages/es.json":             file(okMessages),
		"messages/en.json":             file(okMessagesEN),
		"templates/partials/bits.html": file(`{{define "greeting"}}{{t "x.hello" "Ana"}}{{end}}`),
		"templates/hello.html":         file(`{{define "title"}}T{{end}}{{define "content"}}<h1>{{template "greeting"}}</h1><p>{{.Data}}</p>{{end}}`),
		"templates/long.es.html":       file(`{{define "title"}}L{{end}}{{define "content"}}<p>texto largo</p>{{end}}`),
		"templates/long.en.html":       file(`{{define "title"}}L{{end}}{{define "content"}}<p>long text</p>{{end}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Check(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		page, lang, want string
	}{
		{"hello", "es", "<h1>Hola Ana</h1><p>&lt;b&gt;</p>"},
		{"hello", "en", "<h1>Hello Ana</h1>"},
		{"long", "es", "texto largo"},
		{"long", "en", "long text"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r = r.WithContext(i18n.WithLang(r.Context(), tt.lang))
		w := httptest.NewRecorder()
		s.Render(w, r, tt.page, "<b>")
		if w.Code != 200 || !strings.Contains(w.Body.String(), tt.want) || !strings.Contains(w.Body.String(), `<html lang="`+tt.lang+`">`) {
			t.Errorf("%s/%s: %d, lacks %q:\n%s", tt.page, tt.lang, w.Code, tt.want, w.Body)
		}
	}
	w := httptest.NewRecorder()
	s.Render(w, httptest.NewRequest("GET", "/", nil), "nope", nil)
	if w.Code != 500 {
		t.Errorf("unknown page: status %d, want 500", w.Code)
	}
}

func TestAreaRejects(t *testing.T) {
	content := `{{define "content"}}x{{end}}`
	tests := map[string]fstest.MapFS{
		"one language only":        {"templates/p.es.html": file(content)},
		"generic and per language": {"templates/p.html": file(content), "templates/p.es.html": file(content), "templates/p.en.html": file(content)},
		"no content":               {"templates/p.html": file(`{{define "title"}}x{{end}}`)},
		"syntax error":             {"templates/p.html": file(`{{define "content"}}{{if}}{{end}}`)},
		"unknown function":         {"templates/p.html": file(`{{define "content"}}{{nope}}{{end}}`)},
		"catalog mismatch":         {"messages/es.json": file(`{"x.a": "a"}`), "messages/en.json": file(`{}`)},
	}
	for name, fsys := range tests {
		e, err := New(Config{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Area("x", fsys); err == nil {
			t.Errorf("%s: Area accepted it", name)
		}
	}
}

func TestCheckFindsMissingKeysAndAssets(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Area("x", fstest.MapFS{
		"messages/es.json": file(okMessages),
		"messages/en.json": file(okMessagesEN),
		"templates/p.html": file(`{{define "content"}}{{if true}}{{range $i := .Data}}{{t "x.gone"}}{{end}}{{end}}{{with "a"}}{{printf "%s" (t "x.hello" "a")}}{{end}}{{end}}`),
		"templates/q.html": file(`{{define "content"}}<img src="{{asset "nope.png"}}" alt="">{{end}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	err = e.Check()
	if !errors.Is(err, ErrMissingMessage) || !strings.Contains(err.Error(), `"x.gone"`) {
		t.Errorf("Check = %v, want the missing key x.gone", err)
	}
	if !strings.Contains(err.Error(), `asset "nope.png"`) {
		t.Errorf("Check = %v, want the missing asset", err)
	}
	if strings.Contains(err.Error(), "x.hello") {
		t.Errorf("Check reported a key that exists: %v", err)
	}
}

func TestFormatDateTime(t *testing.T) {
	at := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC) // 18:30 in Quito
	if got, want := formatDateTime("es", at), "31 de diciembre de 2026, 18:30"; got != want {
		t.Errorf("es: %q, want %q", got, want)
	}
	if got, want := formatDateTime("en", at), "31 December 2026, 18:30"; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
}
