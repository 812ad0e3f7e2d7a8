package reliability_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"buzon/internal/config"
	"buzon/internal/server"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// binary is the buzon command, built once for the tests that run it as a
// child process.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "buzon-reliability-")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "buzon")
	cmd := exec.Command("go", "build", "-o", out, "buzon/cmd/buzon")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, b)
	}
	return out, nil
})

func TestMain(m *testing.M) {
	code := m.Run()
	if bin, err := binary(); err == nil && code >= 0 {
		os.RemoveAll(filepath.Dir(bin))
	}
	os.Exit(code)
}

func buzon(t *testing.T) string {
	t.Helper()
	t0 := time.Now()
	bin, err := binary()
	if d := time.Since(t0); d > time.Second {
		t.Logf("built buzon in %v", d)
	}
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// demoCitizen is a citizen the demo creates, with the demo's password.
type demoCitizen struct{ NUI string }

const demoPassword = "Cotopaxi-Chimborazo-2026"

var citizenLine = regexp.MustCompile(`Citizen:\s+cédula (\d{10})`)

// seed fills the database at dbURL (data directory data) with the demo:
// institutions, staff, citizens and a month of notifications.
func seed(t *testing.T, data, dbURL string) []demoCitizen {
	t.Helper()
	bin := buzon(t) // the build, on a cold cache, must not eat the demo's time
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"demo", "--data", data}
	if dbURL != "" {
		args = append(args, "--database-url", dbURL)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("buzon demo: %v\n%s", err, out)
	}
	var cs []demoCitizen
	for _, m := range citizenLine.FindAllStringSubmatch(string(out), -1) {
		cs = append(cs, demoCitizen{NUI: m[1]})
	}
	if len(cs) == 0 {
		t.Fatalf("buzon demo printed no citizen:\n%s", out)
	}
	return cs
}

// cleanEnv is the environment without BUZON_* settings, so a developer's
// shell does not change what the child process does.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BUZON_") {
			env = append(env, kv)
		}
	}
	return env
}

// engines lists the database engines a fault test runs on: SQLite always,
// PostgreSQL when BUZON_TEST_POSTGRES_URL is set (required under CI).
func engines(t *testing.T, fn func(t *testing.T, e store.Engine)) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

// databaseURL is a fresh database for engine e: "" for SQLite (the file in
// the data directory), a new PostgreSQL schema otherwise.
func databaseURL(t *testing.T, e store.Engine) string {
	if e == store.SQLite {
		return ""
	}
	return storetest.URL(t, e)
}

// rawDB opens the database for the tests' own checks.
func rawDB(t *testing.T, data, dbURL string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(data, "buzon.db")+"?_pragma=busy_timeout(10000)"
	if dbURL != "" {
		driver, dsn = "pgx", dbURL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// inProcess is a server assembled in this process, serving on loopback.
type inProcess struct {
	URL  string
	Srv  *server.Server
	stop func() error
}

func startInProcess(t *testing.T, cfg *config.Config) *inProcess {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	if cfg.LogFormat == "" {
		cfg.LogFormat, cfg.LogLevel = "text", "info"
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 5 * time.Second
	}
	cfg.AutoMigrate = true
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logf, err := os.Create(filepath.Join(t.TempDir(), "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			var errs []string
			for _, l := range strings.Split(string(b), "\n") {
				if strings.Contains(l, "level=ERROR") {
					errs = append(errs, l)
				}
			}
			t.Logf("server errors (%d):\n%s", len(errs), strings.Join(errs[:min(len(errs), 5)], "\n"))
		}
		logf.Close()
	})
	srv, err := server.New(ctx, cfg, slog.New(slog.NewTextHandler(logf, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	p := &inProcess{URL: "http://" + ln.Addr().String(), Srv: srv}
	var once sync.Once
	p.stop = func() error {
		var err error
		once.Do(func() { cancel(); err = <-done; srv.Close() })
		return err
	}
	t.Cleanup(func() { p.stop() })
	return p
}

// browser is an HTTP client with cookies and a bound on every request: a
// request that does not answer within it counts as a hang.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signIn signs a demo citizen in with his password.
func signIn(t *testing.T, c *http.Client, base, nui string) {
	t.Helper()
	resp, err := c.PostForm(base+"/ingresar", url.Values{"nui": {nui}, "password": {demoPassword}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Fatalf("sign-in of %s: %d\n%s", nui, resp.StatusCode, firstLines(b, 40))
	}
}

func firstLines(b []byte, n int) string {
	lines := bytes.SplitN(b, []byte("\n"), n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// eventually polls cond until it holds or the bound passes: for a server
// recovering by itself there is no event to wait on but its answers.
func eventually(t *testing.T, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, bound)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
