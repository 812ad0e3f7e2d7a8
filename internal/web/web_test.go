package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/metrics"
	"buzon/internal/store"
	"buzon/internal/web/i18n"
	"buzon/internal/web/view"
)

// site is a Buzón web handler under test with its log captured.
type site struct {
	t       *testing.T
	handler http.Handler
	metrics *metrics.Metrics
	logs    *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the JSON log records written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(b.buf.Bytes()), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		m := map[string]any{}
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// newSite builds the real handler; change adjusts the options first.
func newSite(t *testing.T, change func(*Options)) *site {
	t.Helper()
	s := &site{t: t, metrics: metrics.New(), logs: &syncBuffer{}}
	o := Options{
		Logger:  slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics: s.metrics,
		BaseURL: "http://buzon.test",
		Version: "test",
	}
	if change != nil {
		change(&o)
	}
	h, err := build(o, func(mux *http.ServeMux, _ *view.Engine) {
		mux.HandleFunc("GET /test/panic", func(http.ResponseWriter, *http.Request) { panic("boom: secret detail") })
		mux.HandleFunc("GET /test/panic-late", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("partial"))
			panic("late boom")
		})
		mux.HandleFunc("GET /test/items/{id}", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("item")) })
	})
	if err != nil {
		t.Fatal(err)
	}
	s.handler = h
	return s
}

// do sends one request through the handler; lang, if set, is the cookie.
func (s *site) do(method, target, lang string, header http.Header) *http.Response {
	s.t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	if lang != "" {
		r.AddCookie(&http.Cookie{Name: i18n.CookieName, Value: lang})
	}
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	return w.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	htmlLang = regexp.MustCompile(`<html lang="([a-z]+)">`)
	h1       = regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)
)

func TestPublicPagesInBothLanguages(t *testing.T) {
	s := newSite(t, nil)
	pages := []struct {
		path     string
		h1es     string
		h1en     string
		mustHave map[string][]string
	}{
		{"/", "¡Tus notificaciones del Estado, siempre a la mano!", "Your notifications from the State, always at hand!", map[string][]string{
			"es": {`href="/como-crear-mi-cuenta" class="button button-start">Crear mi cuenta`, `href="/ingresar"`, "Sistema Único de Notificación y Gestión de Trámites del Estado"},
			"en": {`>Create my account`, `href="/ingresar"`},
		}},
		{"/acerca", "Acerca de Buzón", "About Buzón", map[string][]string{
			"es": {"artículo 225", "N.U.I.", "DIGERCIC", "MINTEL", "No compartir tu clave con nadie.", "menores de 65 años"},
			"en": {"article 225", "N.U.I.", "DIGERCIC", "MINTEL", "Never share your password with anyone."},
		}},
		{"/como-crear-mi-cuenta", "¿Cómo crear mi cuenta?", "How do I create my account?", map[string][]string{
			"es": {"Canal virtual", "Canal presencial", "Número de cédula (N.U.I.).", "Correo electrónico habitual.", "Certificado de firma electrónica vigente.", "Cédula de ciudadanía."},
			"en": {"Online channel", "In-person channel", "A valid electronic signature certificate."},
		}},
		{"/recibiste-una-notificacion", "¿Recibiste una notificación?", "Did you get a notification?", map[string][]string{
			"es": {"Aviso de correo", "Apertura de notificación", "Acciones posteriores"},
			"en": {"Email alert", "Opening the notification", "What to do next"},
		}},
		{"/instituciones", "Activación y actualización en instituciones públicas", "Activation and updates for public institutions", map[string][]string{
			"es": {"Elaboradas en la plataforma", "Interconexión con la plataforma", "Documento de delegación oficial.", "Número telefónico institucional.", "mesa de servicios del MINTEL"},
			"en": {"Written on the platform", "Connection to the platform", "Official delegation document.", "MINTEL service desk"},
		}},
		{"/preguntas-frecuentes", "Preguntas frecuentes", "Frequently asked questions", map[string][]string{
			"es": {"Para la ciudadanía", "Para las instituciones"},
			"en": {"For citizens", "For institutions"},
		}},
	}
	for _, p := range pages {
		for _, lang := range i18n.Languages {
			t.Run(p.path+"/"+lang, func(t *testing.T) {
				resp := s.do("GET", p.path, lang, nil)
				b := body(t, resp)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d", resp.StatusCode)
				}
				if m := htmlLang.FindStringSubmatch(b); m == nil || m[1] != lang {
					t.Errorf("<html lang> = %v, want %s", m, lang)
				}
				if got := resp.Header.Get("Content-Language"); got != lang {
					t.Errorf("Content-Language = %q, want %s", got, lang)
				}
				if got := resp.Header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control = %q, want no-store", got)
				}
				h1s := h1.FindAllStringSubmatch(b, -1)
				if len(h1s) != 1 {
					t.Fatalf("%d h1 elements, want 1", len(h1s))
				}
				want := p.h1es
				if lang == i18n.English {
					want = p.h1en
				}
				if got := strings.TrimSpace(h1s[0][1]); got != want {
					t.Errorf("h1 = %q, want %q", got, want)
				}
				for _, s := range p.mustHave[lang] {
					if !strings.Contains(b, s) {
						t.Errorf("page lacks %q", s)
					}
				}
				if strings.Contains(b, "public.") || strings.Contains(b, "site.") {
					t.Errorf("page shows an untranslated key")
				}
				if !strings.Contains(b, `aria-current="page"`) {
					t.Errorf("navigation does not mark the current page")
				}
				checkMarkup(t, b)
			})
		}
	}
}

