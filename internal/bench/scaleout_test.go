package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/api"
	"buzon/internal/notification"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// Three processes — one `buzon serve` and two `buzon worker` — share one
// PostgreSQL. A batch sent through the API is deposited by one of them and
// its alerts are sent by all three: every job runs exactly once (one
// attempt each, so none was ever claimed twice) and every alert reaches the
// mail server exactly once.
func TestScaleOutThreeProcesses(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const alerts = 1500
	cfg := Config{DatabaseURL: storetest.URL(t, store.Postgres), Dir: t.TempDir(), Launch: testLauncher,
		Citizens: alerts, Notifications: 2_000, BulkRecipients: alerts}
	cfg.Defaults(true)
	e, err := newEnv(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.close() })
	if err := e.seedInstitutions(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := e.seedCitizens(ctx, alerts, 8); err != nil {
		t.Fatal(err)
	}
	// The sink holds every connection until all three processes have
	// connected, so each one provably sends a share.
	sink, err := startSink(true, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	args := func(data, helo string) []string {
		return []string{"--data", data, "--database-url", e.url, "--log-level", "warn", "--workers", "2",
			"--master-key-file", filepath.Join(e.dataDir, "master.key"), "--base-url", "http://" + addr, "--smtp-url", sink.URL(2, helo)}
	}
	procs := []*child{}
	defer func() {
		for _, p := range procs {
			p.kill()
		}
	}()
	// The serving process starts first and creates the evidence signing
	// keys; each other node gets a copy, as an operator installs the same
	// keys on every node. Each has its own data directory.
	srv, err := startChild(ctx, testLauncher, "serve", addr, args(e.dataDir, "node-a"))
	if err != nil {
		t.Fatal(err)
	}
	procs = append(procs, srv)
	for _, name := range []string{"node-b", "node-c"} {
		data := filepath.Join(e.dir, name)
		if err := os.CopyFS(filepath.Join(data, "evidence"), os.DirFS(filepath.Join(e.dataDir, "evidence"))); err != nil {
			t.Fatal(err)
		}
		w, err := startChild(ctx, testLauncher, "worker", "", args(data, name))
		if err != nil {
			t.Fatal(err)
		}
		procs = append(procs, w)
	}

	bulk, err := e.bulkIngest(ctx, "http://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	if bulk.Ops != alerts {
		t.Fatalf("the batch deposited %d notifications, want %d", bulk.Ops, alerts)
	}
	if err := sink.WaitFor(ctx, alerts); err != nil {
		for _, p := range procs {
			t.Logf("buzon %s output:\n%s", p.mode, p.log.String())
		}
		t.Fatalf("alerts received: %d of %d: %v", sink.Count(), alerts, err)
	}
	// A graceful stop lets every running job finish and record its outcome.
	for _, p := range procs {
		if _, err := p.stop(); err != nil {
			t.Error(err)
		}
	}
	procs = nil

	if n := sink.Count(); n != alerts {
		t.Errorf("the mail server received %d alerts, want exactly %d", n, alerts)
	}
	if d := sink.Duplicates(); len(d) > 0 {
		t.Errorf("%d alerts were sent more than once, e.g. %s", len(d), d[0])
	}
	senders := sink.Senders()
	for _, name := range []string{"node-a", "node-b", "node-c"} {
		if senders[name] == 0 {
			t.Errorf("%s sent no alert: %v", name, senders)
		}
	}
	for kind, want := range map[string]map[int]int{notification.AlertKind: {1: alerts}, api.BatchKind: {1: 1}} {
		got, err := e.db.BenchJobAttempts(ctx, kind)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s jobs by number of attempts (-want +got):\n%s", kind, diff)
		}
		done, err := e.db.BenchJobs(ctx, kind, store.JobDone)
		if err != nil {
			t.Fatal(err)
		}
		if done != want[1] {
			t.Errorf("%s jobs done = %d, want %d", kind, done, want[1])
		}
	}
	t.Logf("alerts by process: %v", senders)
}
