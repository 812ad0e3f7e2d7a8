package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EvidenceEvent is one row of the evidence log. Record is the canonical
// encoding the tree commits to; the other columns are copied from it so that
// events can be found without parsing every record.
type EvidenceEvent struct {
	Seq            int64
	ID             string
	Type           string
	OccurredAt     time.Time
	NotificationID string
	InstitutionID  string
	RecipientNUI   string
	Record         []byte
	RecordHash     []byte
	// LeafIndex is the event's position in the tree, or -1 while it waits
	// for the integrator.
	LeafIndex    int64
	RecordedAt   time.Time
	IntegratedAt time.Time
}

// EvidenceCheckpoint is a signed checkpoint of the evidence tree.
type EvidenceCheckpoint struct {
	Size      int64
	Root      []byte
	Note      string
	CreatedAt time.Time
}

// EvidenceKey is a public key the platform signs evidence with, or signed
// with before a rotation.
type EvidenceKey struct {
	ID        string // the note key's name+hash, or the certificate's SHA-256
	Kind      string // "note" or "x509"
	Public    string // the note verifier key, or the certificate in PEM
	FirstSeen time.Time
	LastSeen  time.Time
}

const evidenceEventColumns = `seq, id, type, occurred_at, notification_id, institution_id, recipient_nui, record, record_hash, leaf_index, recorded_at, integrated_at`

// InsertEvidenceEvent records an event with no leaf index yet. It takes no
// lock beyond the row's own, so deposits in concurrent transactions do not
// wait for each other here.
func (tx *Tx) InsertEvidenceEvent(ctx context.Context, e *EvidenceEvent) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO evidence_events
		(id, type, occurred_at, notification_id, institution_id, recipient_nui, record, record_hash, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.ID, e.Type, micros(e.OccurredAt), e.NotificationID, e.InstitutionID, e.RecipientNUI, e.Record, e.RecordHash, micros(e.RecordedAt))
	return wrap("insert evidence event "+e.ID, err)
}

// LockEvidenceTree makes the calling write transaction the only one
// integrating evidence until it ends: an advisory lock on PostgreSQL; on
// SQLite the single writer connection already guarantees it.
func (tx *Tx) LockEvidenceTree(ctx context.Context) error {
	if tx.engine != Postgres {
		return nil
	}
	_, err := tx.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727319)`)
	return wrap("lock evidence tree", err)
}

// PendingEvidenceEvents returns up to limit events waiting for a leaf index,
// oldest recorded first.
func (tx *Tx) PendingEvidenceEvents(ctx context.Context, limit int) ([]EvidenceEvent, error) {
	return tx.evidenceEvents(ctx, "pending evidence events",
		`SELECT `+evidenceEventColumns+` FROM evidence_events WHERE leaf_index IS NULL ORDER BY seq LIMIT $1`, limit)
}

// HasPendingEvidence reports whether any event waits for a leaf index; the
// integrator asks it on the reader before taking the tree lock.
func (tx *Tx) HasPendingEvidence(ctx context.Context) (bool, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM evidence_events WHERE leaf_index IS NULL LIMIT 1) p`).Scan(&n)
	return n > 0, wrap("pending evidence", err)
}

// EvidenceTreeSize returns how many events have a leaf index.
func (tx *Tx) EvidenceTreeSize(ctx context.Context) (int64, error) {
	var n *int64
	if err := tx.q.QueryRowContext(ctx, `SELECT max(leaf_index) FROM evidence_events`).Scan(&n); err != nil {
		return 0, wrap("evidence tree size", err)
	}
	if n == nil {
		return 0, nil
	}
	return *n + 1, nil
}

