// Package bench measures Buzón end to end against the raw limits of the
// machine it runs on (`buzon bench`, docs/PERFORMANCE.md). One run creates
// a fresh database (an SQLite file, or a new schema in a PostgreSQL
// database), seeds institutions, citizens and notifications the fastest way
// the store offers, measures the engine's and an SMTP client's raw limits,
// then starts the real server as a child process and drives it over HTTP
// on loopback: single and bulk ingest through the API, alert dispatch into
// a local SMTP sink that discards, and citizens' inbox pages. Every figure
// is divided by the raw limit it is compared with, measured in the same
// run; the server's peak RSS is read from /proc.
//
// Durability stays on throughout: SQLite synchronous=FULL, PostgreSQL as
// configured (it should have fsync=on, synchronous_commit=on; the report
// shows what it had).
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"time"

	"buzon/internal/api"
	"buzon/internal/notification"
	"buzon/internal/store"
)

// Config says what to measure and how big.
type Config struct {
	// DatabaseURL is a PostgreSQL URL (a schema is created in it for the
	// run), or "" for SQLite in Dir.
	DatabaseURL string
	// Dir holds the run's data directory; "" makes a temporary one.
	Dir string
	// Keep leaves the database (schema) and the directory in place.
	Keep bool

	Citizens      int // seeded citizens (with active accounts)
	Notifications int // seeded notifications before the scenarios
	// Growth, on PostgreSQL, seeds that many more notifications (and a
	// tenth as many more citizens) after the scenarios and runs single
	// ingest and the inbox again.
	Growth         int
	Institutions   int           // sending institutions, each with an API key
	Clients        int           // concurrent API clients (single ingest) and raw-insert goroutines
	Readers        int           // concurrent inbox clients and raw readers
	SMTPConns      int           // SMTP connections, raw and the server's
	DispatchJobs   int           // the server's concurrent jobs (--workers) while dispatching alerts
	BulkRecipients int           // recipients of the bulk batch
	Duration       time.Duration // of each timed measurement, after a warm-up of a tenth of it

	// Launch starts a Buzón process; required.
	Launch Launcher
	// Command is how the run was started, for the report.
	Command string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Defaults fills what cfg leaves zero: the full run, or the quick one
// (under a minute) that CI runs so the harness never rots.
func (cfg *Config) Defaults(quick bool) {
	set := func(p *int, full, q int) {
		if *p == 0 {
			*p = full
			if quick {
				*p = q
			}
		}
	}
	set(&cfg.Citizens, 100_000, 3_000)
	set(&cfg.Notifications, 1_000_000, 30_000)
	set(&cfg.Institutions, 512, 64)
	set(&cfg.Clients, 64, 64)
	set(&cfg.Readers, 8, 8)
	set(&cfg.SMTPConns, 8, 8)
	set(&cfg.DispatchJobs, 16, 16)
	set(&cfg.BulkRecipients, 100_000, 2_000)
	if cfg.Duration == 0 {
		cfg.Duration = 30 * time.Second
		if quick {
			cfg.Duration = 2 * time.Second
		}
	}
}

func (cfg *Config) warm() time.Duration { return cfg.Duration / 10 }

func (cfg *Config) growthCitizens() int {
	if cfg.Growth <= 0 || cfg.Notifications <= 0 {
		return 0
	}
	return int(int64(cfg.Growth) * int64(cfg.Citizens) / int64(cfg.Notifications))
}

func (cfg *Config) logf(format string, args ...any) {
	if cfg.Log != nil {
		fmt.Fprintf(cfg.Log, time.Now().Format("15:04:05 ")+format+"\n", args...)
	}
}

func (cfg *Config) check() error {
	switch {
	case cfg.Launch == nil:
		return errors.New("bench: no way to start a server (Launch)")
	case cfg.Citizens < cfg.Readers*2 || cfg.Citizens < 100:
		return errors.New("bench: too few citizens")
	case cfg.BulkRecipients > cfg.Citizens:
		return fmt.Errorf("bench: the bulk batch (%d recipients) needs as many citizens (%d)", cfg.BulkRecipients, cfg.Citizens)
	case cfg.Notifications < heavyCount(cfg.Citizens)*perHeavy*2:
		return fmt.Errorf("bench: at least %d notifications are needed for %d citizens", heavyCount(cfg.Citizens)*perHeavy*2, cfg.Citizens)
	case cfg.Growth > 0 && cfg.DatabaseURL == "":
		return errors.New("bench: the growth run is for PostgreSQL (give a database URL)")
	}
	return nil
}

// heavyCount is how many citizens get a full inbox: one in a hundred.
func heavyCount(citizens int) int { return max(citizens/100, 8) }

// Run measures everything and returns the report; a failing scenario is
// an error (the harness must not rot), a missed target is not.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	rep := &Report{Command: cfg.Command, Started: time.Now().UTC(), CPUs: runtime.NumCPU(), Config: cfg}
	e, err := newEnv(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := e.close(); cerr != nil {
			cfg.logf("cleanup: %v", cerr)
		}
	}()
	rep.Engine = e.db.Engine()
	if rep.Settings, err = e.db.DurabilitySettings(ctx); err != nil {
		return nil, err
	}
	cfg.logf("database: %s; directory %s", e.db, e.dir)

	// The world.
	t := time.Now()
	if err := e.seedInstitutions(ctx, cfg.Institutions); err != nil {
		return nil, fmt.Errorf("seed institutions: %w", err)
	}
	if err := e.seedCitizens(ctx, cfg.Citizens, heavyCount(cfg.Citizens)); err != nil {
		return nil, fmt.Errorf("seed citizens: %w", err)
	}
	rep.SeedCitizens = time.Since(t)
	cfg.logf("seeded %d institutions and %d citizens in %s", cfg.Institutions, cfg.Citizens, rep.SeedCitizens.Round(time.Millisecond))
	t = time.Now()
	if err := e.seedNotifications(ctx, cfg.Notifications, 0, e.progress("notifications", cfg.Notifications)); err != nil {
		return nil, fmt.Errorf("seed notifications: %w", err)
	}
	rep.SeedNotifications = time.Since(t)
	cfg.logf("seeded %d notifications in %s", cfg.Notifications, rep.SeedNotifications.Round(time.Millisecond))

	// The raw limits.
	cfg.logf("raw (a) single-row inserts and (b) batched inserts")
	if rep.RawSingle, rep.RawBatched, err = e.rawInserts(ctx); err != nil {
		return nil, err
	}
	cfg.logf("raw (c) latest-20 query")
	if rep.RawLatest, err = e.rawLatest(ctx); err != nil {
		return nil, err
	}
	sink, err := StartSink(false)
	if err != nil {
		return nil, err
	}
	defer sink.Close()
	cfg.logf("raw (d) SMTP")
	if rep.RawSMTP, err = e.rawSMTP(sink); err != nil {
		return nil, err
	}

	// The platform.
	serve := func(workers int) (*child, error) {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		return startChild(ctx, cfg.Launch, "serve", addr, []string{"--data", e.dataDir, "--database-url", e.url,
			"--log-level", "warn", "--smtp-url", sink.URL(cfg.SMTPConns, ""), "--workers", fmt.Sprint(workers)})
	}
	stop := func(c *child, phase string) error {
		peak, err := c.stop()
		rep.RSS = append(rep.RSS, PhaseRSS{Phase: phase, Peak: peak})
		return err
	}

	cfg.logf("bulk ingest: %d recipients in one batch", cfg.BulkRecipients)
	srv, err := serve(1) // one job at a time: the batch's job runs alone
	if err != nil {
		return nil, err
	}
	rep.Bulk, err = e.bulkIngest(ctx, "http://"+srv.addr)
	if serr := stop(srv, "bulk ingest"); err == nil {
		err = serr
	}
	if err != nil {
		return nil, fmt.Errorf("bulk ingest: %w", err)
	}
	if rep.BulkJobs, err = e.db.BenchJobs(ctx, api.BatchKind, store.JobDone); err != nil {
		return nil, err
	}

	queued, err := e.db.BenchJobs(ctx, notification.AlertKind, store.JobQueued)
	if err != nil {
		return nil, err
	}
	cfg.logf("alert dispatch: %d queued alerts", queued)
	base := sink.Count()
	sink.ResetSpan()
	srv, err = serve(cfg.DispatchJobs)
	if err != nil {
		return nil, err
	}
	werr := sink.WaitFor(ctx, base+int64(queued))
	rep.Dispatch = Figure{Ops: int64(queued), Elapsed: sink.Span()}
	if err := stop(srv, "alert dispatch"); err != nil {
		return nil, fmt.Errorf("alert dispatch: %w", err)
	}
	if werr != nil {
		return nil, fmt.Errorf("alert dispatch: %w", werr)
	}

	if rep.Single, rep.Inbox, err = e.ingestAndInbox(ctx, serve, stop, ""); err != nil {
		return nil, err
	}
	rep.Size = e.seeded + cfg.BulkRecipients

	if cfg.Growth > 0 {
		t = time.Now()
		first := len(e.citizens)
		if err := e.seedCitizens(ctx, cfg.growthCitizens(), 0); err != nil {
			return nil, fmt.Errorf("seed growth citizens: %w", err)
		}
		if err := e.seedNotifications(ctx, cfg.Growth, first, e.progress("growth notifications", cfg.Growth)); err != nil {
			return nil, fmt.Errorf("seed growth notifications: %w", err)
		}
		rep.SeedGrowth = time.Since(t)
		cfg.logf("seeded %d more notifications and %d citizens in %s", cfg.Growth, cfg.growthCitizens(), rep.SeedGrowth.Round(time.Second))
		if rep.GrowthSingle, rep.GrowthInbox, err = e.ingestAndInbox(ctx, serve, stop, " (growth)"); err != nil {
			return nil, err
		}
		rep.GrowthSize = e.seeded + cfg.BulkRecipients
	}
	if n, err := e.db.BenchCount(ctx, "notifications"); err == nil {
		rep.Final = n
	}
	rep.Elapsed = time.Since(rep.Started)
	return rep, nil
}

