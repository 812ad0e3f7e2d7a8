package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/jobs"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)} }
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type payload struct{ N int }

func enqueue(t *testing.T, db *store.DB, kind string, p any, now time.Time, opt jobs.Options) string {
	t.Helper()
	var id string
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := jobs.Enqueue(context.Background(), tx, kind, p, now, opt)
		if err != nil {
			return err
		}
		js, err := tx.JobsByKind(context.Background(), kind, 1)
		if err != nil {
			return err
		}
		id = js[0].ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func job(t *testing.T, db *store.DB, id string) *store.Job {
	t.Helper()
	j, err := db.Reader().Job(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestJobRunsAndIsDone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		var got []int
		r := &jobs.Runner{DB: db, Now: c.Now}
		r.Register(jobs.Kind{Name: "add", Handler: func(ctx context.Context, j *store.Job) error {
			var p payload
			if err := jobs.Decode(j, &p); err != nil {
				return err
			}
			got = append(got, p.N)
			return nil
		}})
		id := enqueue(t, db, "add", payload{N: 7}, c.Now(), jobs.Options{})
		n, err := r.RunDue(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("RunDue = %d, %v", n, err)
		}
		if diff := cmp.Diff([]int{7}, got); diff != "" {
			t.Errorf("payloads (-want +got):\n%s", diff)
		}
		if j := job(t, db, id); j.State != store.JobDone || j.Attempts != 1 {
			t.Errorf("job = %s after %d attempts, want done after 1", j.State, j.Attempts)
		}
		if n, _ := r.RunDue(context.Background()); n != 0 {
			t.Errorf("a done job ran again")
		}
	})
}

func TestEnqueueIsPartOfTheCallersTransaction(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := jobs.Enqueue(ctx, tx, "k", payload{}, time.Now(), jobs.Options{}); err != nil {
				return err
			}
			return errors.New("the caller's work failed")
		})
		if err == nil {
			t.Fatal("want the caller's error")
		}
		if js, _ := db.Reader().JobsByKind(ctx, "k", 10); len(js) != 0 {
			t.Errorf("a job of a rolled-back transaction exists: %+v", js)
		}
	})
}

func TestRetryWithBackoffThenFailVisibly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		calls := 0
		r := &jobs.Runner{DB: db, Now: c.Now}
		r.Register(jobs.Kind{Name: "flaky", MaxAttempts: 3, Backoff: func(n int) time.Duration { return time.Duration(n) * time.Minute },
			Handler: func(ctx context.Context, j *store.Job) error { calls++; return fmt.Errorf("smtp down (%d)", calls) }})
		id := enqueue(t, db, "flaky", payload{}, c.Now(), jobs.Options{MaxAttempts: 3})
		ctx := context.Background()

		r.RunDue(ctx)
		j := job(t, db, id)
		if j.State != store.JobQueued || !j.RunAt.Equal(c.Now().Add(time.Minute)) || j.LastError != "smtp down (1)" {
			t.Fatalf("after 1 failure: state %s run_at %v error %q", j.State, j.RunAt, j.LastError)
		}
		if n, _ := r.RunDue(ctx); n != 0 {
			t.Fatal("a job ran before its backoff elapsed")
		}
		c.Add(time.Minute)
		r.RunDue(ctx)
		c.Add(2 * time.Minute)
		r.RunDue(ctx)
		j = job(t, db, id)
		if j.State != store.JobFailed || calls != 3 || j.LastError != "smtp down (3)" {
			t.Errorf("after 3 failures: state %s, calls %d, error %q; want failed, 3", j.State, calls, j.LastError)
		}
		c.Add(24 * time.Hour)
		if n, _ := r.RunDue(ctx); n != 0 {
			t.Error("a failed job ran again")
		}
		// An operator can requeue it.
		if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.RequeueJob(ctx, id, c.Now()); return err }); err != nil {
			t.Fatal(err)
		}
		if n, _ := r.RunDue(ctx); n != 1 {
			t.Error("a requeued job did not run")
		}
	})
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		r := &jobs.Runner{DB: db, Now: c.Now}
		r.Register(jobs.Kind{Name: "bounce", Handler: func(ctx context.Context, j *store.Job) error {
			return jobs.Permanent(errors.New("550 no such user"))
		}})
		id := enqueue(t, db, "bounce", payload{}, c.Now(), jobs.Options{})
		r.RunDue(context.Background())
		if j := job(t, db, id); j.State != store.JobFailed || j.Attempts != 1 || j.LastError != "550 no such user" {
			t.Errorf("job = %+v; want failed after one attempt", j)
		}
	})
}