// SetEvidenceLeaf gives a recorded event its leaf index.
func (tx *Tx) SetEvidenceLeaf(ctx context.Context, seq, leaf int64, now time.Time) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE evidence_events SET leaf_index = $2, integrated_at = $3 WHERE seq = $1 AND leaf_index IS NULL`,
		seq, leaf, micros(now))
	ok, err := affected("set evidence leaf "+strconv.FormatInt(leaf, 10), res, err)
	if err == nil && !ok {
		return fmt.Errorf("set evidence leaf %d: event %d already integrated: %w", leaf, seq, ErrNotFound)
	}
	return err
}

// InsertEvidenceHashes stores tree hashes by stored-hash index.
func (tx *Tx) InsertEvidenceHashes(ctx context.Context, idx []int64, hashes [][]byte) error {
	if len(idx) != len(hashes) {
		return fmt.Errorf("insert evidence hashes: %d indexes for %d hashes", len(idx), len(hashes))
	}
	const chunk = 500
	for start := 0; start < len(idx); start += chunk {
		end := min(start+chunk, len(idx))
		var q strings.Builder
		q.WriteString(`INSERT INTO evidence_hashes (idx, hash) VALUES `)
		args := make([]any, 0, 2*(end-start))
		for i := start; i < end; i++ {
			if i > start {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "($%d, $%d)", len(args)+1, len(args)+2)
			args = append(args, idx[i], hashes[i])
		}
		if _, err := tx.q.ExecContext(ctx, q.String(), args...); err != nil {
			return wrap("insert evidence hashes", err)
		}
	}
	return nil
}

// EvidenceHashes returns the stored hashes at the given indexes, in their
// order; a missing one is an ErrNotFound.
func (tx *Tx) EvidenceHashes(ctx context.Context, idx []int64) ([][]byte, error) {
	found := make(map[int64][]byte, len(idx))
	const chunk = 500
	for start := 0; start < len(idx); start += chunk {
		end := min(start+chunk, len(idx))
		var q strings.Builder
		q.WriteString(`SELECT idx, hash FROM evidence_hashes WHERE idx IN (`)
		args := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			if i > start {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "$%d", len(args)+1)
			args = append(args, idx[i])
		}
		q.WriteString(")")
		rows, err := tx.q.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, wrap("evidence hashes", err)
		}
		for rows.Next() {
			var i int64
			var h []byte
			if err := rows.Scan(&i, &h); err != nil {
				rows.Close()
				return nil, wrap("evidence hashes", err)
			}
			found[i] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrap("evidence hashes", err)
		}
	}
	out := make([][]byte, len(idx))
	for i, x := range idx {
		h, ok := found[x]
		if !ok {
			return nil, fmt.Errorf("evidence hash %d: %w", x, ErrNotFound)
		}
		out[i] = h
	}
	return out, nil
}

// EvidenceHashesFrom returns up to limit stored hashes with index from on,
// in index order, for an audit that recomputes the whole tree.
func (tx *Tx) EvidenceHashesFrom(ctx context.Context, from int64, limit int) (idx []int64, hashes [][]byte, err error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT idx, hash FROM evidence_hashes WHERE idx >= $1 ORDER BY idx LIMIT $2`, from, limit)
	if err != nil {
		return nil, nil, wrap("evidence hash range", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var h []byte
		if err := rows.Scan(&i, &h); err != nil {
			return nil, nil, wrap("evidence hash range", err)
		}
		idx, hashes = append(idx, i), append(hashes, h)
	}
	return idx, hashes, wrap("evidence hash range", rows.Err())
}

// InsertEvidenceCheckpoint stores a signed checkpoint.
func (tx *Tx) InsertEvidenceCheckpoint(ctx context.Context, c *EvidenceCheckpoint) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO evidence_checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, $4)`,
		c.Size, c.Root, c.Note, micros(c.CreatedAt))
	return wrap("insert evidence checkpoint", err)
}

// LatestEvidenceCheckpoint returns the checkpoint of the largest tree, the
// most recently signed among equals; ErrNotFound when there is none.
func (tx *Tx) LatestEvidenceCheckpoint(ctx context.Context) (*EvidenceCheckpoint, error) {
	return tx.evidenceCheckpoint(ctx, "latest evidence checkpoint",
		`SELECT size, root, note, created_at FROM evidence_checkpoints ORDER BY size DESC, seq DESC LIMIT 1`)
}

// EvidenceCheckpointAt returns the latest checkpoint signed for a tree of
// exactly size events.
func (tx *Tx) EvidenceCheckpointAt(ctx context.Context, size int64) (*EvidenceCheckpoint, error) {
	return tx.evidenceCheckpoint(ctx, "evidence checkpoint "+strconv.FormatInt(size, 10),
		`SELECT size, root, note, created_at FROM evidence_checkpoints WHERE size = $1 ORDER BY seq DESC LIMIT 1`, size)
}

func (tx *Tx) evidenceCheckpoint(ctx context.Context, op, q string, args ...any) (*EvidenceCheckpoint, error) {
	var c EvidenceCheckpoint
	var created int64
	if err := tx.q.QueryRowContext(ctx, q, args...).Scan(&c.Size, &c.Root, &c.Note, &created); err != nil {
		return nil, wrap(op, err)
	}
	c.CreatedAt = fromMicros(created)
	return &c, nil
}

// EvidenceCheckpoints returns every signed checkpoint, oldest first.
func (tx *Tx) EvidenceCheckpoints(ctx context.Context) ([]EvidenceCheckpoint, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT size, root, note, created_at FROM evidence_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, wrap("evidence checkpoints", err)
	}
	defer rows.Close()
	var out []EvidenceCheckpoint
	for rows.Next() {
		var c EvidenceCheckpoint
		var created int64
		if err := rows.Scan(&c.Size, &c.Root, &c.Note, &created); err != nil {
			return nil, wrap("evidence checkpoints", err)
		}
		c.CreatedAt = fromMicros(created)
		out = append(out, c)
	}
	return out, wrap("evidence checkpoints", rows.Err())
}

// EvidenceEvent returns one event by id.
func (tx *Tx) EvidenceEvent(ctx context.Context, id string) (*EvidenceEvent, error) {
	es, err := tx.evidenceEvents(ctx, "evidence event "+id, `SELECT `+evidenceEventColumns+` FROM evidence_events WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, fmt.Errorf("evidence event %s: %w", id, ErrNotFound)
	}
	return &es[0], nil
}

