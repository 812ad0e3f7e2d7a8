// Package store holds every SQL statement of Buzón. It runs on SQLite (the
// embedded default) and on PostgreSQL with the same statement text: both
// engines accept $1..$N placeholders, RETURNING and ON CONFLICT, and the few
// places where they differ ask the DB which engine it is.
package store

import (
	"container/list"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Engine names a database engine.
type Engine string

// The engines Buzón runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// ErrNotFound is returned when a row asked for does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrUnavailable wraps errors that mean the database cannot be reached right
// now (connection refused, server shutting down); callers answer 503.
var ErrUnavailable = errors.New("store: database unavailable")

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx runs statements either inside a write transaction (from DB.Write) or on
// the reader pool (DB.Reader). Every entity's methods hang off Tx, so the same
// code reads in or out of a transaction.
type Tx struct {
	q      querier
	engine Engine
}

// Engine reports which engine the statements run on.
func (tx *Tx) Engine() Engine { return tx.engine }

// DB is an open database: for SQLite a single writer connection and a pool of
// read-only connections (SQLite allows one writer at a time, so a pool of
// writers would only contend on the file lock); for PostgreSQL one pool.
type DB struct {
	engine Engine
	writer *sql.DB
	reader *sql.DB
	dsn    string       // for diagnostics, without password
	group  *groupCommit // nil when writes are not grouped (MaxBatch 1)
	closed atomic.Bool
	// SQLite only: statements kept prepared (PostgreSQL's driver has its
	// own cache).
	writeStmts, readStmts *stmtCache
}

// Options tune how a database is opened.
type Options struct {
	// MaxConns bounds the PostgreSQL pool and the SQLite reader pool.
	MaxConns int
	// Synchronous sets SQLite's synchronous pragma (FULL by default: a commit
	// that returned survives a power loss).
	Synchronous string
	// MaxBatch bounds how many concurrent writes share one transaction
	// (group commit, see Write); 1 turns grouping off. The default is 128 on
	// SQLite, whose single writer pays a disk flush per commit, and 1 on
	// PostgreSQL, which already shares WAL flushes among concurrent commits
	// and where shared transactions, holding their rows' locks until the
	// batch commits, made concurrent batches wait for and deadlock with each
	// other (docs/PERFORMANCE.md). On PostgreSQL keep it at most 60: more
	// savepoints per transaction than its subtransaction cache holds (64)
	// slow every other session down.
	MaxBatch int
	// MaxBatchTime stops adding writes to a transaction once it has run
	// that long, so that a burst does not delay the first write's commit
	// without bound; default 20ms.
	MaxBatchTime time.Duration
	// Committers is how many grouped transactions may run at once on
	// PostgreSQL when MaxBatch turns grouping on (each on its own
	// connection; default 1). SQLite has one writer, hence one committer.
	Committers int
}

// Open opens the database named by rawURL: "postgres://…" or "postgresql://…"
// selects PostgreSQL; "sqlite:PATH", "file:PATH" or a plain path selects SQLite.
func Open(ctx context.Context, rawURL string, opt Options) (*DB, error) {
	if opt.MaxConns <= 0 {
		opt.MaxConns = 8
	}
	if opt.Synchronous == "" {
		opt.Synchronous = "FULL"
	}
	var db *DB
	var err error
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		db, err = openPostgres(rawURL, opt)
	case strings.Contains(rawURL, "://"):
		u, perr := url.Parse(rawURL)
		if perr != nil {
			return nil, fmt.Errorf("database URL is not a URL: %w", perr)
		}
		return nil, fmt.Errorf("database URL scheme %q is not supported (use postgres://… or a SQLite file path)", u.Scheme)
	default:
		db, err = openSQLite(rawURL, opt)
	}
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", db.dsn, err)
	}
	db.startGroupCommit(opt)
	return db, nil
}

// startGroupCommit starts the committers unless opt turns grouping off.
func (db *DB) startGroupCommit(opt Options) {
	maxBatch, committers := opt.MaxBatch, 1
	if maxBatch <= 0 {
		maxBatch = 128
		if db.engine == Postgres {
			maxBatch = 1
		}
	}
	if maxBatch == 1 {
		return
	}
	if db.engine == Postgres {
		// Leave connections to the readers, which share the pool.
		committers = max(min(opt.Committers, opt.MaxConns-1), 1)
	}
	maxTime := opt.MaxBatchTime
	if maxTime <= 0 {
		maxTime = 20 * time.Millisecond
	}
	db.group = newGroupCommit(db, committers, maxBatch, maxTime)
}

