package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"buzon/internal/config"
	"buzon/internal/server"
)

// ci reports whether the tests run in continuous integration, where a
// missing browser or axe-core is a failure instead of a skip.
func ci() bool { return os.Getenv("CI") == "true" }

// Server is a Buzón serving on a loopback port for one test.
type Server struct {
	*server.Server
	URL    string // base URL, without a trailing slash
	Config *config.Config
}

// StartServer starts the real server, as `buzon serve --dev` would, with a
// fresh data directory (SQLite) and no SMTP server (mail goes to the
// development mailbox). change, if not nil, adjusts the configuration. The
// server stops when the test ends.
func StartServer(t *testing.T, change func(*config.Config)) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{
		Addr:            ln.Addr().String(),
		BaseURL:         "http://" + ln.Addr().String(),
		Data:            t.TempDir(),
		AutoMigrate:     true,
		Dev:             true,
		LogFormat:       "text",
		LogLevel:        "error",
		Workers:         1,
		ShutdownTimeout: 10 * time.Second,
	}
	if change != nil {
		change(cfg)
	}
	if err := cfg.Validate(); err != nil {
		ln.Close()
		t.Fatal(err)
	}
	// Only errors reach the test log: a 500 or a failed job is worth seeing.
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, logger)
	if err != nil {
		cancel()
		ln.Close()
		t.Fatalf("server.New: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &Server{Server: srv, URL: cfg.BaseURL, Config: cfg}
}

// Browser is one headless Chromium tab driven by a test. Every page it
// reaches through Visit or ClickLink is screenshotted, checked with axe-core
// and checked for errors in the browser console.
type Browser struct {
	t       *testing.T
	ctx     context.Context
	base    string
	axe     string // axe.min.js, or "" when it is not installed
	shots   string // screenshot directory, or ""
	step    int
	mu      sync.Mutex
	console []string      // errors the page wrote since the last check
	logged  chan struct{} // signalled (without blocking) on each new error
}

// BrowserOptions adjust a new browser.
type BrowserOptions struct {
	// AcceptLanguage is the browser's language preference; default es-EC,
	// an Ecuadorian's browser.
	AcceptLanguage string
	// Width and Height of the window; default 1280×900. Phone makes it a
	// phone-sized touch screen instead (390×844).
	Width, Height int
	Phone         bool
}

// actionTimeout bounds every browser step, so a broken page fails the test
// instead of hanging it.
const actionTimeout = 30 * time.Second

// findChromium returns the browser to drive.
func findChromium() (string, error) {
	if p := os.Getenv("BUZON_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium, chromium-browser or google-chrome on PATH (set BUZON_CHROMIUM)")
}

// NewBrowser starts a headless Chromium for the test against base, the
// server's URL. Without Chromium the test is skipped, or fails under CI.
func NewBrowser(t *testing.T, base string, o BrowserOptions) *Browser {
	t.Helper()
	path, err := findChromium()
	if err != nil {
		if ci() {
			t.Fatalf("browser tests need Chromium: %v", err)
		}
		t.Skipf("browser tests skipped: %v. Install Debian's chromium package to run them.", err)
	}
	if o.AcceptLanguage == "" {
		o.AcceptLanguage = "es-EC,es;q=0.9"
	}
	if o.Width == 0 {
		o.Width, o.Height = 1280, 900
	}
	if o.Phone {
		o.Width, o.Height = 390, 844
	}
	b := &Browser{t: t, base: strings.TrimRight(base, "/"), axe: loadAxe(t), shots: os.Getenv("BUZON_E2E_SCREENSHOTS"),
		logged: make(chan struct{}, 1)}
	if b.shots != "" {
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	// The profile directory is made before the cleanup that stops the
	// browser is registered, so it is removed after the browser has exited.
	profile := t.TempDir()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests may run as root in a container
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(o.Width, o.Height),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
	)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	b.ctx = ctx

	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() || m.Source == "security" {
				b.mu.Lock()
				b.console = append(b.console, m.String())
				b.mu.Unlock()
				select {
				case b.logged <- struct{}{}:
				default:
				}
			}
		}
	}()
	b.do("set the browser language", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": o.AcceptLanguage},
		})
		return err
	}))
	if o.Phone {
		b.do("emulate a phone", chromedp.EmulateViewport(int64(o.Width), int64(o.Height),
			chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	}
	return b
}

// loadAxe reads axe-core, installed by `npm ci --prefix e2e`.
func loadAxe(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if ci() {
			t.Fatalf("axe-core is missing (run `npm ci --prefix e2e`): %v", err)
		}
		t.Logf("accessibility checks skipped: axe-core is missing (run `npm ci --prefix e2e`): %v", err)
		return ""
	}
	return string(src)
}

