package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit. A durable commit costs a flush to disk (SQLite's fsync of
// the WAL, PostgreSQL's WAL flush), and one request's transaction is
// otherwise a handful of small statements: committing each request alone
// spends most of the time waiting for the disk. DB.Write therefore queues
// its function; a committer goroutine takes every write waiting (up to
// MaxBatch, or as many as arrive within MaxBatchTime), runs them one after
// another inside one transaction, each inside its own savepoint, and
// commits once. Each caller runs its own function, on its own goroutine,
// when the committer hands it the transaction, so a panic or a test's
// t.Fatal inside it behaves as before.
//
// The contract of Write is unchanged: when Write returns nil, fn's writes
// are committed; when fn returns an error, they are rolled back (to the
// savepoint) before Write returns it, and the other writes of the batch go
// on; a failed COMMIT fails every write of the batch, none of which had
// been acknowledged. A write never waits for anything but the writes ahead
// of it in the same batch and the commit.

// savepoint is the name of the savepoint around each grouped write; the
// functions' own savepoints nest inside it.
const savepoint = "buzon_write"

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("store: database closed")

// errBatchAborted explains a write that succeeded but whose shared
// transaction could not be kept.
var errBatchAborted = errors.New("store: the shared transaction of this write was aborted by another write; nothing was committed")

// GroupStats counts what group commit did, for the bench and /metrics.
type GroupStats struct {
	Batches int64 // transactions committed or rolled back by committers
	Writes  int64 // functions run in them
	Failed  int64 // of which failed (their own error, or their batch's)
}

// writeReq is one Write waiting for, running in, or done with a batch.
type writeReq struct {
	ctx   context.Context
	state atomic.Int32 // reqWaiting → reqTaken (committer) or reqWithdrawn (caller)
	turn  chan *Tx     // the committer hands the transaction to the caller
	ran   chan runEnd  // the caller reports how fn ended
	done  chan error   // the committer reports the outcome
	next  *writeReq    // queue link
}

const (
	reqWaiting int32 = iota
	reqTaken
	reqWithdrawn
)

// runEnd is how a write's function ended on the caller's goroutine.
type runEnd struct {
	err      error
	abnormal bool // it panicked or called runtime.Goexit
}

var reqPool = sync.Pool{New: func() any {
	return &writeReq{turn: make(chan *Tx, 1), ran: make(chan runEnd, 1), done: make(chan error, 1)}
}}

// groupCommit is the queue and the committers of one DB.
type groupCommit struct {
	db       *DB
	maxBatch int
	maxTime  time.Duration

	mu     sync.Mutex
	head   *writeReq
	tail   *writeReq
	closed bool
	wake   chan struct{} // one token: the queue has something
	wg     sync.WaitGroup

	batches, writes, failed atomic.Int64
}

func newGroupCommit(db *DB, committers, maxBatch int, maxTime time.Duration) *groupCommit {
	g := &groupCommit{db: db, maxBatch: maxBatch, maxTime: maxTime, wake: make(chan struct{}, committers)}
	for range committers {
		g.wg.Go(g.commitLoop)
	}
	return g
}

// close stops accepting writes, lets the committers finish what is queued
// and waits for them.
func (g *groupCommit) close() {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.closed = true
	g.mu.Unlock()
	for range cap(g.wake) {
		select {
		case g.wake <- struct{}{}:
		default:
		}
	}
	g.wg.Wait()
}

func (g *groupCommit) enqueue(r *writeReq) bool {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return false
	}
	if g.tail == nil {
		g.head, g.tail = r, r
	} else {
		g.tail.next, g.tail = r, r
	}
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
	return true
}

// take removes the first request still waiting and marks it taken;
// requests withdrawn by their callers are dropped on the way. It returns
// nil when the queue is empty; closed reports that it is empty for good.
func (g *groupCommit) take() (r *writeReq, closed bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.head != nil {
		r, g.head = g.head, g.head.next
		if g.head == nil {
			g.tail = nil
		}
		r.next = nil
		if r.state.CompareAndSwap(reqWaiting, reqTaken) {
			if g.head != nil {
				// Another committer may take the rest.
				select {
				case g.wake <- struct{}{}:
				default:
				}
			}
			return r, false
		}
		reqPool.Put(r) // withdrawn: its caller has left
	}
	return nil, g.closed
}

