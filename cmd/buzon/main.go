// Command buzon is the whole Buzón platform in one binary: the web portals,
// the API and the job workers (`buzon serve`), and the operator's tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"buzon/internal/config"
	"buzon/internal/server"
	"buzon/internal/store"
)

const usage = `Buzón — the State's single electronic notification mailbox.

Usage:
  buzon <command> [flags]

Commands:
  serve      run the web portals, the API and the job workers
  worker     run only the job workers (no HTTP), beside serve processes
  migrate    apply pending database migrations and exit
  admin      administration tasks: create-user (the first administrators)
  registry   generate or inspect a civil-registry file (demo, tests)
  demo       fill the database with a realistic demo and print how to sign in
  send       send a notification through the API (an institution's system, or a test)
  verify     verify a constancia de notificación offline (JSON or PDF)
  backup     write the database, attachments and keys into one archive (online)
  restore    restore a backup into an empty data directory and database
  keys       rotate the master key for encryption at rest (list, rotate, stage, promote)
  bench      measure the platform against the engine's raw limits
  version    print the version
  help       show this help, or "buzon help <command>" for a command's flags

With no configuration, "buzon serve" keeps everything in ./data (SQLite) and
listens on :8080. Every flag has an environment variable twin (BUZON_…).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "buzon:", err)
		os.Exit(1)
	}
}

// errUsage reports a command line that could not be understood; the message
// has already been printed.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stderr)
	case "worker":
		return cmdWorker(ctx, rest, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout, stderr)
	case "admin":
		return cmdAdmin(ctx, rest, stdout, stderr)
	case "registry":
		return cmdRegistry(ctx, rest, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "verify":
		return cmdVerify(ctx, rest, stdout, stderr)
	case "bench":
		return cmdBench(ctx, rest, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, rest, stdout, stderr)
	case "keys":
		return cmdKeys(ctx, rest, stdout, stderr)
	case "send":
		return cmdSend(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "buzon", server.Version)
		return nil
	case "help", "-h", "--help", "-help":
		if len(rest) > 0 && rest[0] != "help" {
			return run(ctx, []string{rest[0], "-h"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "buzon: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}

func parseConfig(name string, args []string, stderr io.Writer) (*config.Config, error) {
	cfg, err := config.Parse(name, args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil, err
	}
	if err != nil {
		if strings.Contains(err.Error(), "flag provided but not defined") || strings.HasPrefix(err.Error(), "invalid value") {
			return nil, errUsage // the flag package already printed it
		}
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func cmdServe(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseConfig("serve", args, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	// Listen first: a port in use is the most common start-up mistake, and
	// it should not leave a half-initialised data directory behind.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", cfg.Addr, listenCause(err))
	}
	defer ln.Close()
	srv, err := server.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer srv.Close()
	return srv.Serve(ctx, ln)
}

func listenCause(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		var se *os.SyscallError
		if errors.As(oe.Err, &se) {
			return se.Err
		}
		return oe.Err
	}
	return err
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("migrate", args, stderr)
	if err != nil {
		return err
	}
	if !strings.Contains(cfg.DatabaseURL, "://") {
		if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
			return fmt.Errorf("data directory %s cannot be created: %w", cfg.Data, err)
		}
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{})
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "The database is up to date.")
		return nil
	}
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	return nil
}