// ingestAndInbox runs single ingest, the inbox users' sign-in and the
// inbox, each against its own server process with no job workers (alerts
// stay queued; dispatch is measured apart), so that each phase's peak RSS
// is its own: a sign-in hashes the password with argon2id, which takes
// 64 MiB at once.
func (e *env) ingestAndInbox(ctx context.Context, serve func(int) (*child, error), stop func(*child, string) error, suffix string) (single, inbox Figure, err error) {
	phase := func(name string, fn func(base string) error) error {
		srv, err := serve(0)
		if err != nil {
			return err
		}
		err = fn("http://" + srv.addr)
		if serr := stop(srv, name+suffix); err == nil {
			err = serr
		}
		if err != nil {
			return fmt.Errorf("%s%s: %w", name, suffix, err)
		}
		return nil
	}
	e.cfg.logf("single ingest%s: %d clients for %s", suffix, e.cfg.Clients, e.cfg.Duration)
	if err := phase("single ingest", func(base string) (err error) {
		single, err = e.singleIngest(ctx, base)
		return err
	}); err != nil {
		return single, inbox, err
	}
	var clients []*http.Client
	if err := phase(signInPhase, func(base string) (err error) {
		clients, err = e.signIn(ctx, base)
		return err
	}); err != nil {
		return single, inbox, err
	}
	e.cfg.logf("inbox%s: %d clients for %s", suffix, e.cfg.Readers, e.cfg.Duration)
	err = phase("inbox", func(base string) (err error) {
		inbox, err = e.inbox(base, clients)
		return err
	})
	return single, inbox, err
}

// signInPhase names the phase whose peak RSS is the sign-ins'.
const signInPhase = "sign-in"

// progress logs seeding progress about every tenth.
func (e *env) progress(what string, total int) func(int) {
	step := max(total/10, 1)
	next := step
	start := time.Now()
	return func(done int) {
		if done >= next || done == total {
			e.cfg.logf("  %s: %d of %d (%.0f/s)", what, done, total, float64(done)/time.Since(start).Seconds())
			next += step
		}
	}
}
