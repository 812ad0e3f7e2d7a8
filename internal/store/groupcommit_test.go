package store_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// openGroup opens a fresh database of engine e with group-commit options
// and the small tables these tests write to.
func openGroup(t *testing.T, e store.Engine, opt store.Options) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.URL(t, e), opt)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { db.Close() })
	err = db.WriteAlone(ctx, func(tx *store.Tx) error {
		for _, q := range []string{
			`CREATE TABLE gc_rows (id INTEGER PRIMARY KEY, owner TEXT NOT NULL)`,
			`CREATE TABLE gc_parent (id INTEGER PRIMARY KEY)`,
			`CREATE TABLE gc_child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES gc_parent (id) DEFERRABLE INITIALLY DEFERRED)`,
		} {
			if err := tx.ExecArgsForTest(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("create test tables: %v", err)
	}
	return db
}

// serial makes batches deterministic: one committer that never closes a
// batch early for time. (Grouping is off by default on PostgreSQL: MaxBatch
// turns it on.)
var serial = store.Options{MaxBatch: 60, Committers: 1, MaxBatchTime: time.Hour}

func bothEngines(t *testing.T, fn func(t *testing.T, e store.Engine)) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

func insertRow(ctx context.Context, tx *store.Tx, id int, owner string) error {
	return tx.ExecArgsForTest(ctx, `INSERT INTO gc_rows (id, owner) VALUES ($1, $2)`, id, owner)
}

// rowIDs lists the ids in gc_rows, read through the reader pool.
func rowIDs(t *testing.T, db *store.DB) []int {
	t.Helper()
	n, err := db.Reader().CountForTest(context.Background(), `SELECT count(*) FROM gc_rows`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for id := 0; len(ids) < n && id < 10_000; id++ {
		c, err := db.Reader().CountForTest(context.Background(), `SELECT count(*) FROM gc_rows WHERE id = $1`, id)
		if err != nil {
			t.Fatal(err)
		}
		if c == 1 {
			ids = append(ids, id)
		}
	}
	return ids
}

// holder is a write that keeps the committer busy until released, so that
// the writes queued behind it are known to form the next batch.
type holder struct {
	release chan struct{}
	err     chan error
}

func hold(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) *holder {
	t.Helper()
	h := &holder{release: make(chan struct{}), err: make(chan error, 1)}
	started := make(chan struct{})
	go func() {
		h.err <- db.Write(context.Background(), func(tx *store.Tx) error {
			close(started)
			<-h.release
			return fn(tx)
		})
	}()
	<-started
	return h
}

// queue starts a write on its own goroutine and returns once it waits in
// the queue, so writes queued one after another keep their order.
func queue(t *testing.T, db *store.DB, ctx context.Context, fn func(tx *store.Tx) error) <-chan error {
	t.Helper()
	before := db.QueuedWritesForTest()
	errc := make(chan error, 1)
	go func() { errc <- db.Write(ctx, fn) }()
	for db.QueuedWritesForTest() <= before {
		runtime.Gosched()
	}
	return errc
}

func TestGroupCommitConcurrentWritersAllCommitted(t *testing.T) {
	bothEngines(t, func(t *testing.T, e store.Engine) {
		db := openGroup(t, e, store.Options{MaxBatch: 60, Committers: 4})
		ctx := context.Background()
		const writers = 300
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Go(func() {
				if err := db.Write(ctx, func(tx *store.Tx) error { return insertRow(ctx, tx, i, "w") }); err != nil {
					errs <- fmt.Errorf("write %d: %w", i, err)
					return
				}
				// A caller's next read sees its own write.
				n, err := db.Reader().CountForTest(ctx, `SELECT count(*) FROM gc_rows WHERE id = $1`, i)
				if err != nil || n != 1 {
					errs <- fmt.Errorf("write %d returned but the reader sees %d rows (%v)", i, n, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		n, err := db.Reader().CountForTest(ctx, `SELECT count(*) FROM gc_rows`)
		if err != nil || n != writers {
			t.Fatalf("rows = %d, %v; want %d", n, err, writers)
		}
		if s := db.Stats(); s.Writes != writers || s.Failed != 0 || s.Batches < 1 || s.Batches > writers {
			t.Errorf("stats = %+v", s)
		}
	})
}

func TestGroupCommitSharesOneTransaction(t *testing.T) {
	bothEngines(t, func(t *testing.T, e store.Engine) {
		db := openGroup(t, e, serial)
		ctx := context.Background()
		h := hold(t, db, func(tx *store.Tx) error { return insertRow(ctx, tx, 0, "holder") })
		var waits []<-chan error
		for i := 1; i <= 10; i++ {
			waits = append(waits, queue(t, db, ctx, func(tx *store.Tx) error { return insertRow(ctx, tx, i, "queued") }))
		}
		close(h.release)
		if err := <-h.err; err != nil {
			t.Fatal(err)
		}
		for i, w := range waits {
			if err := <-w; err != nil {
				t.Errorf("write %d: %v", i+1, err)
			}
		}
		if diff := cmp.Diff([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, rowIDs(t, db)); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		if got := db.Stats(); got.Batches != 1 || got.Writes != 11 {
			t.Errorf("stats = %+v, want the 11 writes in one transaction", got)
		}
	})
}

func TestGroupCommitMaxBatch(t *testing.T) {
	bothEngines(t, func(t *testing.T, e store.Engine) {
		opt := serial
		opt.MaxBatch = 4
		db := openGroup(t, e, opt)
		ctx := context.Background()
		h := hold(t, db, func(tx *store.Tx) error { return insertRow(ctx, tx, 0, "holder") })
		var waits []<-chan error
		for i := 1; i <= 10; i++ {
			waits = append(waits, queue(t, db, ctx, func(tx *store.Tx) error { return insertRow(ctx, tx, i, "queued") }))
		}
		close(h.release)
		for _, w := range append(waits, h.err) {
			if err := <-w; err != nil {
				t.Fatal(err)
			}
		}
		if got := db.Stats(); got.Batches != 3 || got.Writes != 11 {
			t.Errorf("stats = %+v, want 11 writes in 3 transactions of at most 4", got)
		}
	})
}

var errBoom = errors.New("boom")

func TestGroupCommitFailuresStayAlone(t *testing.T) {
	bothEngines(t, func(t *testing.T, e store.Engine) {
		db := openGroup(t, e, serial)
		ctx := context.Background()
		h := hold(t, db, func(tx *store.Tx) error { return insertRow(ctx, tx, 0, "holder") })
		ok := func(id int) func(tx *store.Tx) error {
			return func(tx *store.Tx) error { return insertRow(ctx, tx, id, "ok") }
		}
		type outcome struct {
			name string
			errc <-chan error
			want func(error) bool
		}
		isNil := func(err error) bool { return err == nil }
		var outs []outcome
		add := func(name string, want func(error) bool, fn func(tx *store.Tx) error) {
			outs = append(outs, outcome{name, queue(t, db, ctx, fn), want})
		}
		add("ok 1", isNil, ok(1))
		add("returns an error after writing", func(err error) bool { return errors.Is(err, errBoom) }, func(tx *store.Tx) error {
			if err := insertRow(ctx, tx, 101, "fails"); err != nil {
				return err
			}
			return errBoom
		})
		add("ok 2", isNil, ok(2))
		add("a statement fails", func(err error) bool { return err != nil }, func(tx *store.Tx) error {
			if err := insertRow(ctx, tx, 102, "fails"); err != nil {
				return err
			}
			return insertRow(ctx, tx, 1, "duplicate key") // row 1 was written by "ok 1" in this transaction
		})
		add("ok 3", isNil, ok(3))
		add("ok 4", isNil, ok(4))
		add("ok 5", isNil, ok(5))
		close(h.release)
		if err := <-h.err; err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			if err := <-o.errc; !o.want(err) {
				t.Errorf("%s: Write = %v", o.name, err)
			}
		}
		if diff := cmp.Diff([]int{0, 1, 2, 3, 4, 5}, rowIDs(t, db)); diff != "" {
			t.Errorf("committed rows (-want +got):\n%s", diff)
		}
		if got := db.Stats(); got.Batches != 1 {
			t.Errorf("stats = %+v, want one transaction despite the failures", got)
		}
	})
}

func TestGroupCommitPanicAndGoexit(t *testing.T) {
	bothEngines(t, func(t *testing.T, e store.Engine) {
		db := openGroup(t, e, serial)
		ctx := context.Background()
		h := hold(t, db, func(tx *store.Tx) error { return insertRow(ctx, tx, 0, "holder") })
		recovered := make(chan any, 1)
		before := db.QueuedWritesForTest()
		go func() {
			defer func() { recovered <- recover() }()
			db.Write(ctx, func(tx *store.Tx) error {
				if err := insertRow(ctx, tx, 100, "panics"); err != nil {
					return err
				}
				panic(errBoom)
			})
		}()
		for db.QueuedWritesForTest() <= before {
			runtime.Gosched()
		}
		okA := queue(t, db, ctx, func(tx *store.Tx) error { return insertRow(ctx, tx, 1, "ok") })
		exited := make(chan struct{})
		before = db.QueuedWritesForTest()
		go func() {
			defer close(exited)
			db.Write(ctx, func(tx *store.Tx) error {
				if err := insertRow(ctx, tx, 101, "exits"); err != nil {
					return err
				}
				runtime.Goexit() // what t.Fatal does inside a write
				return nil
			})
			t.Error("Write returned after its function called runtime.Goexit")
		}()
		for db.QueuedWritesForTest() <= before {
			runtime.Gosched()
		}
		okB := queue(t, db, ctx, func(tx *store.Tx) error { return insertRow(ctx, tx, 2, "ok") })
		close(h.release)
		for _, w := range []<-chan error{h.err, okA, okB} {
			if err := <-w; err != nil {
				t.Fatal(err)
			}
		}
		if v := <-recovered; v != errBoom {
			t.Errorf("the panic reached the caller as %v, want %v", v, errBoom)
		}
		<-exited
		if diff := cmp.Diff([]int{0, 1, 2}, rowIDs(t, db)); diff != "" {
			t.Errorf("committed rows (-want +got):\n%s", diff)
		}
		// The committer lives on.
		if err := db.Write(ctx, func(tx *store.Tx) error { return insertRow(ctx, tx, 3, "after") }); err != nil {
			t.Fatal(err)
		}
	})
}

func TestGroupCommitFirstWriteFails(t *testing.T) {
	bothEngines(t, func(t *testing.T, e store.Engine) {
		db := openGroup(t, e, serial)
		ctx := context.Background()
		// The first write of a transaction runs without a savepoint: its
		// failure rolls the transaction back and the next write starts anew.
		h := hold(t, db, func(tx *store.Tx) error {
			if err := insertRow(ctx, tx, 100, "first"); err != nil {
				return err
			}
			return errBoom
		})
		var waits []<-chan error
		for i := 1; i <= 3; i++ {
			waits = append(waits, queue(t, db, ctx, func(tx *store.Tx) error { return insertRow(ctx, tx, i, "ok") }))
		}
		close(h.release)
		if err := <-h.err; !errors.Is(err, errBoom) {
			t.Errorf("first write = %v, want boom", err)
		}
		for _, w := range waits {
			if err := <-w; err != nil {
				t.Error(err)
			}
		}
		if diff := cmp.Diff([]int{1, 2, 3}, rowIDs(t, db)); diff != "" {
			t.Errorf("committed rows (-want +got):\n%s", diff)
		}
	})
}

func TestGroupCommitUnusableTransaction(t *testing.T) {
	// A function that swallows a failed statement and returns nil leaves a
	// PostgreSQL transaction unusable; only that write fails, wherever it
	// sits in the batch. SQLite goes on after a failed statement, so there
	// the write simply succeeds.
	bothEngines(t, func(t *testing.T, e store.Engine) {
		db := openGroup(t, e, serial)
		ctx := context.Background()
		swallow := func(id int) func(tx *store.Tx) error {
			return func(tx *store.Tx) error {
				if err := insertRow(ctx, tx, id, "swallows"); err != nil {
					return err
				}
				_ = tx.ExecArgsForTest(ctx, `SELECT no_such_column FROM gc_rows`)
				return nil
			}
		}
		h := hold(t, db, swallow(100)) // first, without a savepoint
		var waits []<-chan error
		waits = append(waits, queue(t, db, ctx, func(tx *store.Tx) error { return insertRow(ctx, tx, 1, "ok") }))
		waits = append(waits, queue(t, db, ctx, swallow(101))) // in the middle
		waits = append(waits, queue(t, db, ctx, func(tx *store.Tx) error { return insertRow(ctx, tx, 2, "ok") }))
		waits = append(waits, queue(t, db, ctx, swallow(102))) // last
		close(h.release)
		got := []error{<-h.err}
		for _, w := range waits {
			got = append(got, <-w)
		}
		failed := func(i int) bool { return got[i] != nil }
		want := []int{1, 2}
		if e == store.SQLite {
			want = []int{1, 2, 100, 101, 102}
		}
		for i, swallowed := range []bool{true, false, true, false, true} {
			if shouldFail := swallowed && e == store.Postgres; failed(i) != shouldFail {
				t.Errorf("write %d: Write = %v, want failure %v", i, got[i], shouldFail)
			}
		}
		ids := rowIDs(t, db)
		sort.Ints(ids)
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Errorf("committed rows (-want +got):\n%s", diff)
		}
	})
}

func TestGroupCommitFailedCommitFailsAll(t *testing.T) {
	bothEngines(t, func(t *testing.T, e store.Engine) {
		db := openGroup(t, e, serial)
		ctx := context.Background()
		h := hold(t, db, func(tx *store.Tx) error { return tx.ExecArgsForTest(ctx, `INSERT INTO gc_parent (id) VALUES (1)`) })
		a := queue(t, db, ctx, func(tx *store.Tx) error { return tx.ExecArgsForTest(ctx, `INSERT INTO gc_parent (id) VALUES (2)`) })
		// A deferred foreign key is checked only at COMMIT, which fails.
		bad := queue(t, db, ctx, func(tx *store.Tx) error {
			return tx.ExecArgsForTest(ctx, `INSERT INTO gc_child (id, parent_id) VALUES (1, 999)`)
		})
		b := queue(t, db, ctx, func(tx *store.Tx) error { return tx.ExecArgsForTest(ctx, `INSERT INTO gc_parent (id) VALUES (3)`) })
		close(h.release)
		for i, w := range []<-chan error{h.err, a, bad, b} {
			if err := <-w; err == nil {
				t.Errorf("write %d of a batch whose commit failed returned nil", i)
			}
		}
		n, err := db.Reader().CountForTest(ctx, `SELECT count(*) FROM gc_parent`)
		if err != nil || n != 0 {
			t.Errorf("parents after the failed commit = %d, %v; want 0", n, err)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.ExecArgsForTest(ctx, `INSERT INTO gc_parent (id) VALUES (4)`) }); err != nil {
			t.Fatalf("a write after the failed commit: %v", err)
		}
	})
}

func TestGroupCommitCancelledWhileWaiting(t *testing.T) {
	bothEngines(t, func(t *testing.T, e store.Engine) {
		db := openGroup(t, e, serial)
		ctx := context.Background()
		h := hold(t, db, func(tx *store.Tx) error { return insertRow(ctx, tx, 0, "holder") })
		cctx, cancel := context.WithCancel(ctx)
		ran := false
		w := queue(t, db, cctx, func(tx *store.Tx) error { ran = true; return insertRow(ctx, tx, 1, "cancelled") })
		cancel()
		// It returns while the committer is still held: it waited for nothing.
		if err := <-w; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Write = %v, want context.Canceled", err)
		}
		close(h.release)
		if err := <-h.err; err != nil {
			t.Fatal(err)
		}
		if ran {
			t.Error("the cancelled write's function ran")
		}
		if diff := cmp.Diff([]int{0}, rowIDs(t, db)); diff != "" {
			t.Errorf("committed rows (-want +got):\n%s", diff)
		}
	})
}

func TestGroupCommitCancelledWhileRunning(t *testing.T) {
	bothEngines(t, func(t *testing.T, e store.Engine) {
		db := openGroup(t, e, serial)
		ctx := context.Background()
		h := hold(t, db, func(tx *store.Tx) error { return insertRow(ctx, tx, 0, "holder") })
		cctx, cancel := context.WithCancel(ctx)
		w := queue(t, db, cctx, func(tx *store.Tx) error {
			if err := insertRow(cctx, tx, 1, "cancelled"); err != nil {
				return err
			}
			cancel()
			return insertRow(cctx, tx, 2, "cancelled")
		})
		ok := queue(t, db, ctx, func(tx *store.Tx) error { return insertRow(ctx, tx, 3, "ok") })
		close(h.release)
		if err := <-w; !errors.Is(err, context.Canceled) {
			t.Errorf("Write cancelled mid-function = %v, want context.Canceled", err)
		}
		for _, c := range []<-chan error{h.err, ok} {
			if err := <-c; err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff([]int{0, 3}, rowIDs(t, db)); diff != "" {
			t.Errorf("committed rows (-want +got):\n%s", diff)
		}
	})
}

func TestGroupCommitOffAndAlone(t *testing.T) {
	bothEngines(t, func(t *testing.T, e store.Engine) {
		for _, opt := range []store.Options{{MaxBatch: 1}, {}, {MaxBatch: 8, Committers: 2}} {
			db := openGroup(t, e, opt)
			ctx := context.Background()
			var wg sync.WaitGroup
			for i := range 40 {
				wg.Go(func() {
					write := db.Write
					if i%4 == 0 {
						write = db.WriteAlone
					}
					if err := write(ctx, func(tx *store.Tx) error { return insertRow(ctx, tx, i, "w") }); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if n := len(rowIDs(t, db)); n != 40 {
				t.Errorf("MaxBatch %d: %d rows, want 40", opt.MaxBatch, n)
			}
			if opt.MaxBatch == 1 && db.Stats() != (store.GroupStats{}) {
				t.Errorf("MaxBatch 1 grouped writes: %+v", db.Stats())
			}
		}
	})
}

func TestWriteAfterClose(t *testing.T) {
	bothEngines(t, func(t *testing.T, e store.Engine) {
		db := openGroup(t, e, store.Options{})
		ctx := context.Background()
		if err := db.Write(ctx, func(tx *store.Tx) error { return insertRow(ctx, tx, 1, "before") }); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := db.Write(ctx, func(tx *store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
			t.Errorf("Write after Close = %v, want ErrClosed", err)
		}
	})
}
