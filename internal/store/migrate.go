package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrations live in one directory per engine, named NNNN_what.sql; a file is
// applied once, in its own transaction, in order of NNNN. Both directories
// hold the same numbers so the two engines always have the same schema.
//
//go:embed migrations
var migrationFS embed.FS

// Migration is one schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the engine's migrations in order.
func Migrations(e Engine) ([]Migration, error) {
	dir := path.Join("migrations", string(e))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, ent := range entries {
		name := ent.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", name)
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share a number", ms[i-1].Name, ms[i].Name)
		}
	}
	return ms, nil
}

const createMigrationTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// Migrate applies every pending migration and returns the names applied.
// Several processes may start at once against one PostgreSQL: an advisory
// lock makes them take turns.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	if _, err := db.writer.ExecContext(ctx, createMigrationTable); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", classify(err))
	}
	ms, err := Migrations(db.engine)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range ms {
		done := false
		err := db.Write(ctx, func(tx *Tx) error {
			if db.engine == Postgres {
				if _, err := tx.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727318)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				done = true
				return nil
			}
			if _, err := tx.q.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.q.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, micros(time.Now()))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if !done {
			applied = append(applied, m.Name)
		}
	}
	return applied, nil
}

// Pending returns the migrations not yet applied; /readyz reports not ready
// while any remain, so a node never serves against an older schema.
func (db *DB) Pending(ctx context.Context) ([]string, error) {
	ms, err := Migrations(db.engine)
	if err != nil {
		return nil, err
	}
	have := map[int]bool{}
	rows, err := db.reader.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		// No table yet means nothing is applied.
		if strings.Contains(err.Error(), "schema_migrations") {
			rows = nil
		} else {
			return nil, fmt.Errorf("read schema_migrations: %w", classify(err))
		}
	}
	if rows != nil {
		defer rows.Close()
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				return nil, err
			}
			have[v] = true
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var pending []string
	for _, m := range ms {
		if !have[m.Version] {
			pending = append(pending, m.Name)
		}
	}
	return pending, nil
}

// micros is how every time is stored: microseconds since the Unix epoch, UTC.
// One integer type sorts and compares the same on both engines.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros turns a stored time back into a UTC time; 0 is the zero time.
func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}