// checkMarkup checks what every page must have: a skip link to main, a
// stylesheet, no inline script or style, headings that never skip a level.
func checkMarkup(t *testing.T, b string) {
	t.Helper()
	for _, s := range []string{`class="skip-link"`, `<main id="contenido"`, `rel="stylesheet" href="/static/buzon.`, `<meta name="viewport"`} {
		if !strings.Contains(b, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	for _, bad := range []string{"<script", "<style", " style=", " onclick="} {
		if strings.Contains(b, bad) {
			t.Errorf("page contains %q, which the CSP forbids", bad)
		}
	}
	prev := 0
	for _, m := range regexp.MustCompile(`<h([1-6])[ >]`).FindAllStringSubmatch(b, -1) {
		level := int(m[1][0] - '0')
		if prev == 0 && level != 1 && level != 2 {
			t.Errorf("first heading is h%d", level)
		}
		if prev != 0 && level > prev+1 {
			t.Errorf("heading jumps from h%d to h%d", prev, level)
		}
		prev = level
	}
}

func TestLanguageNegotiation(t *testing.T) {
	s := newSite(t, nil)
	tests := []struct {
		name, cookie, accept, want string
	}{
		{"nothing gives Spanish", "", "", "es"},
		{"English browser", "", "en-US,en;q=0.9", "en"},
		{"Ecuadorian browser", "", "es-EC,es;q=0.9,en;q=0.8", "es"},
		{"unsupported language falls back to Spanish", "", "fr-FR,fr;q=0.9", "es"},
		{"second choice English", "", "de-DE, en;q=0.5", "en"},
		{"garbage header", "", ";;;q=x,,", "es"},
		{"cookie beats header", "es", "en-US", "es"},
		{"cookie English", "en", "es-EC", "en"},
		{"invalid cookie ignored", "fr", "en", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.accept != "" {
				h.Set("Accept-Language", tt.accept)
			}
			resp := s.do("GET", "/acerca", tt.cookie, h)
			b := body(t, resp)
			if m := htmlLang.FindStringSubmatch(b); m == nil || m[1] != tt.want {
				t.Errorf("lang = %v, want %s", m, tt.want)
			}
		})
	}
}

func TestLanguageSwitch(t *testing.T) {
	s := newSite(t, nil)
	tests := []struct {
		target, wantLocation string
	}{
		{"/idioma/en?volver=/acerca", "/acerca"},
		{"/idioma/en?volver=%2Fpreguntas-frecuentes%3Fx%3D1", "/preguntas-frecuentes?x=1"},
		{"/idioma/es?volver=//evil.example/", "/"},
		{"/idioma/es?volver=https://evil.example/", "/"},
		{"/idioma/es?volver=/%5Cevil.example", "/"},
		{"/idioma/es", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			resp := s.do("GET", tt.target, "", nil)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d, want 303", resp.StatusCode)
			}
			if got := resp.Header.Get("Location"); got != tt.wantLocation {
				t.Errorf("Location = %q, want %q", got, tt.wantLocation)
			}
			cookies := resp.Cookies()
			if len(cookies) != 1 || cookies[0].Name != i18n.CookieName || !cookies[0].HttpOnly || cookies[0].Path != "/" {
				t.Fatalf("cookies = %+v", cookies)
			}
			want := strings.TrimPrefix(tt.target, "/idioma/")[:2]
			if cookies[0].Value != want {
				t.Errorf("cookie = %q, want %q", cookies[0].Value, want)
			}
		})
	}
	t.Run("unknown language is 404", func(t *testing.T) {
		resp := s.do("GET", "/idioma/fr?volver=/", "", nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
		if len(resp.Cookies()) != 0 {
			t.Errorf("cookie set for an unknown language")
		}
	})
	t.Run("page links to the other language and back to itself", func(t *testing.T) {
		b := body(t, s.do("GET", "/acerca?a=1&b=2", "", nil))
		if !strings.Contains(b, `href="/idioma/en?volver=%2facerca%3fa%3d1%26b%3d2" hreflang="en" lang="en">English</a>`) {
			t.Errorf("no English switch link back to this page in:\n%s", b)
		}
		b = body(t, s.do("GET", "/acerca", "en", nil))
		if !strings.Contains(b, `href="/idioma/es?volver=%2facerca" hreflang="es" lang="es">Español</a>`) {
			t.Errorf("no Spanish switch link on the English page")
		}
	})
	t.Run("the return address is escaped", func(t *testing.T) {
		b := body(t, s.do("GET", `/acerca?x="><script>alert(1)</script>`, "", nil))
		if strings.Contains(b, "<script") {
			t.Errorf("query string reached the page unescaped")
		}
	})
}

