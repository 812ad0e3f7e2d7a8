package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"

	"buzon/internal/config"
	"buzon/internal/server"
)

// childEnv tells the test binary to act as `buzon serve` or `buzon worker`.
const childEnv = "BUZON_BENCH_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		if err := runChild(mode, os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "buzon", mode+":", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	flag.Parse()
	os.Exit(m.Run())
}

// runChild is what cmd/buzon does for serve and worker.
func runChild(mode string, args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := config.Parse(mode, args, os.Getenv, os.Stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer srv.Close()
	switch mode {
	case "serve":
		ln, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			return err
		}
		defer ln.Close()
		return srv.Serve(ctx, ln)
	case "worker":
		return srv.Work(ctx)
	}
	return errors.New("unknown mode " + mode)
}

// testLauncher starts this test binary as a Buzón process.
func testLauncher(mode string, args []string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"="+mode)
	return cmd
}
