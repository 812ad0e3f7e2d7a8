package evidence

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"buzon/internal/store"
)

// Record writes e into the evidence log as part of tx, so the event exists if
// and only if the change it records commits. It fills in the id (a UUIDv7)
// when empty, normalises the time to UTC microseconds and returns the id.
// It takes no global lock: the event gets its leaf index later, from the
// integrator.
func Record(ctx context.Context, tx *store.Tx, e Event) (string, error) {
	if e.ID == "" {
		e.ID = store.NewID()
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	rec, err := e.Encode()
	if err != nil {
		return "", fmt.Errorf("record %s event: %w", e.Type, err)
	}
	h := RecordHash(rec)
	row := &store.EvidenceEvent{
		ID:             e.ID,
		Type:           string(e.Type),
		OccurredAt:     e.Time,
		NotificationID: e.NotificationID,
		InstitutionID:  e.InstitutionID,
		RecipientNUI:   e.RecipientNUI.String(),
		Record:         rec,
		RecordHash:     h[:],
		RecordedAt:     time.Now(),
	}
	if err := tx.InsertEvidenceEvent(ctx, row); err != nil {
		return "", fmt.Errorf("record %s event: %w", e.Type, err)
	}
	return e.ID, nil
}

// Log integrates recorded events into the Merkle tree, signs checkpoints and
// answers proofs. One Log serves a process; any number of processes may run
// Integrate against one database at once.
type Log struct {
	DB   *store.DB
	Keys *Keys
	// Origin is the first line of every checkpoint: which log this is, such
	// as "buzon.example/evidence". Once the log has a checkpoint, its origin
	// stays (see Integrate).
	Origin string
	// BatchSize bounds the events integrated per transaction and checkpoint;
	// default 512.
	BatchSize int
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

func (l *Log) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Log) logger() *slog.Logger {
	if l.Logger != nil {
		return l.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Integrate gives every recorded event not yet in the tree the next leaf
// index, in the order recorded, stores the new tree hashes and signs a
// checkpoint after each batch. It returns the tree size reached. Only one
// integration runs at a time across all processes (an advisory lock on
// PostgreSQL, the single writer on SQLite); a caller that had to wait finds
// the work done and returns at once.
func (l *Log) Integrate(ctx context.Context) (int64, error) {
	// Most calls find nothing to do: answer those from the reader, without
	// queueing for the write lock behind deposits.
	r := l.DB.Reader()
	if pending, err := r.HasPendingEvidence(ctx); err == nil && !pending {
		size, err := r.EvidenceTreeSize(ctx)
		if err == nil && size == 0 {
			return 0, nil
		}
		if cp, cerr := r.LatestEvidenceCheckpoint(ctx); err == nil && cerr == nil && cp.Size == size {
			return size, nil
		}
	}
	for {
		size, more, err := l.integrateBatch(ctx)
		if err != nil || !more {
			return size, err
		}
	}
}

func (l *Log) integrateBatch(ctx context.Context) (size int64, more bool, err error) {
	batch := l.BatchSize
	if batch <= 0 {
		batch = 512
	}
	err = l.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.LockEvidenceTree(ctx); err != nil {
			return err
		}
		var err error
		if size, err = tx.EvidenceTreeSize(ctx); err != nil {
			return err
		}
		pending, err := tx.PendingEvidenceEvents(ctx, batch)
		if err != nil {
			return err
		}
		latest, err := tx.LatestEvidenceCheckpoint(ctx)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if latest != nil && latest.Size > size {
			return fmt.Errorf("%w: a checkpoint of %d records was signed but only %d are in the tree", ErrTampered, latest.Size, size)
		}
		if len(pending) == 0 && (size == 0 || latest != nil && latest.Size == size) {
			return nil
		}
		origin := l.Origin
		if latest != nil {
			// The origin names the log: a changed base URL must not fork it.
			if o, _, _, err := ParseCheckpointText(checkpointText(latest.Note)); err == nil && o != origin {
				if origin != "" {
					l.logger().Warn("evidence log origin differs from the configured one; keeping the log's", "log", o, "configured", origin)
				}
				origin = o
			}
		}
		now := l.now()
		hr := &overlayReader{tx: tx, ctx: ctx, extra: map[int64]tlog.Hash{}}
		var idx []int64
		var hashes [][]byte
		for _, e := range pending {
			h := RecordHash(e.Record)
			if !bytes.Equal(h[:], e.RecordHash) {
				return fmt.Errorf("integrate event %s: %w: its record hash column does not match its record", e.ID, ErrTampered)
			}
			stored, err := tlog.StoredHashesForRecordHash(size, h, hr)
			if err != nil {
				return fmt.Errorf("integrate event %s: %w", e.ID, err)
			}
			base := tlog.StoredHashIndex(0, size)
			for i, sh := range stored {
				hr.extra[base+int64(i)] = sh
				idx = append(idx, base+int64(i))
				hashes = append(hashes, bytes.Clone(sh[:]))
			}
			if err := tx.SetEvidenceLeaf(ctx, e.Seq, size, now); err != nil {
				return err
			}
			size++
		}
		if err := tx.InsertEvidenceHashes(ctx, idx, hashes); err != nil {
			return err
		}
		root, err := tlog.TreeHash(size, hr)
		if err != nil {
			return fmt.Errorf("tree hash at %d: %w", size, err)
		}
		cp, err := SignCheckpoint(l.Keys.Note, origin, size, root)
		if err != nil {
			return err
		}
		more = len(pending) == batch
		return tx.InsertEvidenceCheckpoint(ctx, &store.EvidenceCheckpoint{Size: size, Root: root[:], Note: string(cp.Note), CreatedAt: now})
	})
	if err != nil {
		return 0, false, fmt.Errorf("integrate evidence: %w", err)
	}
	return size, more, nil
}

// checkpointText returns the signed text of a note (before the blank line).
func checkpointText(msg string) []byte {
	i := bytes.Index([]byte(msg), []byte("\n\n"))
	if i < 0 {
		return []byte(msg)
	}
	return []byte(msg[:i+1])
}

// overlayReader reads stored hashes from the database, and those written in
// the current batch (not yet inserted) from memory.
type overlayReader struct {
	tx    *store.Tx
	ctx   context.Context
	extra map[int64]tlog.Hash
}

func (r *overlayReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	var at []int
	for i, x := range indexes {
		if h, ok := r.extra[x]; ok {
			out[i] = h
			continue
		}
		missing = append(missing, x)
		at = append(at, i)
	}
	if len(missing) == 0 {
		return out, nil
	}
	got, err := r.tx.EvidenceHashes(r.ctx, missing)
	if err != nil {
		return nil, err
	}
	for j, h := range got {
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("stored hash %d: %w: %d bytes", missing[j], ErrTampered, len(h))
		}
		copy(out[at[j]][:], h)
	}
	return out, nil
}