func openPostgres(rawURL string, opt Options) (*DB, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse PostgreSQL URL: %w", err)
	}
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(opt.MaxConns)
	sqldb.SetMaxIdleConns(opt.MaxConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{
		engine: Postgres,
		writer: sqldb,
		reader: sqldb,
		dsn:    fmt.Sprintf("PostgreSQL %s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database),
	}, nil
}

func openSQLite(rawPath string, opt Options) (*DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(rawPath, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, errors.New("SQLite database path is empty")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	pragmas := "_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(" + opt.Synchronous + ")&_time_format=sqlite&_txlock=immediate"
	// In an SQLite URI, '#' and '?' end the path and '%' escapes: a test's
	// temporary directory (".../sqlite#01/...") must not be cut short.
	uri := "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	writer, err := sql.Open("sqlite", uri+"?"+pragmas)
	if err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxIdleTime(0)
	writer.SetConnMaxLifetime(0)
	// Create the file and switch it to WAL before any reader opens it.
	if _, err := writer.Exec("SELECT 1"); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	// The database holds personal data: readable by its owner only.
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(f, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			writer.Close()
			return nil, fmt.Errorf("protect SQLite file %s: %w", f, err)
		}
	}
	reader, err := sql.Open("sqlite", uri+"?mode=ro&_pragma=foreign_keys(ON)&_pragma=busy_timeout(10000)&_time_format=sqlite")
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	reader.SetMaxOpenConns(opt.MaxConns)
	reader.SetMaxIdleConns(opt.MaxConns)
	return &DB{engine: SQLite, writer: writer, reader: reader, dsn: "SQLite " + path,
		writeStmts: newStmtCache(writer), readStmts: newStmtCache(reader)}, nil
}

// Engine reports which engine the database runs on.
func (db *DB) Engine() Engine { return db.engine }

// String describes the database without secrets, for logs.
func (db *DB) String() string { return db.dsn }

// Ping checks both pools can reach the database.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.writer.PingContext(ctx); err != nil {
		return classify(err)
	}
	if db.reader != db.writer {
		if err := db.reader.PingContext(ctx); err != nil {
			return classify(err)
		}
	}
	return nil
}

// Close lets queued writes finish, then closes both pools; Write fails
// with ErrClosed afterwards.
func (db *DB) Close() error {
	db.closed.Store(true)
	if db.group != nil {
		db.group.close()
	}
	db.writeStmts.close()
	db.readStmts.close()
	err := db.writer.Close()
	if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	return err
}

// Reader returns a Tx that runs each statement on its own on the read pool.
// Writes through it fail on SQLite, whose readers are opened read-only.
func (db *DB) Reader() *Tx {
	if db.readStmts != nil {
		return &Tx{q: cachedPool{db.reader, db.readStmts}, engine: db.engine}
	}
	return &Tx{q: db.reader, engine: db.engine}
}

// txQuerier runs statements in sqltx, through the statement cache on SQLite.
func (db *DB) txQuerier(sqltx *sql.Tx) querier {
	if db.writeStmts != nil {
		return cachedTx{sqltx, db.writeStmts}
	}
	return sqltx
}

// Write runs fn in a write transaction: when Write returns nil, fn's writes
// are committed; when fn returns an error, they are rolled back and Write
// returns it. It is the only way to change data, so that what a caller was
// told is committed has really been committed.
//
// Concurrent writes share transactions (group commit, groupcommit.go):
// fn runs on the caller's goroutine, inside a savepoint of a transaction
// that other writes share, and Write returns after the one commit. So fn
// sees the writes committed before it and those of the same batch ahead of
// it, as if the writes had run one after another; it must do nothing
// outside tx that assumes the commit (queue a job row instead), and should
// be short: a long fn delays the commit of the writes batched with it (use
// WriteAlone). fn must not call Write itself.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	if db.group == nil {
		return db.WriteAlone(ctx, fn)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return db.group.write(ctx, fn)
}

// WriteAlone is Write in a transaction of its own, never shared: for long
// work (migrations, a large batch) that would hold up the commit of the
// short writes grouped with it. On SQLite it still waits for the one writer.
func (db *DB) WriteAlone(ctx context.Context, fn func(tx *Tx) error) error {
	if db.closed.Load() {
		return ErrClosed
	}
	sqltx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", classify(err))
	}
	if err := fn(&Tx{q: db.txQuerier(sqltx), engine: db.engine}); err != nil {
		if rerr := sqltx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	return nil
}

