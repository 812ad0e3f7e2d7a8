package bench

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"buzon/internal/notification"
	"buzon/internal/store"
)

// Report is what one run measured.
type Report struct {
	Command  string
	Started  time.Time
	Elapsed  time.Duration
	CPUs     int
	Engine   store.Engine
	Settings [][2]string
	Config   Config

	SeedCitizens, SeedNotifications, SeedGrowth time.Duration

	RawSingle, RawBatched, RawLatest, RawSMTP Figure
	Single, Bulk, Inbox, Dispatch             Figure
	GrowthSingle, GrowthInbox                 Figure
	// Size is how many notifications the database held when single ingest
	// and the inbox ran (before single ingest added its own); GrowthSize the
	// same for the growth run.
	Size, GrowthSize int
	Final            int64 // notifications at the end
	RSS              []PhaseRSS
	// BulkJobs counts the jobs that deposited the bulk batch: more than one
	// means the batch outran one job's time budget and its continuation
	// waited in the queue behind the alerts already deposited.
	BulkJobs int
}

// PhaseRSS is the peak RSS of the server process of one phase.
type PhaseRSS struct {
	Phase string
	Peak  int64 // bytes
}

// PeakRSS is the highest peak RSS of the server processes that ran the
// scenarios (the sign-in's is apart: SignInRSS).
func (r *Report) PeakRSS() int64 {
	var m int64
	for _, p := range r.RSS {
		if !strings.HasPrefix(p.Phase, signInPhase) {
			m = max(m, p.Peak)
		}
	}
	return m
}

// SignInRSS is the highest peak RSS of the processes the inbox users signed in on.
func (r *Report) SignInRSS() int64 {
	var m int64
	for _, p := range r.RSS {
		if strings.HasPrefix(p.Phase, signInPhase) {
			m = max(m, p.Peak)
		}
	}
	return m
}

// Targets of the issue "Performance and scale".
const (
	TargetSingle   = 1.5 // × raw (a)
	TargetBulk     = 0.3 // × raw (b)
	TargetInbox    = 0.4 // × raw (c)
	TargetDispatch = 0.8 // × raw (d)
	TargetGrowth   = 0.9 // × the figure at the smaller size
	TargetRSS      = 150 << 20
)

// Row is one line of the results table.
type Row struct {
	Scenario, Figure, Raw string
	Ratio, Target         float64 // Target 0: no ratio target
	P50, P99              time.Duration
	Met                   bool
	Note                  string
}

// Rows are the results table: each scenario with its raw limit, ratio and target.
func (r *Report) Rows() []Row {
	ratio := func(a, b Figure) float64 {
		if b.PerSecond() == 0 {
			return 0
		}
		return a.PerSecond() / b.PerSecond()
	}
	row := func(name string, f Figure, unit string, raw Figure, rawName, rawUnit string, target float64, lat bool) Row {
		x := Row{Scenario: name, Figure: rate(f, unit), Raw: rawName + " " + rate(raw, rawUnit), Ratio: ratio(f, raw), Target: target}
		x.Met = x.Ratio >= target
		if lat {
			x.P50, x.P99 = f.P50, f.P99
		}
		if f.Errors > 0 {
			x.Note = fmt.Sprintf("%d errors", f.Errors)
		}
		return x
	}
	c := r.Config
	bulk := row(fmt.Sprintf("Bulk ingest: one %s-recipient batch via /api/v1/batches", thousands(int64(c.BulkRecipients))),
		r.Bulk, "notif/s", r.RawBatched, "(b)", "rows/s", TargetBulk, false)
	if r.BulkJobs > 1 {
		bulk.Note = strings.TrimPrefix(bulk.Note+fmt.Sprintf("; took %d jobs: the batch outran a job's 2-minute budget and its continuation waited behind the alerts", r.BulkJobs), "; ")
	}
	rows := []Row{
		row(fmt.Sprintf("Single ingest: POST /api/v1/notifications, 1 recipient, 1 KiB, %d clients", c.Clients),
			r.Single, "req/s", r.RawSingle, "(a)", "commits/s", TargetSingle, true),
		bulk,
		row(fmt.Sprintf("Inbox: GET /buzon (HTML, a full page of %d), %d signed-in clients, %s notifications", notification.PageSize, c.Readers, thousands(int64(r.Size))),
			r.Inbox, "pages/s", r.RawLatest, "(c)", "queries/s", TargetInbox, true),
		row(fmt.Sprintf("Alert dispatch: %s queued alerts to the SMTP sink", thousands(r.Dispatch.Ops)),
			r.Dispatch, "emails/s", r.RawSMTP, "(d)", "emails/s", TargetDispatch, false),
	}
	if r.GrowthSize > 0 {
		rows = append(rows,
			row(fmt.Sprintf("Growth: single ingest at %s notifications", thousands(int64(r.GrowthSize))),
				r.GrowthSingle, "req/s", r.Single, "at "+thousands(int64(r.Size)), "req/s", TargetGrowth, true),
			row(fmt.Sprintf("Growth: inbox at %s notifications", thousands(int64(r.GrowthSize))),
				r.GrowthInbox, "pages/s", r.Inbox, "at "+thousands(int64(r.Size)), "pages/s", TargetGrowth, true))
	}
	peak, signIn := r.PeakRSS(), r.SignInRSS()
	rows = append(rows, Row{Scenario: "Memory: peak RSS of the server (VmHWM) in every scenario above", Figure: mib(peak), Raw: "—",
		Met: peak <= TargetRSS, Note: "target ≤ 150 MiB"})
	if signIn > 0 {
		rows = append(rows, Row{Scenario: fmt.Sprintf("Memory: peak RSS while %d citizens sign in, one after another (argon2id)", c.Readers),
			Figure: mib(signIn), Raw: "—", Met: signIn <= TargetRSS, Note: "target ≤ 150 MiB"})
	}
	return rows
}