// write queues fn and runs it when its turn comes.
func (g *groupCommit) write(ctx context.Context, fn func(*Tx) error) error {
	r := reqPool.Get().(*writeReq)
	r.ctx = ctx
	r.state.Store(reqWaiting)
	if !g.enqueue(r) {
		reqPool.Put(r)
		return ErrClosed
	}
	var tx *Tx
	select {
	case tx = <-r.turn:
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqWaiting, reqWithdrawn) {
			// The committer drops it from the queue and recycles it.
			return fmt.Errorf("begin: %w", ctx.Err())
		}
		tx = <-r.turn // taken at the same moment: it runs, and its statements see ctx is done
	}
	if tx != nil { // nil: the committer refused it without running it
		g.run(r, tx, fn)
	}
	err := <-r.done
	r.ctx = nil
	reqPool.Put(r)
	return err
}

// run calls fn with the batch's transaction on the caller's goroutine and
// tells the committer how it ended, even if it panics or exits the
// goroutine (the panic then goes on up the caller's stack).
func (g *groupCommit) run(r *writeReq, tx *Tx, fn func(*Tx) error) {
	normal := false
	defer func() {
		if !normal {
			r.ran <- runEnd{err: errors.New("store: write function panicked"), abnormal: true}
		}
	}()
	err := fn(tx)
	normal = true
	r.ran <- runEnd{err: err}
}

// commitLoop is one committer: it forms batches until the DB closes.
func (g *groupCommit) commitLoop() {
	for {
		r, closed := g.take()
		if r == nil {
			if closed {
				return
			}
			<-g.wake
			continue
		}
		g.batch(r)
	}
}

// batch runs first and whatever else is queued, within the limits, in
// one transaction, and commits it.
func (g *groupCommit) batch(first *writeReq) {
	b := &batchTx{g: g}
	start := time.Now()
	r := first
	for r != nil {
		if !b.add(r) {
			break // the transaction broke; everyone in it was answered
		}
		if len(b.pending) >= g.maxBatch || time.Since(start) >= g.maxTime {
			break
		}
		r, _ = g.take()
	}
	b.finish()
}

// batchTx is one shared transaction being filled.
type batchTx struct {
	g       *groupCommit
	sqltx   *sql.Tx
	pending []*writeReq // ran without error, waiting for the commit
	// spOpen: the savepoint is established and holds the last pending
	// write's work (the first write of a transaction runs without one: if it
	// fails, the whole transaction is rolled back and started again).
	spOpen bool
}

// add runs r in the transaction; false means the transaction broke and
// the batch must end (every write in it has been answered).
func (b *batchTx) add(r *writeReq) bool {
	g := b.g
	g.writes.Add(1)
	for {
		if b.sqltx == nil {
			sqltx, err := g.db.writer.BeginTx(context.Background(), nil)
			if err != nil {
				b.refuse(r, fmt.Errorf("begin: %w", classify(err)))
				return false
			}
			b.sqltx, b.pending, b.spOpen = sqltx, b.pending[:0], false
			end := b.runTurn(r)
			if end.err != nil {
				rerr := b.rollback()
				b.answer(r, joinRollback(end.err, rerr))
				return true
			}
			b.pending = append(b.pending, r)
			return true
		}
		// Later writes get a savepoint: release the previous one's (its
		// work stays in the transaction) and open a new one, in one round trip.
		stmt := "SAVEPOINT " + savepoint
		if b.spOpen {
			stmt = "RELEASE SAVEPOINT " + savepoint + "; SAVEPOINT " + savepoint
		}
		if _, err := b.sqltx.ExecContext(context.Background(), stmt); err != nil {
			// The previous write left the transaction unusable (on
			// PostgreSQL, a statement failed and the function ignored it):
			// undo that write alone, fail it, and try again.
			if !b.dropLast(fmt.Errorf("write left the transaction unusable: %w", classify(err))) {
				b.fail()
				b.refuse(r, errBatchAborted)
				return false
			}
			continue
		}
		b.spOpen = true
		end := b.runTurn(r)
		if end.err == nil {
			b.pending = append(b.pending, r)
			return true
		}
		if _, err := b.sqltx.ExecContext(context.Background(), "ROLLBACK TO SAVEPOINT "+savepoint); err != nil {
			// The engine dropped the whole transaction (SQLite does on
			// some errors): nothing of this batch is kept.
			b.fail()
			b.answer(r, joinRollback(end.err, classify(err)))
			return false
		}
		b.answer(r, end.err)
		return true
	}
}

