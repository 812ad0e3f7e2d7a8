package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"buzon/internal/config"
	"buzon/internal/server"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// start runs a server with the given configuration on a loopback port.
func start(t *testing.T, cfg *config.Config) (string, *server.Server, func() error) {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	stop := func() error { cancel(); return <-done }
	t.Cleanup(func() { cancel() })
	return "http://" + ln.Addr().String(), srv, stop
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServesWithNoConfigurationOnSQLite(t *testing.T) {
	dir := t.TempDir()
	base, _, stop := start(t, &config.Config{Addr: "127.0.0.1:0", Data: filepath.Join(dir, "data"), AutoMigrate: true, Workers: 1, LogFormat: "text", LogLevel: "info", ShutdownTimeout: 5 * time.Second})
	if code, body := get(t, base+"/"); code != 200 || !strings.Contains(body, `lang="es"`) {
		t.Errorf("home = %d, Spanish=%v", code, strings.Contains(body, `lang="es"`))
	}
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d", code)
	}
	if code, body := get(t, base+"/metrics"); code != 200 || !strings.Contains(body, `buzon_jobs{state="queued"}`) {
		t.Errorf("/metrics = %d, job queue depth shown=%v", code, strings.Contains(body, "buzon_jobs{"))
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
	for name, mode := range map[string]os.FileMode{"master.key": 0o600, "buzon.db": 0o600} {
		fi, err := os.Stat(filepath.Join(dir, "data", name))
		if err != nil {
			t.Fatalf("%s not created: %v", name, err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s mode %v, want %v", name, fi.Mode().Perm(), mode)
		}
	}
}

func TestNotReadyWhileMigrationsArePending(t *testing.T) {
	dir := t.TempDir()
	base, _, _ := start(t, &config.Config{Addr: "127.0.0.1:0", Data: dir, AutoMigrate: false, LogFormat: "text", LogLevel: "info", ShutdownTimeout: time.Second})
	code, body := get(t, base+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "migrations pending") {
		t.Errorf("/readyz = %d %q, want 503 naming the pending migrations", code, body)
	}
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d; the process is alive", code)
	}
}

func TestServesOnPostgreSQL(t *testing.T) {
	url := storetest.URL(t, store.Postgres)
	base, srv, _ := start(t, &config.Config{Addr: "127.0.0.1:0", Data: t.TempDir(), DatabaseURL: url, AutoMigrate: true, LogFormat: "text", LogLevel: "info", ShutdownTimeout: time.Second})
	if srv.DB().Engine() != store.Postgres {
		t.Fatalf("engine = %s", srv.DB().Engine())
	}
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d", code)
	}
}