func TestUnknownKindAndBadPayloadFail(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		r := &jobs.Runner{DB: db, Now: c.Now}
		r.Register(jobs.Kind{Name: "typed", Handler: func(ctx context.Context, j *store.Job) error {
			var p payload
			return jobs.Decode(j, &p)
		}})
		unknown := enqueue(t, db, "nobody-handles-this", payload{}, c.Now(), jobs.Options{})
		bad := enqueue(t, db, "typed", "not an object", c.Now(), jobs.Options{})
		r.RunDue(context.Background())
		for _, id := range []string{unknown, bad} {
			if j := job(t, db, id); j.State != store.JobFailed {
				t.Errorf("job %s = %s, want failed", j.Kind, j.State)
			}
		}
	})
}

func TestScheduledJobWaitsForItsTime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		ran := 0
		r := &jobs.Runner{DB: db, Now: c.Now}
		r.Register(jobs.Kind{Name: "later", Handler: func(ctx context.Context, j *store.Job) error { ran++; return nil }})
		enqueue(t, db, "later", payload{}, c.Now(), jobs.Options{RunAt: c.Now().Add(72 * time.Hour)})
		r.RunDue(context.Background())
		c.Add(71 * time.Hour)
		r.RunDue(context.Background())
		if ran != 0 {
			t.Fatal("a scheduled job ran early")
		}
		next, ok, err := db.Reader().NextJobTime(context.Background())
		if err != nil || !ok || !next.Equal(c.Now().Add(time.Hour)) {
			t.Errorf("NextJobTime = %v, %v, %v", next, ok, err)
		}
		c.Add(time.Hour)
		r.RunDue(context.Background())
		if ran != 1 {
			t.Errorf("the scheduled job ran %d times at its time, want 1", ran)
		}
	})
}

func TestUniqueKeyEnqueuesOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var added []bool
		for range 2 {
			err := db.Write(ctx, func(tx *store.Tx) error {
				ok, err := jobs.Enqueue(ctx, tx, "reminder", payload{}, time.Now(), jobs.Options{UniqueKey: "reminder:n1:2026-12-10"})
				added = append(added, ok)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff([]bool{true, false}, added); diff != "" {
			t.Errorf("enqueued (-want +got):\n%s", diff)
		}
	})
}