func TestLocalPath(t *testing.T) {
	tests := map[string]string{
		"":                              "/",
		"/":                             "/",
		"/acerca":                       "/acerca",
		"/acerca?x=1#frag":              "/acerca?x=1",
		"acerca":                        "/",
		"//evil.example":                "/",
		"/\\evil.example":               "/",
		"/a\\b":                         "/",
		"https://evil.example/":         "/",
		"javascript:alert(1)":           "/",
		"/\x00":                         "/",
		"/ok/\r\nSet-Cookie: x=1":       "/",
		"/%2F%2Fevil.example":           "/%2F%2Fevil.example",
		"/" + strings.Repeat("a", 3000): "/",
	}
	for in, want := range tests {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/acerca?x=1", "//evil", "/\\evil", "https://x", "/%2f%2fx", "/a/../b", "/@evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := localPath(in)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") {
			t.Fatalf("localPath(%q) = %q leaves the site", in, got)
		}
		r := httptest.NewRequest("GET", "http://buzon.test/", nil)
		w := httptest.NewRecorder()
		http.Redirect(w, r, got, http.StatusSeeOther)
		loc, err := r.URL.Parse(w.Header().Get("Location"))
		if err != nil {
			t.Fatalf("Location %q: %v", w.Header().Get("Location"), err)
		}
		if loc.Host != "buzon.test" {
			t.Fatalf("localPath(%q) = %q redirects to host %q", in, got, loc.Host)
		}
	})
}

// securityHeaders are the headers every response must carry.
var wantSecurity = map[string]string{
	"Content-Security-Policy":    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options":     "nosniff",
	"Referrer-Policy":            "strict-origin-when-cross-origin",
	"X-Frame-Options":            "DENY",
	"Cross-Origin-Opener-Policy": "same-origin",
}