// Markdown writes the report as the tables docs/PERFORMANCE.md holds.
func (r *Report) Markdown(w io.Writer) {
	c := r.Config
	name := "SQLite"
	if r.Engine == store.Postgres {
		name = "PostgreSQL"
	}
	fmt.Fprintf(w, "### %s\n\n", name)
	fmt.Fprintf(w, "Command: `%s`  \n", r.Command)
	fmt.Fprintf(w, "Run: %s, %s, %d CPUs, %s/%s, %s  \n", r.Started.Format("2006-01-02 15:04 MST"), r.Elapsed.Round(time.Second),
		r.CPUs, runtime.GOOS, runtime.GOARCH, runtime.Version())
	var settings []string
	for _, s := range r.Settings {
		settings = append(settings, s[0]+"="+s[1])
	}
	fmt.Fprintf(w, "Durability: %s  \n", strings.Join(settings, ", "))
	fmt.Fprintf(w, "Data: %d institutions; %s citizens and %s notifications seeded in %s and %s",
		c.Institutions, thousands(int64(c.Citizens)), thousands(int64(c.Notifications)),
		r.SeedCitizens.Round(100*time.Millisecond), r.SeedNotifications.Round(100*time.Millisecond))
	if r.SeedNotifications > 0 {
		fmt.Fprintf(w, " (%s notifications/s)", thousands(int64(float64(c.Notifications)/r.SeedNotifications.Seconds())))
	}
	if c.Growth > 0 {
		fmt.Fprintf(w, "; growth: %s more notifications and %s citizens in %s", thousands(int64(c.Growth)),
			thousands(int64(c.growthCitizens())), r.SeedGrowth.Round(time.Second))
	}
	fmt.Fprintf(w, "; %s notifications at the end.\n\n", thousands(r.Final))

	fmt.Fprintln(w, "| scenario | figure | raw limit (same run) | ratio | target | p50 | p99 | |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---|")
	for _, x := range r.Rows() {
		ratio, target := "—", "—"
		if x.Target > 0 {
			ratio = fmt.Sprintf("%.2f×", x.Ratio)
			target = fmt.Sprintf("≥ %.1f×", x.Target)
		} else if x.Note != "" {
			target, x.Note = strings.TrimPrefix(x.Note, "target "), ""
		}
		verdict := "met"
		if !x.Met {
			verdict = "**missed**"
			if x.Target > 0 && x.Ratio > 0 {
				verdict += fmt.Sprintf(" (%.0f %% of target)", 100*x.Ratio/x.Target)
			}
		}
		if x.Note != "" {
			verdict += "; " + x.Note
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", x.Scenario, x.Figure, x.Raw, ratio, target, ms(x.P50), ms(x.P99), verdict)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| raw limit | figure | p50 | p99 |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	fmt.Fprintf(w, "| (a) 1 KiB row, one per transaction, %d goroutines | %s | %s | %s |\n", c.Clients, rate(r.RawSingle, "commits/s"), ms(r.RawSingle.P50), ms(r.RawSingle.P99))
	batch := "1,000-row transactions of multi-row INSERTs"
	if r.Engine == store.Postgres {
		batch = "COPY, 10,000 rows per transaction"
	}
	fmt.Fprintf(w, "| (b) 1 KiB rows, %s | %s | — | — |\n", batch, rate(r.RawBatched, "rows/s"))
	fmt.Fprintf(w, "| (c) latest 20 notifications of one recipient (inbox index), %d readers | %s | %s | %s |\n", c.Readers, rate(r.RawLatest, "queries/s"), ms(r.RawLatest.P50), ms(r.RawLatest.P99))
	fmt.Fprintf(w, "| (d) SMTP into the discarding sink, %d reused connections | %s | %s | %s |\n", c.SMTPConns, rate(r.RawSMTP, "emails/s"), ms(r.RawSMTP.P50), ms(r.RawSMTP.P99))
	fmt.Fprintln(w)
	var phases []string
	for _, p := range r.RSS {
		phases = append(phases, p.Phase+" "+mib(p.Peak))
	}
	fmt.Fprintf(w, "Peak RSS by server process: %s.\n", strings.Join(phases, "; "))
}

func rate(f Figure, unit string) string {
	v := f.PerSecond()
	switch {
	case v >= 100:
		return thousands(int64(v+0.5)) + " " + unit
	case v >= 10:
		return fmt.Sprintf("%.1f %s", v, unit)
	default:
		return fmt.Sprintf("%.2f %s", v, unit)
	}
}

func ms(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// thousands writes n with a comma between thousands.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
