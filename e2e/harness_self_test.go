package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestHarnessCatchesProblems proves the checks every journey relies on can
// fail: on a page served with Buzón's Content-Security-Policy that has an
// image without a text alternative and an inline script, axe-core (injected
// despite the policy) reports the image and the console check reports the
// blocked script.
func TestHarnessCatchesProblems(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!DOCTYPE html><html lang="es"><head><title>Roto</title></head><body><main><h1>Roto</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<script>document.title = "inline";</script></main></body></html>`)
	}))
	defer ts.Close()
	b := NewBrowser(t, ts.URL, BrowserOptions{})
	run(b, "open the broken page", navigate(ts.URL))

	if b.axe == "" {
		t.Log("axe-core is missing: only the console check is exercised")
	} else {
		var ids []string
		for _, v := range b.axeViolations() {
			ids = append(ids, v.ID)
		}
		if !strings.Contains(strings.Join(ids, " "), "image-alt") {
			t.Errorf("axe-core found %v on a page with an image without alt, want image-alt", ids)
		}
	}
	if title := run(b, "read the title", evaluateString(`document.title`)); title != "Roto" {
		t.Errorf("the inline script ran (title %q): the page's CSP was not applied", title)
	}
	// The browser reports the CSP violation asynchronously.
	select {
	case <-b.logged:
	case <-time.After(actionTimeout):
	}
	errs := b.consoleErrors()
	if !strings.Contains(strings.Join(errs, "\n"), "Content Security Policy") {
		t.Errorf("console errors = %q, want the refused inline script", errs)
	}
}