func checkSecurityHeaders(t *testing.T, resp *http.Response, hsts bool) {
	t.Helper()
	got := map[string]string{}
	for k := range wantSecurity {
		got[k] = resp.Header.Get(k)
	}
	if d := cmp.Diff(wantSecurity, got); d != "" {
		t.Errorf("security headers (-want +got):\n%s", d)
	}
	if !strings.Contains(resp.Header.Get("Permissions-Policy"), "camera=()") {
		t.Errorf("Permissions-Policy = %q", resp.Header.Get("Permissions-Policy"))
	}
	if got := resp.Header.Get("Strict-Transport-Security") != ""; got != hsts {
		t.Errorf("Strict-Transport-Security present = %v, want %v", got, hsts)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("no X-Request-Id")
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	for _, base := range []string{"http://buzon.test", "https://buzon.gob.ec"} {
		hsts := strings.HasPrefix(base, "https")
		s := newSite(t, func(o *Options) {
			o.BaseURL = base
			o.Ready = func(context.Context) error { return errors.New("database unreachable") }
		})
		css := regexp.MustCompile(`/static/buzon\.[0-9a-f]+\.css`).FindString(body(t, s.do("GET", "/", "", nil)))
		tests := []struct {
			name, method, target string
			header               http.Header
			status               int
		}{
			{"page", "GET", "/acerca", nil, 200},
			{"head", "HEAD", "/acerca", nil, 200},
			{"static", "GET", css, nil, 200},
			{"favicon", "GET", "/favicon.ico", nil, 200},
			{"not found", "GET", "/no-existe", nil, 404},
			{"old static hash", "GET", "/static/buzon.000000000000.css", nil, 404},
			{"panic", "GET", "/test/panic", nil, 500},
			{"healthz", "GET", "/healthz", nil, 200},
			{"readyz failing", "GET", "/readyz", nil, 503},
			{"metrics", "GET", "/metrics", nil, 200},
			{"language switch", "GET", "/idioma/en", nil, 303},
			{"cross-origin post", "POST", "/acerca", http.Header{"Sec-Fetch-Site": {"cross-site"}}, 403},
		}
		for _, tt := range tests {
			t.Run(base+" "+tt.name, func(t *testing.T) {
				resp := s.do(tt.method, tt.target, "", tt.header)
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
				}
				checkSecurityHeaders(t, resp, hsts)
			})
		}
	}
	t.Run("HSTS over TLS even with an http base URL", func(t *testing.T) {
		s := newSite(t, nil)
		r := httptest.NewRequest("GET", "https://buzon.test/", nil)
		w := httptest.NewRecorder()
		s.handler.ServeHTTP(w, r)
		checkSecurityHeaders(t, w.Result(), true)
	})
}

func TestNotFound(t *testing.T) {
	s := newSite(t, nil)
	tests := []struct {
		lang, want string
	}{
		{"", "No encontramos esta página"},
		{"en", "Page not found"},
	}
	for _, tt := range tests {
		resp := s.do("GET", "/no/existe", tt.lang, nil)
		b := body(t, resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d", resp.StatusCode)
		}
		if !strings.Contains(b, "<h1>"+tt.want+"</h1>") {
			t.Errorf("404 page (%q) lacks %q", tt.lang, tt.want)
		}
		if resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("Content-Type = %q", resp.Header.Get("Content-Type"))
		}
		checkSecurityHeaders(t, resp, false)
		checkMarkup(t, b)
	}
}

func TestPanicGivesErrorPage(t *testing.T) {
	s := newSite(t, nil)
	for _, lang := range []string{"es", "en"} {
		resp := s.do("GET", "/test/panic", lang, http.Header{"X-Request-Id": {"req-" + lang}})
		b := body(t, resp)
		if resp.StatusCode != http.StatusInternalServerError {
			t.Fatalf("status %d, want 500", resp.StatusCode)
		}
		want := map[string]string{"es": "Lo sentimos, hay un problema con el servicio", "en": "Sorry, there is a problem with the service"}[lang]
		if !strings.Contains(b, want) || !htmlLang.MatchString(b) || !strings.Contains(b, `lang="`+lang+`"`) {
			t.Errorf("500 page in %s lacks %q", lang, want)
		}
		if !strings.Contains(b, "req-"+lang) {
			t.Errorf("500 page does not show the request id")
		}
		for _, leak := range []string{"boom", "secret detail", "goroutine", ".go:"} {
			if strings.Contains(b, leak) {
				t.Errorf("500 page leaks %q", leak)
			}
		}
		checkSecurityHeaders(t, resp, false)
	}
	var logged bool
	for _, l := range s.logs.lines(t) {
		if l["msg"] == "server error" && l["request_id"] == "req-es" {
			logged = true
			if err, _ := l["err"].(string); !strings.Contains(err, "boom: secret detail") || !strings.Contains(err, "goroutine") {
				t.Errorf("panic log lacks the value or the stack: %q", err)
			}
		}
	}
	if !logged {
		t.Errorf("panic not logged with its request id")
	}

	t.Run("after the response began", func(t *testing.T) {
		resp := s.do("GET", "/test/panic-late", "", nil)
		if b := body(t, resp); b != "partial" {
			t.Errorf("body = %q, want only what the handler wrote", b)
		}
	})
}