// EvidenceEventsOfNotification returns a notification's events in the order
// they happened.
func (tx *Tx) EvidenceEventsOfNotification(ctx context.Context, notificationID string) ([]EvidenceEvent, error) {
	return tx.evidenceEvents(ctx, "evidence events of notification "+notificationID,
		`SELECT `+evidenceEventColumns+` FROM evidence_events WHERE notification_id = $1 ORDER BY occurred_at, seq`, notificationID)
}

// EvidenceEventsByLeaf returns the integrated events with leaf index in
// [from, to), in leaf order.
func (tx *Tx) EvidenceEventsByLeaf(ctx context.Context, from, to int64) ([]EvidenceEvent, error) {
	return tx.evidenceEvents(ctx, "evidence events by leaf",
		`SELECT `+evidenceEventColumns+` FROM evidence_events WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index`, from, to)
}

// EvidenceLeafOfHash returns the leaf index of the integrated event whose
// record hash is h.
func (tx *Tx) EvidenceLeafOfHash(ctx context.Context, h []byte) (int64, error) {
	var leaf int64
	err := tx.q.QueryRowContext(ctx, `SELECT leaf_index FROM evidence_events WHERE record_hash = $1 AND leaf_index IS NOT NULL ORDER BY leaf_index LIMIT 1`, h).Scan(&leaf)
	return leaf, wrap("evidence leaf of hash", err)
}

func (tx *Tx) evidenceEvents(ctx context.Context, op, q string, args ...any) ([]EvidenceEvent, error) {
	rows, err := tx.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []EvidenceEvent
	for rows.Next() {
		var e EvidenceEvent
		var occurred, recorded int64
		var leaf, integrated sql.NullInt64
		if err := rows.Scan(&e.Seq, &e.ID, &e.Type, &occurred, &e.NotificationID, &e.InstitutionID, &e.RecipientNUI,
			&e.Record, &e.RecordHash, &leaf, &recorded, &integrated); err != nil {
			return nil, wrap(op, err)
		}
		e.OccurredAt, e.RecordedAt, e.IntegratedAt = fromMicros(occurred), fromMicros(recorded), fromMicros(integrated.Int64)
		e.LeafIndex = -1
		if leaf.Valid {
			e.LeafIndex = leaf.Int64
		}
		out = append(out, e)
	}
	return out, wrap(op, rows.Err())
}

// UpsertEvidenceKey lists a public key, or notes that it is still in use.
func (tx *Tx) UpsertEvidenceKey(ctx context.Context, k *EvidenceKey, now time.Time) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO evidence_keys (id, kind, public, first_seen, last_seen) VALUES ($1, $2, $3, $4, $4)
		ON CONFLICT (id) DO UPDATE SET last_seen = $4`, k.ID, k.Kind, k.Public, micros(now))
	return wrap("upsert evidence key "+k.ID, err)
}

// EvidenceKeys returns every public key ever used, oldest first.
func (tx *Tx) EvidenceKeys(ctx context.Context) ([]EvidenceKey, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id, kind, public, first_seen, last_seen FROM evidence_keys ORDER BY first_seen, id`)
	if err != nil {
		return nil, wrap("evidence keys", err)
	}
	defer rows.Close()
	var out []EvidenceKey
	for rows.Next() {
		var k EvidenceKey
		var first, last int64
		if err := rows.Scan(&k.ID, &k.Kind, &k.Public, &first, &last); err != nil {
			return nil, wrap("evidence keys", err)
		}
		k.FirstSeen, k.LastSeen = fromMicros(first), fromMicros(last)
		out = append(out, k)
	}
	return out, wrap("evidence keys", rows.Err())
}