// Run integrates every interval (default 1 s) until ctx is cancelled, so a
// recorded event is in a signed checkpoint at most about one interval (plus
// the integration itself) after its transaction commits. It first checks,
// without any lock, whether anything waits.
func (l *Log) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		pending, err := l.DB.Reader().HasPendingEvidence(ctx)
		if err == nil && pending {
			_, err = l.Integrate(ctx)
		}
		if err != nil && ctx.Err() == nil {
			l.logger().Error("integrate evidence", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Latest returns the latest signed checkpoint.
func (l *Log) Latest(ctx context.Context) (*Checkpoint, error) {
	c, err := l.DB.Reader().LatestEvidenceCheckpoint(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoCheckpoint
	}
	if err != nil {
		return nil, fmt.Errorf("latest checkpoint: %w", err)
	}
	return storedCheckpoint(c)
}

func storedCheckpoint(c *store.EvidenceCheckpoint) (*Checkpoint, error) {
	origin, size, root, err := ParseCheckpointText(checkpointText(c.Note))
	if err != nil {
		return nil, err
	}
	return &Checkpoint{Origin: origin, Size: size, Root: root, Note: []byte(c.Note)}, nil
}

// hashReader reads stored hashes on the reader pool.
func (l *Log) hashReader(ctx context.Context) tlog.HashReader {
	return &overlayReader{tx: l.DB.Reader(), ctx: ctx}
}

// InclusionProof proves that the record at leaf index is in the tree of the
// given size, which must not exceed the latest signed checkpoint's.
func (l *Log) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if err := l.checkSize(ctx, size); err != nil {
		return nil, err
	}
	if index < 0 || index >= size {
		return nil, fmt.Errorf("%w: index %d is not in a tree of %d records", ErrOutOfRange, index, size)
	}
	p, err := tlog.ProveRecord(size, index, l.hashReader(ctx))
	if err != nil {
		return nil, fmt.Errorf("inclusion proof of %d in %d: %w", index, size, err)
	}
	return p, nil
}

// ConsistencyProof proves that the tree of size old is a prefix of the tree
// of size new, which must not exceed the latest signed checkpoint's.
func (l *Log) ConsistencyProof(ctx context.Context, old, new int64) (tlog.TreeProof, error) {
	if err := l.checkSize(ctx, new); err != nil {
		return nil, err
	}
	if old < 1 || old > new {
		return nil, fmt.Errorf("%w: old size %d must be between 1 and %d", ErrOutOfRange, old, new)
	}
	p, err := tlog.ProveTree(new, old, l.hashReader(ctx))
	if err != nil {
		return nil, fmt.Errorf("consistency proof from %d to %d: %w", old, new, err)
	}
	return p, nil
}

// TreeHash returns the root hash of the tree of the given size, which must
// not exceed the latest signed checkpoint's.
func (l *Log) TreeHash(ctx context.Context, size int64) (tlog.Hash, error) {
	if err := l.checkSize(ctx, size); err != nil {
		return tlog.Hash{}, err
	}
	return tlog.TreeHash(size, l.hashReader(ctx))
}

// LeafOfHash returns the leaf index of an integrated record by its hash.
func (l *Log) LeafOfHash(ctx context.Context, h tlog.Hash) (int64, error) {
	leaf, err := l.DB.Reader().EvidenceLeafOfHash(ctx, h[:])
	if errors.Is(err, store.ErrNotFound) {
		return 0, fmt.Errorf("record %s: %w", base64.StdEncoding.EncodeToString(h[:]), ErrNotFound)
	}
	return leaf, err
}

// RecordHashAt returns the record hash (the tree leaf) at a leaf index of
// the signed tree: what /evidence/records/{index} publishes instead of the
// record, which holds personal data.
func (l *Log) RecordHashAt(ctx context.Context, index int64) (tlog.Hash, error) {
	latest, err := l.Latest(ctx)
	if err != nil {
		return tlog.Hash{}, err
	}
	if index < 0 || index >= latest.Size {
		return tlog.Hash{}, fmt.Errorf("%w: index %d is not in the signed tree of %d records", ErrOutOfRange, index, latest.Size)
	}
	hs, err := l.hashReader(ctx).ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
	if err != nil {
		return tlog.Hash{}, err
	}
	return hs[0], nil
}

func (l *Log) checkSize(ctx context.Context, size int64) error {
	latest, err := l.Latest(ctx)
	if err != nil {
		return err
	}
	if size < 1 || size > latest.Size {
		return fmt.Errorf("%w: size %d must be between 1 and %d", ErrOutOfRange, size, latest.Size)
	}
	return nil
}

// PublishKeys lists the current public keys in the keys table (kept after a
// rotation), so /evidence/keys and Audit know every key ever used. The
// server calls it at start.
func (l *Log) PublishKeys(ctx context.Context) error {
	now := l.now()
	return l.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertEvidenceKey(ctx, &store.EvidenceKey{ID: NoteKeyID(l.Keys.VerifierKey), Kind: "note", Public: l.Keys.VerifierKey}, now); err != nil {
			return err
		}
		return tx.UpsertEvidenceKey(ctx, &store.EvidenceKey{ID: CertificateID(l.Keys.Certificate), Kind: "x509", Public: l.Keys.CertificatePEM()}, now)
	})
}

