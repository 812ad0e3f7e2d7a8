package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

func init() {
	if f := os.Getenv("PROBE_CPU"); f != "" && os.Getenv(childEnv) == "serve" {
		out, _ := os.Create(f + "." + strconv.Itoa(os.Getpid()))
		pprof.StartCPUProfile(out)
		go func() {
			time.Sleep(5 * time.Second)
			pprof.StopCPUProfile()
			out.Close()
		}()
	}
}

func TestProbeServer(t *testing.T) {
	if os.Getenv("PROBE") == "" {
		return
	}
	ctx := context.Background()
	cfg := Config{Citizens: 3000, Notifications: 30000, Institutions: 64, Dir: t.TempDir(), Launch: testLauncher, Duration: 5 * time.Second,
		DatabaseURL: os.Getenv("PROBE_PG")}
	cfg.Defaults(true)
	e, err := newEnv(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	e.seedInstitutions(ctx, 64)
	e.seedCitizens(ctx, 3000, 30)
	e.seedNotifications(ctx, 30000, 0, nil)
	sink, _ := StartSink(false)
	addr, _ := freeAddr()
	os.Setenv("PROBE_CPU", os.Getenv("PROBE_CPU"))
	srv, err := startChild(ctx, testLauncher, "serve", addr, []string{"--data", e.dataDir, "--database-url", e.url, "--log-level", "warn", "--smtp-url", sink.URL(8, ""), "--workers", "0"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := srv.peakRSS()
	t.Logf("after start: %d MiB", p>>20)
	if os.Getenv("PROBE") == "bulk" || os.Getenv("PROBE") == "dispatch" {
		srv.stop()
		srv, err = startChild(ctx, testLauncher, "serve", addr, []string{"--data", e.dataDir, "--database-url", e.url, "--log-level", "warn", "--smtp-url", sink.URL(8, ""), "--workers", "1"})
		if err != nil {
			t.Fatal(err)
		}
		e.cfg.BulkRecipients = 3000
		s0, p0 := cpuOf(srv.cmd.Process.Pid), pgCPU()
		f, err := e.bulkIngest(ctx, "http://"+addr)
		s1, p1 := cpuOf(srv.cmd.Process.Pid), pgCPU()
		t.Logf("bulk %.0f/s err %v; CPU per notification: server %.2f ms, postgres %.2f ms", f.PerSecond(), err, (s1-s0)*1000/3000, (p1-p0)*1000/3000)
		srv.stop()
		if os.Getenv("PROBE") == "bulk" {
			return
		}
		q, _ := e.db.BenchJobs(ctx, "notification.alert", "queued")
		base := sink.Count()
		sink.ResetSpan()
		srv, err = startChild(ctx, testLauncher, "serve", addr, []string{"--data", e.dataDir, "--database-url", e.url, "--log-level", "warn", "--smtp-url", sink.URL(8, ""), "--workers", "16"})
		s0, p0 = cpuOf(srv.cmd.Process.Pid), pgCPU()
		sink.WaitFor(ctx, base+int64(q))
		s1, p1 = cpuOf(srv.cmd.Process.Pid), pgCPU()
		t.Logf("dispatch %d in %s = %.0f/s; CPU per alert: server %.2f ms, postgres %.2f ms", q, sink.Span(), float64(q)/sink.Span().Seconds(), (s1-s0)*1000/float64(q), (p1-p0)*1000/float64(q))
		srv.stop()
		return
	}
	if os.Getenv("PROBE") != "inbox" {
		s0, p0 := cpuOf(srv.cmd.Process.Pid), pgCPU()
		f, err := e.singleIngest(ctx, "http://"+addr)
		s1, p1 := cpuOf(srv.cmd.Process.Pid), pgCPU()
		n := float64(f.Ops) * 1.1
		t.Logf("CPU per request: server %.2f ms, postgres %.2f ms", (s1-s0)*1000/n, (p1-p0)*1000/n)
		p, _ = srv.peakRSS()
		t.Logf("single ingest %.0f/s p50 %s p99 %s err %v; peak %d MiB", f.PerSecond(), f.P50, f.P99, err, p>>20)
	}
	cl, err := e.signIn(ctx, "http://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.inbox("http://"+addr, cl)
	p, _ = srv.peakRSS()
	t.Logf("inbox %.0f/s p50 %s p99 %s err %v; peak %d MiB", f.PerSecond(), f.P50, f.P99, err, p>>20)
	srv.stop()
	_ = pprof.Lookup
}

func cpuOf(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100
}

func pgCPU() float64 {
	ents, _ := os.ReadDir("/proc")
	var sum float64
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		c, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if strings.HasPrefix(string(c), "postgres") {
			sum += cpuOf(pid)
		}
	}
	return sum
}