func TestJobOfADeadWorkerRunsAgainAfterItsLease(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newClock()
		id := enqueue(t, db, "mail", payload{}, c.Now(), jobs.Options{})
		// Worker "dead" claims the job and then vanishes without an outcome.
		err := db.Write(ctx, func(tx *store.Tx) error {
			js, err := tx.ClaimJobs(ctx, "dead", c.Now(), time.Minute, 10)
			if len(js) != 1 {
				t.Fatalf("dead worker claimed %d jobs", len(js))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ran := 0
		r := &jobs.Runner{DB: db, Now: c.Now, Lease: time.Minute, ID: "alive"}
		r.Register(jobs.Kind{Name: "mail", Handler: func(ctx context.Context, j *store.Job) error { ran++; return nil }})
		if n, _ := r.RunDue(ctx); n != 0 {
			t.Fatal("a job was taken while its lease held")
		}
		c.Add(time.Minute + time.Second)
		if n, _ := r.RunDue(ctx); n != 1 || ran != 1 {
			t.Fatalf("after the lease expired, ran %d", ran)
		}
		if j := job(t, db, id); j.State != store.JobDone || j.Attempts != 2 {
			t.Errorf("job = %s after %d attempts, want done after 2", j.State, j.Attempts)
		}
		// The dead worker coming back cannot overwrite the outcome.
		var changed bool
		db.Write(ctx, func(tx *store.Tx) error {
			changed, err = tx.RetryJob(ctx, id, "dead", "late", c.Now(), c.Now())
			return err
		})
		if changed {
			t.Error("a worker without the lease changed the job")
		}
	})
}

func TestTwoWorkersNeverRunTheSameJobAtOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		const n = 60
		for i := range n {
			enqueue(t, db, "work", payload{N: i}, time.Now(), jobs.Options{})
		}
		var (
			mu      sync.Mutex
			running = map[string]bool{}
			runs    = map[string]int{}
			overlap atomic.Bool
			done    atomic.Int32
		)
		handler := func(ctx context.Context, j *store.Job) error {
			mu.Lock()
			if running[j.ID] {
				overlap.Store(true)
			}
			running[j.ID] = true
			runs[j.ID]++
			mu.Unlock()
			time.Sleep(2 * time.Millisecond) // widen the window for a double claim
			mu.Lock()
			running[j.ID] = false
			mu.Unlock()
			done.Add(1)
			return nil
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, name := range []string{"w1", "w2"} {
			r := &jobs.Runner{DB: db, ID: name, Concurrency: 3, Poll: 10 * time.Millisecond}
			r.Register(jobs.Kind{Name: "work", Handler: handler})
			wg.Go(func() { r.Run(ctx) })
		}
		deadline := time.After(60 * time.Second)
		for done.Load() < n {
			select {
			case <-deadline:
				t.Fatalf("only %d of %d jobs ran", done.Load(), n)
			case <-time.After(5 * time.Millisecond):
			}
		}
		cancel()
		wg.Wait()
		if overlap.Load() {
			t.Error("two workers ran the same job at once")
		}
		for id, k := range runs {
			if k != 1 {
				t.Errorf("job %s ran %d times", id, k)
			}
		}
		if len(runs) != n {
			t.Errorf("%d distinct jobs ran, want %d", len(runs), n)
		}
	})
}

func TestShutdownLetsRunningJobsFinish(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		id := enqueue(t, db, "slow", payload{}, time.Now(), jobs.Options{})
		started := make(chan struct{})
		release := make(chan struct{})
		r := &jobs.Runner{DB: db, Poll: 10 * time.Millisecond}
		r.Register(jobs.Kind{Name: "slow", Handler: func(ctx context.Context, j *store.Job) error {
			close(started)
			<-release
			return ctx.Err() // nil unless the shutdown cancelled the job
		}})
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { r.Run(ctx); close(stopped) }()
		<-started
		cancel()
		select {
		case <-stopped:
			t.Fatal("Run returned while a job was still running")
		case <-time.After(50 * time.Millisecond):
		}
		close(release)
		<-stopped
		if j := job(t, db, id); j.State != store.JobDone {
			t.Errorf("job = %s after shutdown, want done", j.State)
		}
	})
}

func TestTimeoutAndPanicAreRetried(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		r := &jobs.Runner{DB: db, Now: c.Now}
		r.Register(jobs.Kind{Name: "hang", Timeout: 20 * time.Millisecond, Handler: func(ctx context.Context, j *store.Job) error {
			<-ctx.Done()
			return ctx.Err()
		}})
		r.Register(jobs.Kind{Name: "panic", Handler: func(ctx context.Context, j *store.Job) error { panic("bug") }})
		hang := enqueue(t, db, "hang", payload{}, c.Now(), jobs.Options{})
		pan := enqueue(t, db, "panic", payload{}, c.Now(), jobs.Options{})
		r.RunDue(context.Background())
		for _, id := range []string{hang, pan} {
			if j := job(t, db, id); j.State != store.JobQueued || j.Attempts != 1 || j.LastError == "" {
				t.Errorf("%s job = %s, attempts %d, error %q; want queued for retry", j.Kind, j.State, j.Attempts, j.LastError)
			}
		}
	})
}

func TestDefaultBackoffGrowsAndIsCapped(t *testing.T) {
	prev := time.Duration(0)
	for n := 1; n <= 12; n++ {
		d := jobs.DefaultBackoff(n)
		if d > 72*time.Minute {
			t.Errorf("backoff(%d) = %v, above the cap", n, d)
		}
		if n <= 6 && d <= prev*7/10 {
			t.Errorf("backoff(%d) = %v did not grow from %v", n, d, prev)
		}
		prev = d
	}
}
