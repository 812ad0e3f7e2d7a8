package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"buzon/internal/bench"
)

// cmdBench measures the platform against the engine's raw limits on this
// machine (docs/PERFORMANCE.md): it seeds a fresh database, starts this
// very binary as `buzon serve` child processes and drives them over HTTP,
// then prints the results as Markdown tables.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.Config
	quick := fs.Bool("quick", false, "a small run that finishes in under a minute (what CI runs)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "postgres://… to measure PostgreSQL (a schema is created in that database and dropped); empty measures SQLite")
	fs.StringVar(&cfg.Dir, "dir", "", "directory for the run's data; default a temporary directory")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the database and the directory afterwards")
	fs.IntVar(&cfg.Citizens, "citizens", 0, "citizens to seed (default 100000; quick 3000)")
	fs.IntVar(&cfg.Notifications, "notifications", 0, "notifications to seed (default 1000000; quick 30000)")
	fs.IntVar(&cfg.Growth, "growth", 0, "PostgreSQL: seed this many more notifications afterwards and measure single ingest and the inbox again (9000000 reaches 10 million)")
	fs.IntVar(&cfg.Institutions, "institutions", 0, "institutions with API keys (default 512; quick 64)")
	fs.IntVar(&cfg.Clients, "clients", 0, "concurrent API clients and raw-insert goroutines (default 64)")
	fs.IntVar(&cfg.Readers, "readers", 0, "concurrent inbox clients and raw readers (default 8)")
	fs.IntVar(&cfg.BulkRecipients, "bulk", 0, "recipients of the bulk batch (default 100000; quick 2000)")
	fs.DurationVar(&cfg.Duration, "duration", 0, "length of each timed measurement (default 30s; quick 2s)")
	out := fs.String("out", "", "also write the Markdown report to this file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: buzon bench [flags]\n\nMeasures single and bulk ingest, the inbox and alert dispatch against the engine's raw limits.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "buzon bench: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	cfg.Defaults(*quick)
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: find this program to start servers: %w", err)
	}
	cfg.Launch = func(mode string, args []string) *exec.Cmd {
		return exec.Command(self, append([]string{mode}, args...)...)
	}
	cfg.Command = "buzon bench " + redactURL(strings.Join(args, " "))
	cfg.Log = stderr
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	rep.Markdown(stdout)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		rep.Markdown(f)
		return f.Close()
	}
	return nil
}

// redactURL hides a password in a database URL given on the command line.
func redactURL(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		if at := strings.IndexByte(rest, '@'); at >= 0 {
			if colon := strings.IndexByte(rest[:at], ':'); colon >= 0 && !strings.ContainsAny(rest[:at], " /") {
				return s[:i+3] + rest[:colon] + ":xxxxx" + rest[at:]
			}
		}
	}
	return s
}
