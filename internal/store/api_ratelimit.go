package store

import (
	"context"
	"time"
)

// CountAPIRequest adds one request to an institution's fixed window starting
// at windowStart and returns the window's count so far. Every node shares
// the counter, so the limit holds across a cluster. The first request of a
// window deletes the institution's windows older than keepAfter.
func (tx *Tx) CountAPIRequest(ctx context.Context, institutionID string, windowStart, keepAfter time.Time) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `INSERT INTO api_rate_windows (institution_id, window_start, count) VALUES ($1, $2, 1)
		ON CONFLICT (institution_id, window_start) DO UPDATE SET count = api_rate_windows.count + 1
		RETURNING count`, institutionID, micros(windowStart)).Scan(&n)
	if err != nil {
		return 0, wrap("count API request", err)
	}
	if n == 1 {
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM api_rate_windows WHERE institution_id = $1 AND window_start < $2`,
			institutionID, micros(keepAfter)); err != nil {
			return 0, wrap("count API request", err)
		}
	}
	return n, nil
}
