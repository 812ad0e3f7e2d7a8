package store

import "context"

// QueuedWritesForTest counts the writes waiting for a committer, so tests
// can line writes up behind a blocked one and know they all wait.
func (db *DB) QueuedWritesForTest() int {
	g := db.group
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for r := g.head; r != nil; r = r.next {
		if r.state.Load() == reqWaiting {
			n++
		}
	}
	return n
}

// ExecArgsForTest runs a raw statement with arguments.
func (tx *Tx) ExecArgsForTest(ctx context.Context, q string, args ...any) error {
	_, err := tx.q.ExecContext(ctx, q, args...)
	return err
}

// CountForTest runs a query that returns one integer.
func (tx *Tx) CountForTest(ctx context.Context, q string, args ...any) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}
