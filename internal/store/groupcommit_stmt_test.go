package store

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"testing"
)

// waitPrepared calls get until the cache holds query prepared.
func waitPrepared(c *stmtCache, query string) {
	for c.get(query, 1) == nil {
		runtime.Gosched()
	}
}

func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.WriteAlone(ctx, func(tx *Tx) error {
		_, err := tx.q.ExecContext(ctx, `CREATE TABLE c (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const insert = `INSERT INTO c (id, v) VALUES ($1, $2)`
	const read = `SELECT v FROM c WHERE id = $1`
	write := func(id int, v string, fail error) error {
		return db.Write(ctx, func(tx *Tx) error {
			if _, err := tx.q.ExecContext(ctx, insert, id, v); err != nil {
				return err
			}
			return fail
		})
	}
	value := func(id int) (string, error) {
		var v string
		err := db.Reader().q.QueryRowContext(ctx, read, id).Scan(&v)
		return v, err
	}
	// First uses run unprepared and queue the statements.
	if err := write(1, "uno", nil); err != nil {
		t.Fatal(err)
	}
	if v, err := value(1); err != nil || v != "uno" {
		t.Fatalf("read = %q, %v", v, err)
	}
	waitPrepared(db.writeStmts, insert)
	waitPrepared(db.readStmts, read)
	// Prepared, they behave the same: commits, rollbacks, errors.
	if err := write(2, "dos", nil); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := write(3, "tres", boom); !errors.Is(err, boom) {
		t.Fatalf("write = %v, want boom", err)
	}
	if err := write(2, "otra vez", nil); err == nil {
		t.Error("a repeated primary key was accepted through a prepared statement")
	}
	for id, want := range map[int]string{1: "uno", 2: "dos"} {
		if v, err := value(id); err != nil || v != want {
			t.Errorf("row %d = %q, %v; want %q", id, v, err, want)
		}
	}
	if _, err := value(3); err == nil {
		t.Error("a rolled-back row is visible")
	}
	// The readers stay read-only with prepared statements too.
	waitPrepared(db.readStmts, insert) // queued by this very attempt
	for range 2 {
		if _, err := db.Reader().q.ExecContext(ctx, insert, 9, "nueve"); err == nil {
			t.Fatal("a write through the reader pool succeeded")
		}
	}
}

func TestStatementCacheEvicts(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := db.readStmts
	c.mu.Lock()
	c.max = 2
	c.mu.Unlock()
	queries := []string{`SELECT $1 + 1`, `SELECT $1 + 2`, `SELECT $1 + 3`}
	for _, q := range queries {
		waitPrepared(c, q)
	}
	c.mu.Lock()
	_, first := c.byQuery[queries[0]]
	n := c.lru.Len()
	c.mu.Unlock()
	if first || n != 2 {
		t.Errorf("after three statements in a cache of two: first still cached %v, %d cached", first, n)
	}
	for i, q := range queries {
		var got int
		if err := db.Reader().q.QueryRowContext(ctx, q, 10).Scan(&got); err != nil || got != 11+i {
			t.Errorf("%s = %d, %v; want %d", q, got, err, 11+i)
		}
	}
	// Statements without arguments (DDL, scripts of several statements) are never cached.
	if c.get(`SELECT 1; SELECT 2`, 0) != nil {
		t.Error("a statement without arguments was cached")
	}
}