// runTurn hands the transaction to r's caller and waits until its function ends.
func (b *batchTx) runTurn(r *writeReq) runEnd {
	r.turn <- &Tx{q: guardedQuerier{b.g.db.txQuerier(b.sqltx)}, engine: b.g.db.engine}
	return <-r.ran
}

// dropLast undoes the last pending write and answers it with err; false
// means the transaction broke.
func (b *batchTx) dropLast(err error) bool {
	last := b.pending[len(b.pending)-1]
	b.pending = b.pending[:len(b.pending)-1]
	if !b.spOpen {
		// The first write, without a savepoint: start over.
		rerr := b.rollback()
		b.answer(last, joinRollback(err, rerr))
		return true
	}
	if _, rerr := b.sqltx.ExecContext(context.Background(), "ROLLBACK TO SAVEPOINT "+savepoint); rerr != nil {
		b.pending = append(b.pending, last)
		return false
	}
	b.answer(last, err)
	return true
}

// finish commits the pending writes and answers them.
func (b *batchTx) finish() {
	if b.sqltx == nil {
		return
	}
	g := b.g
	if b.spOpen && len(b.pending) > 0 {
		// Make sure the last write left the transaction usable, so that
		// its mistake does not fail the commit of the others.
		if _, err := b.sqltx.ExecContext(context.Background(), "RELEASE SAVEPOINT "+savepoint); err != nil {
			if !b.dropLast(fmt.Errorf("write left the transaction unusable: %w", classify(err))) {
				b.fail()
				return
			}
		}
	}
	if len(b.pending) == 0 {
		_ = b.rollback()
		return
	}
	err := b.sqltx.Commit()
	b.sqltx = nil
	g.batches.Add(1)
	if err != nil {
		err = fmt.Errorf("commit: %w", classify(err))
	}
	for _, r := range b.pending {
		b.answer(r, err)
	}
	b.pending = b.pending[:0]
}

// fail rolls the broken transaction back and answers every pending write
// with errBatchAborted.
func (b *batchTx) fail() {
	_ = b.rollback()
	for _, p := range b.pending {
		b.answer(p, errBatchAborted)
	}
	b.pending = b.pending[:0]
}

func (b *batchTx) rollback() error {
	if b.sqltx == nil {
		return nil
	}
	err := b.sqltx.Rollback()
	b.sqltx = nil
	b.g.batches.Add(1)
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// refuse answers a write that was taken but will not run.
func (b *batchTx) refuse(r *writeReq, err error) {
	r.turn <- nil
	b.answer(r, err)
}

func (b *batchTx) answer(r *writeReq, err error) {
	if err != nil {
		b.g.failed.Add(1)
	}
	r.done <- err
}

func joinRollback(err, rerr error) error {
	if rerr == nil {
		return err
	}
	return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
}

// guardedQuerier runs a grouped write's statements. A statement starts
// only while the caller's context is live, but runs detached from it: a
// context cancelled mid-statement would make pgx close the shared
// connection and SQLite interrupt (and roll back) the shared transaction.
type guardedQuerier struct{ q querier }

func (q guardedQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return q.q.ExecContext(context.WithoutCancel(ctx), query, args...)
}

func (q guardedQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return q.q.QueryContext(context.WithoutCancel(ctx), query, args...)
}

func (q guardedQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if ctx.Err() != nil {
		// A Row carries its error to Scan; a query on a done context
		// yields exactly that, without touching the connection.
		return q.q.QueryRowContext(ctx, query, args...)
	}
	return q.q.QueryRowContext(context.WithoutCancel(ctx), query, args...)
}

// Stats reports what group commit has done since Open.
func (db *DB) Stats() GroupStats {
	if db.group == nil {
		return GroupStats{}
	}
	g := db.group
	return GroupStats{Batches: g.batches.Load(), Writes: g.writes.Load(), Failed: g.failed.Load()}
}
