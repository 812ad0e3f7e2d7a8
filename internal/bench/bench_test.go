package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// tiny is a run small enough for a test: every phase runs, nothing is timed
// for long. Speed is never asserted.
func tiny(t *testing.T, e store.Engine) Config {
	cfg := Config{Citizens: 800, Notifications: 2_000, Institutions: 8, Clients: 8, Readers: 4, SMTPConns: 2,
		DispatchJobs: 4, BulkRecipients: 300, Duration: 300 * time.Millisecond, Dir: t.TempDir(), Launch: testLauncher,
		Command: "buzon bench (test)"}
	if e == store.Postgres {
		cfg.DatabaseURL = storetest.URL(t, e)
	}
	cfg.Defaults(true)
	return cfg
}

func TestRunMeasuresEveryScenario(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			cfg := tiny(t, e)
			if e == store.Postgres {
				cfg.Growth = 1_000
			}
			rep, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			figures := map[string]Figure{"raw (a)": rep.RawSingle, "raw (b)": rep.RawBatched, "raw (c)": rep.RawLatest,
				"raw (d)": rep.RawSMTP, "single ingest": rep.Single, "bulk ingest": rep.Bulk, "inbox": rep.Inbox, "dispatch": rep.Dispatch}
			if e == store.Postgres {
				figures["growth single ingest"], figures["growth inbox"] = rep.GrowthSingle, rep.GrowthInbox
			}
			for name, f := range figures {
				if f.Ops <= 0 || f.Errors != 0 || f.Elapsed <= 0 {
					t.Errorf("%s: %+v, want operations, no errors, a duration", name, f)
				}
			}
			if rep.Bulk.Ops != 300 {
				t.Errorf("bulk ingest deposited %d, want 300", rep.Bulk.Ops)
			}
			if rep.PeakRSS() <= 0 || len(rep.RSS) < 3 {
				t.Errorf("peak RSS by phase: %+v", rep.RSS)
			}
			want := int64(2_000 + 300 + rep.Single.Ops)
			if e == store.Postgres {
				want += 1_000 + rep.GrowthSingle.Ops
			}
			// Requests answered outside the measured window deposited too.
			if rep.Final < want {
				t.Errorf("notifications at the end = %d, want at least %d", rep.Final, want)
			}
			var md bytes.Buffer
			rep.Markdown(&md)
			t.Log("\n" + md.String())
			for _, s := range []string{"| Single ingest", "| Bulk ingest", "| Inbox", "| Alert dispatch", "| Memory", "(a) 1 KiB row",
				"Command: `buzon bench (test)`"} {
				if !strings.Contains(md.String(), s) {
					t.Errorf("the report lacks %q:\n%s", s, md.String())
				}
			}
			if got := strings.Contains(md.String(), "| Growth"); got != (e == store.Postgres) {
				t.Errorf("growth rows shown = %v on %s", got, e)
			}
		})
	}
}

func TestConfigChecks(t *testing.T) {
	base := func() Config {
		c := Config{Launch: testLauncher}
		c.Defaults(true)
		return c
	}
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no launcher", func(c *Config) { c.Launch = nil }, "Launch"},
		{"batch bigger than the citizens", func(c *Config) { c.BulkRecipients = c.Citizens + 1 }, "needs as many citizens"},
		{"too few notifications", func(c *Config) { c.Notifications = 10 }, "notifications are needed"},
		{"growth on SQLite", func(c *Config) { c.Growth = 10 }, "growth run is for PostgreSQL"},
	}
	for _, tt := range tests {
		c := base()
		tt.change(&c)
		err := c.check()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: check = %v, want %q", tt.name, err, tt.want)
		}
	}
	c := base()
	if err := c.check(); err != nil {
		t.Errorf("the quick defaults do not pass their own check: %v", err)
	}
}

func TestPercentilesAndFormatting(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := []time.Duration{percentile(ds, 50), percentile(ds, 99), percentile(ds[:1], 99), percentile(nil, 50)}
	if diff := cmp.Diff([]time.Duration{50 * time.Millisecond, 99 * time.Millisecond, time.Millisecond, 0}, got); diff != "" {
		t.Errorf("percentiles (-want +got):\n%s", diff)
	}
	formatted := []string{thousands(0), thousands(999), thousands(1000), thousands(1234567), thousands(-1000),
		rate(Figure{Ops: 1500, Elapsed: time.Second}, "req/s"), rate(Figure{Ops: 15, Elapsed: time.Second}, "req/s"),
		rate(Figure{Ops: 3, Elapsed: 2 * time.Second}, "req/s"), ms(1500 * time.Microsecond), ms(42 * time.Millisecond), ms(0)}
	want := []string{"0", "999", "1,000", "1,234,567", "-1,000", "1,500 req/s", "15.0 req/s", "1.50 req/s", "1.50 ms", "42 ms", "—"}
	if diff := cmp.Diff(want, formatted); diff != "" {
		t.Errorf("formatting (-want +got):\n%s", diff)
	}
}

func TestRowsJudgeTargets(t *testing.T) {
	sec := time.Second
	rep := &Report{Config: Config{Clients: 64, Readers: 8, BulkRecipients: 100_000}, Size: 1_000_000,
		Single: Figure{Ops: 300, Elapsed: sec}, RawSingle: Figure{Ops: 200, Elapsed: sec}, // 1.5×: met
		Bulk: Figure{Ops: 100, Elapsed: sec}, RawBatched: Figure{Ops: 1000, Elapsed: sec}, // 0.1×: missed
		Inbox: Figure{Ops: 40, Elapsed: sec}, RawLatest: Figure{Ops: 100, Elapsed: sec}, // 0.4×: met
		Dispatch: Figure{Ops: 0, Elapsed: sec}, RawSMTP: Figure{Ops: 100, Elapsed: sec}, // 0: missed
		RSS: []PhaseRSS{{"a", 100 << 20}, {"b", 151 << 20}}}
	var got []bool
	for _, r := range rep.Rows() {
		got = append(got, r.Met)
	}
	if diff := cmp.Diff([]bool{true, false, true, false, false}, got); diff != "" {
		t.Errorf("targets met (-want +got):\n%s", diff)
	}
	var md bytes.Buffer
	rep.Markdown(&md)
	if !strings.Contains(md.String(), "**missed** (33 % of target)") || !strings.Contains(md.String(), "151 MiB") {
		t.Errorf("the report does not say by how much a target is missed:\n%s", md.String())
	}
}
