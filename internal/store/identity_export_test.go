package store

import "context"

// ExecForTest runs a raw statement, for tests that prove what the schema refuses.
func (tx *Tx) ExecForTest(ctx context.Context, q string) error {
	_, err := tx.q.ExecContext(ctx, q)
	return err
}
