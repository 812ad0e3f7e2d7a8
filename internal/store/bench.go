package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The raw limits `buzon bench` compares the platform against: what the
// engine itself does with the simplest statements, durably, from this
// process. None of it is used by the platform.

// BenchRow is one row of the raw-insert table: a 1 KiB payload for one
// recipient, like a notification stripped to its bones.
type BenchRow struct {
	ID        int64
	Recipient string
	CreatedAt int64
	Payload   []byte
}

// CreateBenchTable creates the raw-insert table (dropping an old one), with
// the index a "latest rows of one recipient" query needs, as notifications have.
func (db *DB) CreateBenchTable(ctx context.Context) error {
	blob := "BLOB"
	if db.engine == Postgres {
		blob = "BYTEA"
	}
	for _, q := range []string{
		`DROP TABLE IF EXISTS bench_rows`,
		`CREATE TABLE bench_rows (id BIGINT PRIMARY KEY, recipient TEXT NOT NULL, created_at BIGINT NOT NULL, payload ` + blob + ` NOT NULL)`,
		`CREATE INDEX bench_rows_recipient ON bench_rows (recipient, created_at)`,
	} {
		if _, err := db.writer.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create bench table: %w", classify(err))
		}
	}
	return nil
}

// DropBenchTable removes the raw-insert table.
func (db *DB) DropBenchTable(ctx context.Context) error {
	_, err := db.writer.ExecContext(ctx, `DROP TABLE IF EXISTS bench_rows`)
	return wrap("drop bench table", err)
}

// BenchInsertOne inserts one row in a transaction of its own, never
// grouped: the raw figure of one durable commit per row.
func (db *DB) BenchInsertOne(ctx context.Context, r BenchRow) error {
	return db.WriteAlone(ctx, func(tx *Tx) error {
		_, err := tx.q.ExecContext(ctx, `INSERT INTO bench_rows (id, recipient, created_at, payload) VALUES ($1, $2, $3, $4)`,
			r.ID, r.Recipient, r.CreatedAt, r.Payload)
		return wrap("bench insert", err)
	})
}

// BenchInsertMany inserts rows in one transaction the fastest way the
// engine offers: COPY on PostgreSQL, multi-row INSERT on SQLite.
func (db *DB) BenchInsertMany(ctx context.Context, rows []BenchRow) error {
	vals := make([][]any, len(rows))
	for i, r := range rows {
		vals[i] = []any{r.ID, r.Recipient, r.CreatedAt, r.Payload}
	}
	return db.bulkInsert(ctx, "bench_rows", []string{"id", "recipient", "created_at", "payload"}, vals)
}

// BenchLatest runs the inbox's query shape — one recipient's newest 20
// notifications, unread first, by the inbox index — and returns how many
// rows it read. It is the raw figure the inbox page is compared with.
func (db *DB) BenchLatest(ctx context.Context, recipientID string) (int, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT `+notificationColumns+` FROM notifications n
		WHERE n.recipient_id = $1 ORDER BY n.unread DESC, n.deposited_at DESC, n.id DESC LIMIT 20`, recipientID)
	if err != nil {
		return 0, wrap("bench latest", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var s notificationScan
		if err := rows.Scan(s.targets()...); err != nil {
			return n, wrap("bench latest", err)
		}
		n++
	}
	return n, wrap("bench latest", rows.Err())
}

// bulkInsert writes rows into table in one transaction of its own: with
// COPY on PostgreSQL, with INSERTs of as many rows as SQLite's parameter
// limit allows otherwise.
func (db *DB) bulkInsert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if db.engine == Postgres {
		return db.copyFrom(ctx, table, cols, rows)
	}
	// modernc's SQLite binds parameters in time that grows with their
	// number per statement: a prepared INSERT of a few rows, run many
	// times, is fastest.
	perStmt := max(1, 256/len(cols))
	return db.WriteAlone(ctx, func(tx *Tx) error {
		stmts := map[int]*sql.Stmt{}
		defer func() {
			for _, s := range stmts {
				s.Close()
			}
		}()
		sqltx, ok := tx.sqlTx()
		if !ok {
			return errors.New("bulk insert: not a write transaction")
		}
		for start := 0; start < len(rows); start += perStmt {
			chunk := rows[start:min(start+perStmt, len(rows))]
			st := stmts[len(chunk)]
			if st == nil {
				var q strings.Builder
				q.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
				for i := range chunk {
					if i > 0 {
						q.WriteString(", ")
					}
					q.WriteString("(" + paramList(i*len(cols)+1, len(cols)) + ")")
				}
				var err error
				if st, err = sqltx.PrepareContext(ctx, q.String()); err != nil {
					return wrap("bulk insert into "+table, err)
				}
				stmts[len(chunk)] = st
			}
			args := make([]any, 0, len(chunk)*len(cols))
			for _, r := range chunk {
				if len(r) != len(cols) {
					return fmt.Errorf("bulk insert into %s: row has %d values for %d columns", table, len(r), len(cols))
				}
				args = append(args, r...)
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return wrap("bulk insert into "+table, err)
			}
		}
		return nil
	})
}

// copyFrom runs COPY through pgx on one connection of the pool, in a
// transaction of its own.
func (db *DB) copyFrom(ctx context.Context, table string, cols []string, rows [][]any) error {
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("copy into %s: %w", table, classify(err))
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("not a pgx connection")
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		if err != nil {
			return err
		}
		if int(n) != len(rows) {
			return fmt.Errorf("copied %d rows of %d", n, len(rows))
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return fmt.Errorf("copy into %s: %w", table, classify(err))
	}
	return nil
}

// DurabilitySettings reports the engine settings that decide whether a
// returned commit survives a crash, for the bench's report.
func (db *DB) DurabilitySettings(ctx context.Context) ([][2]string, error) {
	var out [][2]string
	if db.engine == Postgres {
		for _, name := range []string{"fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "commit_delay", "shared_buffers", "server_version"} {
			var v string
			if err := db.reader.QueryRowContext(ctx, `SELECT current_setting($1)`, name).Scan(&v); err != nil {
				return nil, wrap("setting "+name, err)
			}
			out = append(out, [2]string{name, v})
		}
		return out, nil
	}
	var sync, version string
	var mode string
	if err := db.writer.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
		return nil, wrap("pragma synchronous", err)
	}
	if err := db.writer.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return nil, wrap("pragma journal_mode", err)
	}
	if err := db.writer.QueryRowContext(ctx, `SELECT sqlite_version()`).Scan(&version); err != nil {
		return nil, wrap("sqlite version", err)
	}
	names := map[string]string{"0": "OFF", "1": "NORMAL", "2": "FULL", "3": "EXTRA"}
	if n, ok := names[sync]; ok {
		sync = n
	}
	return append(out, [2]string{"synchronous", sync}, [2]string{"journal_mode", mode}, [2]string{"sqlite_version", version}), nil
}