func TestRequestID(t *testing.T) {
	s := newSite(t, nil)
	tests := []struct {
		name, in string
		kept     bool
	}{
		{"kept when valid", "abc-123_DEF.456", true},
		{"generated when absent", "", false},
		{"replaced when it has spaces", "abc 123", false},
		{"replaced when it forges log lines", "abc\nlevel=ERROR", false},
		{"replaced when too long", strings.Repeat("a", 129), false},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.in != "" {
				h["X-Request-Id"] = []string{tt.in}
			}
			resp := s.do("GET", "/healthz", "", h)
			got := resp.Header.Get("X-Request-Id")
			if tt.kept && got != tt.in {
				t.Errorf("id = %q, want %q", got, tt.in)
			}
			if !tt.kept && (got == tt.in || len(got) != 26 || seen[got]) {
				t.Errorf("id = %q, want a fresh one", got)
			}
			seen[got] = true
		})
	}
}

func TestAccessLog(t *testing.T) {
	s := newSite(t, nil)
	s.do("GET", "/test/items/42?q=secret", "", http.Header{"X-Request-Id": {"log-test"}})
	var found map[string]any
	for _, l := range s.logs.lines(t) {
		if l["msg"] == "http request" && l["request_id"] == "log-test" {
			found = l
		}
	}
	if found == nil {
		t.Fatal("no access log line")
	}
	delete(found, "time")
	if _, ok := found["duration"].(float64); !ok {
		t.Errorf("duration = %v", found["duration"])
	}
	delete(found, "duration")
	want := map[string]any{
		"level": "INFO", "msg": "http request", "method": "GET", "route": "GET /test/items/{id}",
		"path": "/test/items/42", "status": float64(200), "bytes": float64(4), "request_id": "log-test",
		"remote_addr": "192.0.2.1:1234",
	}
	if d := cmp.Diff(want, found); d != "" {
		t.Errorf("access log (-want +got):\n%s", d)
	}
}

func TestMetricsByRoutePattern(t *testing.T) {
	s := newSite(t, nil)
	for _, p := range []string{"/test/items/1", "/test/items/2", "/test/items/3", "/no-existe-1", "/no-existe-2", "/acerca"} {
		s.do("GET", p, "", nil)
	}
	s.do("POST", "/acerca", "", http.Header{"Sec-Fetch-Site": {"cross-site"}})
	b := body(t, s.do("GET", "/metrics", "", nil))
	for _, want := range []string{
		`buzon_http_requests_total{method="GET",route="GET /test/items/{id}",status="200"} 3`,
		`buzon_http_requests_total{method="GET",route="unmatched",status="404"} 2`,
		`buzon_http_requests_total{method="GET",route="GET /acerca",status="200"} 1`,
		`buzon_http_requests_total{method="POST",route="unmatched",status="403"} 1`,
		`buzon_http_request_duration_seconds_count{method="GET",route="GET /test/items/{id}"} 3`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, raw := range []string{"/test/items/1", "no-existe"} {
		if strings.Contains(b, raw) {
			t.Errorf("metrics carry the raw path %q", raw)
		}
	}
}

func TestCrossOriginProtection(t *testing.T) {
	s := newSite(t, nil)
	tests := []struct {
		name   string
		method string
		header http.Header
		status int
	}{
		{"cross-site form post", "POST", http.Header{"Sec-Fetch-Site": {"cross-site"}}, 403},
		{"same-site other origin", "POST", http.Header{"Sec-Fetch-Site": {"same-site"}}, 403},
		{"old browser, foreign Origin", "POST", http.Header{"Origin": {"https://evil.example"}}, 403},
		{"same-origin post passes to the route", "POST", http.Header{"Sec-Fetch-Site": {"same-origin"}}, 404},
		{"trusted base URL origin", "POST", http.Header{"Origin": {"http://buzon.test"}}, 404},
		{"non-browser client passes", "POST", nil, 404},
		{"cross-site GET is safe", "GET", http.Header{"Sec-Fetch-Site": {"cross-site"}}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.do(tt.method, "/acerca", "", tt.header)
			b := body(t, resp)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == 403 && !strings.Contains(b, "No pudimos completar tu solicitud") {
				t.Errorf("403 is not the forbidden page")
			}
		})
	}
}