// do runs browser steps with a time limit, failing the test on error.
func (b *Browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// run runs one browser action with a time limit and returns its value.
func run[T any](b *Browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// Visit opens path on the server, expects a 200 and checks the page; step
// names the screenshot.
func (b *Browser) Visit(step, path string) {
	b.t.Helper()
	resp := run(b, "visit "+path, chromedp.NavigateResponse(b.base+path))
	if resp.Status != 200 {
		b.t.Fatalf("visit %s: status %d", path, resp.Status)
	}
	b.Check(step)
}

// ClickLink follows the first visible link whose text is exactly text,
// expects the new page to load with 200 and checks it.
func (b *Browser) ClickLink(step, text string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(xpathText("a", text)))
	if err != nil {
		b.t.Fatalf("click link %q: %v", text, err)
	}
	if resp.Status != 200 {
		b.t.Fatalf("click link %q: %s answered %d", text, resp.URL, resp.Status)
	}
	b.Check(step)
}

// Check screenshots the page, runs axe-core on it and fails the test on any
// accessibility violation or console error. Visit and ClickLink call it; call
// it directly after a change made without navigating.
func (b *Browser) Check(step string) {
	b.t.Helper()
	b.Screenshot(step)
	b.Axe()
	for _, e := range b.consoleErrors() {
		b.t.Errorf("browser console at step %q: %s", step, e)
	}
}

// Path returns the path of the page the browser shows.
func (b *Browser) Path() string {
	b.t.Helper()
	return run(b, "read location", chromedp.Evaluate[string](`location.pathname + location.search`))
}

// Lang returns the lang attribute of the page's <html>.
func (b *Browser) Lang() string {
	b.t.Helper()
	return run(b, "read <html lang>", chromedp.Evaluate[string](`document.documentElement.lang`))
}

// Text returns the visible text of the first element matching a CSS selector.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b, "read "+css, chromedp.Text(chromedp.CSS(css))))
}

// MustSee fails the test unless each text is the whole text of a visible
// element inside <main>.
func (b *Browser) MustSee(texts ...string) {
	b.t.Helper()
	for _, text := range texts {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.Search(
			`//main//*[normalize-space(.)=`+xpathLiteral(text)+` and not(*[normalize-space(.)=`+xpathLiteral(text)+`])]`)))
		cancel()
		if err != nil {
			b.t.Errorf("%q is not visible on %s: %v", text, b.Path(), err)
		}
	}
}