// PublicKey is one entry of /evidence/keys.
type PublicKey struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`   // "note" or "x509"
	Public    string    `json:"public"` // note verifier key, or PEM certificate(s)
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Current   bool      `json:"current"`
}

// PublicKeys returns every key the platform has signed evidence with, the
// current ones marked.
func (l *Log) PublicKeys(ctx context.Context) ([]PublicKey, error) {
	rows, err := l.DB.Reader().EvidenceKeys(ctx)
	if err != nil {
		return nil, err
	}
	cur := map[string]bool{NoteKeyID(l.Keys.VerifierKey): true, CertificateID(l.Keys.Certificate): true}
	out := make([]PublicKey, 0, len(rows)+2)
	listed := map[string]bool{}
	for _, k := range rows {
		listed[k.ID] = true
		out = append(out, PublicKey{ID: k.ID, Kind: k.Kind, Public: k.Public, FirstSeen: k.FirstSeen, LastSeen: k.LastSeen, Current: cur[k.ID]})
	}
	// The current keys are published even before PublishKeys could list them.
	if id := NoteKeyID(l.Keys.VerifierKey); !listed[id] {
		out = append(out, PublicKey{ID: id, Kind: "note", Public: l.Keys.VerifierKey, Current: true})
	}
	if id := CertificateID(l.Keys.Certificate); !listed[id] {
		out = append(out, PublicKey{ID: id, Kind: "x509", Public: l.Keys.CertificatePEM(), Current: true})
	}
	return out, nil
}

// verifierKeys returns every note verifier key in the keys table plus the
// current one (if the Log has keys: an audit from outside the server has
// only the table).
func (l *Log) verifierKeys(ctx context.Context) ([]string, error) {
	keys, err := l.DB.Reader().EvidenceKeys(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	if l.Keys != nil {
		out = append(out, l.Keys.VerifierKey)
	}
	for _, k := range keys {
		if k.Kind == "note" {
			out = append(out, k.Public)
		}
	}
	return out, nil
}

func base64Std(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