func TestOperations(t *testing.T) {
	t.Run("healthz", func(t *testing.T) {
		s := newSite(t, func(o *Options) {
			o.Ready = func(context.Context) error { return errors.New("down") }
		})
		resp := s.do("GET", "/healthz", "", nil)
		if b := body(t, resp); resp.StatusCode != 200 || b != "ok\n" {
			t.Errorf("healthz = %d %q", resp.StatusCode, b)
		}
	})
	tests := []struct {
		name   string
		ready  func(context.Context) error
		status int
		body   string
	}{
		{"no check means ready", nil, 200, "ready\n"},
		{"ready", func(ctx context.Context) error {
			if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > readyTimeout {
				return errors.New("check not bounded in time")
			}
			return nil
		}, 200, "ready\n"},
		{"database down", func(context.Context) error {
			return fmt.Errorf("database unreachable: %w", errors.New("dial tcp: refused\nsecond line"))
		}, 503, "not ready: database unreachable: dial tcp: refused\n"},
		{"timed out", func(context.Context) error { return context.DeadlineExceeded }, 503, "not ready: readiness check timed out\n"},
	}
	for _, tt := range tests {
		t.Run("readyz "+tt.name, func(t *testing.T) {
			s := newSite(t, func(o *Options) { o.Ready = tt.ready })
			resp := s.do("GET", "/readyz", "", nil)
			if b := body(t, resp); resp.StatusCode != tt.status || b != tt.body {
				t.Errorf("readyz = %d %q, want %d %q", resp.StatusCode, b, tt.status, tt.body)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("readyz may be cached")
			}
		})
	}
	t.Run("no metrics without a registry", func(t *testing.T) {
		s := newSite(t, func(o *Options) { o.Metrics = nil })
		if resp := s.do("GET", "/metrics", "", nil); resp.StatusCode != 404 {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
	})
}

func TestStatic(t *testing.T) {
	s := newSite(t, nil)
	page := body(t, s.do("GET", "/", "", nil))
	for _, tt := range []struct {
		pattern, ctype string
	}{
		{`/static/buzon\.[0-9a-f]{12}\.css`, "text/css; charset=utf-8"},
		{`/static/favicon\.[0-9a-f]{12}\.svg`, "image/svg+xml"},
	} {
		url := regexp.MustCompile(tt.pattern).FindString(page)
		if url == "" {
			t.Fatalf("page does not link %s", tt.pattern)
		}
		resp := s.do("GET", url, "", nil)
		b := body(t, resp)
		if resp.StatusCode != 200 || len(b) == 0 {
			t.Fatalf("%s: status %d, %d bytes", url, resp.StatusCode, len(b))
		}
		if got := resp.Header.Get("Content-Type"); got != tt.ctype {
			t.Errorf("%s: Content-Type %q, want %q", url, got, tt.ctype)
		}
		if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", url, got)
		}
		etag := resp.Header.Get("ETag")
		resp = s.do("GET", url, "", http.Header{"If-None-Match": {etag}})
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its ETag: status %d, want 304", url, resp.StatusCode)
		}
	}
}

// devMailbox is an in-memory development mailbox.
type devMailbox struct {
	mails []store.DevMail
	err   error
}

func (m *devMailbox) DevMails(_ context.Context, limit int) ([]store.DevMail, error) {
	return m.mails[:min(limit, len(m.mails))], m.err
}