// Screenshot saves a full-page PNG named after the test and the step, when
// BUZON_E2E_SCREENSHOTS names a directory.
func (b *Browser) Screenshot(step string) {
	b.t.Helper()
	if b.shots == "" {
		return
	}
	b.step++
	png := run(b, "screenshot", chromedp.FullScreenshot(100))
	name := fmt.Sprintf("%s-%02d-%s.png", fileName(b.t.Name()), b.step, fileName(step))
	if err := os.WriteFile(filepath.Join(b.shots, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(s string) string { return strings.Trim(unsafeFileChars.ReplaceAllString(s, "_"), "_") }

// axeTags are the rule sets DESIGN §7 requires: WCAG 2.0, 2.1 and 2.2, A and AA.
const axeRun = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
	resultTypes: ['violations']
}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({target: n.target.map(String), summary: n.failureSummary, html: n.html}))
})))`

type axeViolation struct {
	ID, Impact, Help, HelpURL string
	Nodes                     []struct {
		Target  []string
		Summary string
		HTML    string
	}
}

// Axe runs axe-core on the page and fails the test on each violation,
// naming the rule, the help text and the offending elements.
func (b *Browser) Axe() {
	b.t.Helper()
	for _, v := range b.axeViolations() {
		var nodes []string
		for _, n := range v.Nodes {
			nodes = append(nodes, fmt.Sprintf("    %s %s\n      %s", strings.Join(n.Target, " "), n.HTML,
				strings.ReplaceAll(n.Summary, "\n", "\n      ")))
		}
		b.t.Errorf("accessibility: %s (%s): %s\n  %s\n%s", v.ID, v.Impact, v.Help, v.HelpURL, strings.Join(nodes, "\n"))
	}
}

// axeViolations runs axe-core on the page. The script is injected through
// the DevTools protocol (Runtime.evaluate), which the page's
// Content-Security-Policy does not govern; TestHarnessCatchesProblems
// proves it on a page with Buzón's policy.
func (b *Browser) axeViolations() []axeViolation {
	b.t.Helper()
	if b.axe == "" {
		return nil
	}
	if !run(b, "look for axe", chromedp.Evaluate[bool](`typeof window.axe === 'object'`)) {
		b.do("inject axe-core", chromedp.Evaluate[chromedp.Void](b.axe))
	}
	raw := run(b, "run axe-core", chromedp.Evaluate[[]byte](axeRun, chromedp.EvalAwaitPromise))
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		b.t.Fatalf("axe-core result: %v", err)
	}
	return vs
}

// consoleErrors returns and forgets the errors the page wrote.
func (b *Browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	errs := b.console
	b.console = nil
	return errs
}

// xpathText selects the elements named tag whose normalized text is text.
func xpathText(tag, text string) chromedp.Search {
	return chromedp.Search(`//` + tag + `[normalize-space(.)=` + xpathLiteral(text) + `]`)
}

// xpathLiteral quotes s for XPath 1.0, which has no escape character.
func xpathLiteral(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	if !strings.Contains(s, `'`) {
		return `'` + s + `'`
	}
	parts := strings.Split(s, `"`)
	return `concat("` + strings.Join(parts, `", '"', "`) + `")`
}

// navigate opens an absolute URL without checking the page.
func navigate(url string) chromedp.Action[chromedp.Void] { return chromedp.Navigate(url) }

// evaluateString evaluates a JavaScript expression, awaiting a promise.
func evaluateString(expr string) chromedp.Action[string] {
	return chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise)
}

// Press sends keys to the page as a keyboard would ("\t" is Tab, "\r" is
// Enter; see the kb package).
func (b *Browser) Press(keys string) {
	b.t.Helper()
	b.do("press "+strconvQuote(keys), chromedp.KeyEvent(keys))
}

// Focused describes the element that has the keyboard focus: its text, and
// whether it is drawn on screen (a skip link must appear when focused).
func (b *Browser) Focused() (text string, visible bool) {
	b.t.Helper()
	var f struct {
		Text    string
		Visible bool
	}
	raw := run(b, "read the focus", chromedp.Evaluate[[]byte](`(() => {
		const e = document.activeElement, r = e.getBoundingClientRect();
		return {text: (e.innerText || '').trim(), visible: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0};
	})()`))
	if err := json.Unmarshal(raw, &f); err != nil {
		b.t.Fatalf("read the focus: %v", err)
	}
	return f.Text, f.Visible
}

func strconvQuote(s string) string { return fmt.Sprintf("%q", s) }