// classify marks connection-level failures as ErrUnavailable.
func classify(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) {
		return err
	}
	msg := err.Error()
	for _, s := range []string{"connection refused", "connection reset", "broken pipe", "server closed the connection",
		"the database system is shutting down", "the database system is starting up", "terminating connection",
		"failed to connect", "no such host", "i/o timeout", "driver: bad connection", "unexpected EOF",
		"conn closed", "use of closed network connection"} {
		if strings.Contains(msg, s) {
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
	}
	return err
}

// wrap adds the operation to an error and turns sql.ErrNoRows into ErrNotFound.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", op, classify(err))
}

// stmtCache keeps the most used statements of one SQLite pool prepared on
// its connections: modernc's SQLite spends more time parsing a short
// statement than running it. A statement is prepared in the background
// the first time it is seen (its caller runs it unprepared meanwhile, so
// nobody waits for the single writer connection), and only statements with
// arguments are cached: the ones without are DDL and scripts, which may
// hold several statements. The least recently used are closed beyond max.
type stmtCache struct {
	pool  *sql.DB
	max   int
	queue chan string
	done  chan struct{}

	mu      sync.Mutex
	byQuery map[string]*list.Element // of *sql.Stmt, keyed by the query
	lru     list.List                // most recently used first
	seen    map[string]bool          // queued, or failed to prepare
	closed  bool
}

func newStmtCache(pool *sql.DB) *stmtCache {
	c := &stmtCache{pool: pool, max: 256, queue: make(chan string, 64), done: make(chan struct{}),
		byQuery: map[string]*list.Element{}, seen: map[string]bool{}}
	go c.prepareLoop()
	return c
}

type cachedStmt struct {
	query string
	stmt  *sql.Stmt
}

// get returns query prepared, or nil (and prepares it for next time).
func (c *stmtCache) get(query string, args int) *sql.Stmt {
	if args == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byQuery[query]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*cachedStmt).stmt
	}
	if !c.closed && !c.seen[query] && len(c.seen) < 4*c.max {
		select {
		case c.queue <- query:
			c.seen[query] = true
		default: // the preparer is behind; a later call asks again
		}
	}
	return nil
}

func (c *stmtCache) prepareLoop() {
	defer close(c.done)
	for q := range c.queue {
		st, err := c.pool.PrepareContext(context.Background(), q)
		if err != nil {
			continue // stays seen: not tried again
		}
		c.mu.Lock()
		c.byQuery[q] = c.lru.PushFront(&cachedStmt{q, st})
		delete(c.seen, q)
		var evicted []*sql.Stmt
		for c.lru.Len() > c.max {
			old := c.lru.Remove(c.lru.Back()).(*cachedStmt)
			delete(c.byQuery, old.query)
			evicted = append(evicted, old.stmt)
		}
		c.mu.Unlock()
		for _, st := range evicted {
			st.Close() // waits for its running uses
		}
	}
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	close(c.queue)
	c.mu.Unlock()
	<-c.done
	for el := c.lru.Front(); el != nil; el = el.Next() {
		el.Value.(*cachedStmt).stmt.Close()
	}
}

// cachedTx runs a write transaction's statements through the cache.
type cachedTx struct {
	tx    *sql.Tx
	cache *stmtCache
}

func (q cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.cache.get(query, len(args)); st != nil {
		return q.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.cache.get(query, len(args)); st != nil {
		return q.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.cache.get(query, len(args)); st != nil {
		return q.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}

// cachedPool runs the reader pool's statements through the cache.
type cachedPool struct {
	db    *sql.DB
	cache *stmtCache
}

func (q cachedPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.cache.get(query, len(args)); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.db.ExecContext(ctx, query, args...)
}

func (q cachedPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.cache.get(query, len(args)); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.db.QueryContext(ctx, query, args...)
}

func (q cachedPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.cache.get(query, len(args)); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.db.QueryRowContext(ctx, query, args...)
}

// sqlTx is the transaction under a write Tx, for what needs *sql.Tx itself.
func (tx *Tx) sqlTx() (*sql.Tx, bool) {
	switch q := tx.q.(type) {
	case *sql.Tx:
		return q, true
	case cachedTx:
		return q.tx, true
	case guardedQuerier:
		return (&Tx{q: q.q}).sqlTx()
	}
	return nil, false
}