func (m *devMailbox) DevMail(_ context.Context, id string) (*store.DevMail, error) {
	if m.err != nil {
		return nil, m.err
	}
	for i := range m.mails {
		if m.mails[i].ID == id {
			return &m.mails[i], nil
		}
	}
	return nil, fmt.Errorf("dev mail %s: %w", id, store.ErrNotFound)
}

func TestDevMail(t *testing.T) {
	box := &devMailbox{mails: []store.DevMail{{
		ID: "m1", MessageID: "<m1@buzon.test>", From: "Buzón <no-responder@buzon.test>", To: "ana@example.ec",
		Subject: "Tienes una notificación", Text: "Código de verificación: K7Q-2P",
		HTML:      `<p>Código <b>K7Q-2P</b></p><script>alert(1)</script>`,
		CreatedAt: time.Date(2026, 1, 2, 19, 5, 0, 0, time.UTC),
	}}}
	t.Run("404 without --dev", func(t *testing.T) {
		s := newSite(t, func(o *Options) { o.DevMail = box })
		for _, p := range []string{"/dev/mail", "/dev/mail/m1"} {
			if resp := s.do("GET", p, "", nil); resp.StatusCode != 404 {
				t.Errorf("%s: status %d, want 404", p, resp.StatusCode)
			}
		}
	})
	s := newSite(t, func(o *Options) { o.Dev = true; o.DevMail = box })
	t.Run("list", func(t *testing.T) {
		resp := s.do("GET", "/dev/mail", "", nil)
		b := body(t, resp)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, want := range []string{"los correos no se envían", `href="/dev/mail/m1">Tienes una notificación</a>`, "ana@example.ec", "2 de enero de 2026, 14:05"} {
			if !strings.Contains(b, want) {
				t.Errorf("list lacks %q", want)
			}
		}
		checkMarkup(t, b)
	})
	t.Run("one message, HTML shown as source", func(t *testing.T) {
		resp := s.do("GET", "/dev/mail/m1", "en", nil)
		b := body(t, resp)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, want := range []string{"emails are not sent", "Código de verificación: K7Q-2P", "&lt;script&gt;alert(1)&lt;/script&gt;", "2 January 2026, 14:05"} {
			if !strings.Contains(b, want) {
				t.Errorf("message page lacks %q", want)
			}
		}
		checkMarkup(t, b)
	})
	t.Run("unknown message", func(t *testing.T) {
		if resp := s.do("GET", "/dev/mail/nope", "", nil); resp.StatusCode != 404 {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
	})
	t.Run("store failure", func(t *testing.T) {
		s := newSite(t, func(o *Options) { o.Dev = true; o.DevMail = &devMailbox{err: errors.New("disk on fire")} })
		resp := s.do("GET", "/dev/mail", "", nil)
		if b := body(t, resp); resp.StatusCode != 500 || strings.Contains(b, "disk on fire") {
			t.Errorf("status %d; the cause must stay in the log", resp.StatusCode)
		}
	})
}

// TestTranslationsComplete builds the site with every area on and checks
// that every key a template uses exists in every language (New refuses to
// start otherwise) and that the check does see the keys.
func TestTranslationsComplete(t *testing.T) {
	var engine *view.Engine
	_, err := build(Options{Dev: true, DevMail: &devMailbox{}}, func(_ *http.ServeMux, v *view.Engine) { engine = v })
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Check(); err != nil {
		t.Fatal(err)
	}
	keys := engine.Keys()
	for _, k := range []string{"site.skip", "site.notfound.title", "public.home.tagline", "devmail.banner"} {
		if _, found := slicesIndex(keys, k); !found {
			t.Errorf("key %q not seen in the templates; the check is blind", k)
		}
	}
	for _, k := range keys {
		es, en := engine.T("es", k), engine.T("en", k)
		if es == k || en == k || es == "" || en == "" {
			t.Errorf("key %q: es %q, en %q", k, es, en)
		}
	}
}

func slicesIndex(s []string, v string) (int, bool) {
	for i, x := range s {
		if x == v {
			return i, true
		}
	}
	return -1, false
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, u := range []string{"buzon.gob.ec", "ftp://buzon.gob.ec", "https://"} {
		if _, err := New(Options{BaseURL: u}); err == nil {
			t.Errorf("New accepted base URL %q", u)
		}
	}
}
