package security_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// wantHeaders are the security headers every response carries, whatever
// made it: a page, a redirect, an error page, a download, an API answer.
var wantHeaders = map[string]string{
	"X-Content-Type-Options":     "nosniff",
	"X-Frame-Options":            "DENY",
	"Referrer-Policy":            "strict-origin-when-cross-origin",
	"Cross-Origin-Opener-Policy": "same-origin",
}

// checkHeaders fails when a response lacks a security header, or has a
// Content-Security-Policy that would let a script run or the page be
// framed. Downloads replace the site's policy with a stricter sandbox.
func checkHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	for k, v := range wantHeaders {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
	csp := h.Get("Content-Security-Policy")
	site := strings.Contains(csp, "script-src 'self'") && strings.Contains(csp, "frame-ancestors 'none'") && strings.Contains(csp, "object-src 'none'")
	sandbox := strings.Contains(csp, "default-src 'none'") && strings.Contains(csp, "sandbox")
	if !site && !sandbox {
		t.Errorf("%s: Content-Security-Policy %q is neither the site's nor a download's sandbox", what, csp)
	}
	if h.Get("Permissions-Policy") == "" {
		t.Errorf("%s: no Permissions-Policy", what)
	}
}

// kind names what sort of response a header check saw, for the summary.
func kind(r result) string {
	ct := r.header.Get("Content-Type")
	switch {
	case r.status >= 300 && r.status < 400:
		return "redirect"
	case strings.HasPrefix(ct, "application/problem+json"):
		return "API problem+json"
	case strings.HasPrefix(ct, "application/json"):
		return "JSON"
	case strings.HasPrefix(ct, "text/html") && r.status >= 400:
		return "error page"
	case strings.HasPrefix(ct, "text/html"):
		return "page"
	case strings.HasPrefix(ct, "application/pdf"):
		return "PDF"
	case strings.HasPrefix(ct, "application/zip"):
		return "ZIP"
	case strings.HasPrefix(ct, "text/calendar"):
		return "ICS"
	case strings.HasPrefix(ct, "text/csv"):
		return "CSV"
	case strings.HasPrefix(ct, "text/css"), strings.HasPrefix(ct, "image/"):
		return "static file"
	}
	return ct
}

// TestSecurityHeadersOnEveryKindOfResponse covers what the authorization
// matrix does not reach: a cross-origin refusal, a 405 from the API, a 413,
// a static file, and the private responses' Cache-Control.
func TestSecurityHeadersOnEveryKindOfResponse(t *testing.T) {
	f := newFixture(t, nil)
	seen := map[string]bool{}
	check := func(what string, r result) {
		t.Helper()
		checkHeaders(t, what, r.header)
		seen[kind(r)] = true
	}
	// A cross-origin form post.
	req, _ := http.NewRequest(http.MethodPost, f.base+"/ingresar", strings.NewReader("nui=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://atacante.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := newClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d, want 403", resp.StatusCode)
	}
	checkHeaders(t, "cross-origin refusal", resp.Header)

	for _, c := range []struct {
		who          Role
		method, path string
		status       int
		private      bool // must not be stored by caches
	}{
		{Anonymous, "PUT", "/api/v1/notifications", http.StatusMethodNotAllowed, false},
		{SystemA, "GET", "/api/v1/notifications/" + f.b.notif, http.StatusNotFound, false},
		{SystemA, "GET", "/api/v1/notifications/" + f.a.notif, http.StatusOK, true},
		{Anonymous, "GET", "/api/v1/openapi.json", http.StatusOK, false},
		{Citizen, "GET", "/buzon/" + f.a.notif + "/anexos/" + f.a.att, http.StatusOK, true},
		{Citizen, "GET", "/buzon/" + f.a.notif + "/todo.zip", http.StatusOK, true},
		{Citizen, "GET", "/buzon/" + f.a.notif + "/plazo.ics", http.StatusOK, true},
		{Citizen, "GET", "/buzon/" + f.a.notif, http.StatusOK, true},
		{Notifier, "GET", "/institucion/" + f.a.inst.ID + "/notificaciones.csv", http.StatusOK, true},
		{Notifier, "GET", "/institucion/" + f.a.inst.ID + "/notificaciones/" + f.a.notif + "/anexos/" + f.a.att, http.StatusOK, true},
		{Citizen, "GET", "/institucion/" + f.a.inst.ID + "/notificaciones", http.StatusForbidden, false},
		{Anonymous, "GET", "/buzon", http.StatusSeeOther, false},
		{Anonymous, "GET", "/no-existe", http.StatusNotFound, false},
		{Anonymous, "GET", "/favicon.ico", http.StatusOK, false},
		{Anonymous, "GET", "/evidence/keys", http.StatusOK, false},
		{Anonymous, "GET", "/healthz", http.StatusOK, false},
	} {
		r := f.do(c.who, c.method, c.path, nil, "")
		what := c.method + " " + c.path
		if r.status != c.status {
			t.Errorf("%s as %s: status %d, want %d", what, c.who, r.status, c.status)
		}
		check(what, r)
		if c.private && !strings.Contains(r.header.Get("Cache-Control"), "no-store") {
			t.Errorf("%s: Cache-Control %q, want no-store for a private response", what, r.header.Get("Cache-Control"))
		}
	}
	// A static file, by its hashed address on the home page.
	home := f.do(Anonymous, "GET", "/", nil, "")
	if i := strings.Index(home.body, "/static/"); i >= 0 {
		path := home.body[i:]
		path = path[:strings.IndexAny(path, `"'`)]
		check("static "+path, f.do(Anonymous, "GET", path, nil, ""))
	} else {
		t.Errorf("the home page links no static file")
	}
	for _, k := range []string{"page", "redirect", "error page", "API problem+json", "JSON", "ZIP", "ICS", "CSV", "static file"} {
		if !seen[k] {
			t.Errorf("no %s response was checked", k)
		}
	}
}
