package evidence

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"buzon/internal/store"
)

// Each way someone with write access to the database could rewrite the
// evidence is caught by Audit (short of holding the signing key).
func TestAuditDetectsTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, ctx context.Context, e engine, l *Log)
		want   string
	}{
		{"change a byte of a record", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			rec := rawRecord(t, e.raw, 3)
			rec = []byte(strings.Replace(string(rec), "type: opened", "type: opened ", 1))
			rawExec(t, e.raw, `UPDATE evidence_events SET record = $1 WHERE leaf_index = 3`, rec)
		}, "record hash column does not match"},
		{"change a record and its hash column", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			rec := []byte(strings.Replace(string(rawRecord(t, e.raw, 3)), "type: opened", "type: alert_failed", 1))
			h := RecordHash(rec)
			rawExec(t, e.raw, `UPDATE evidence_events SET record = $1, record_hash = $2, type = 'alert_failed' WHERE leaf_index = 3`, rec, h[:])
		}, "differs from the one recomputed"},
		{"change an indexed column only", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			rawExec(t, e.raw, `UPDATE evidence_events SET recipient_nui = '0962467429' WHERE leaf_index = 2`)
		}, "indexed columns do not match"},
		{"delete an event", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			rawExec(t, e.raw, `DELETE FROM evidence_events WHERE leaf_index = 4`)
		}, "leaf 4 is missing"},
		{"delete the last event", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			rawExec(t, e.raw, `DELETE FROM evidence_events WHERE leaf_index = 9`)
		}, "larger than the stored tree"},
		{"swap two events", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			rawExec(t, e.raw, `UPDATE evidence_events SET leaf_index = -1 WHERE leaf_index = 1`)
			rawExec(t, e.raw, `UPDATE evidence_events SET leaf_index = 1 WHERE leaf_index = 2`)
			rawExec(t, e.raw, `UPDATE evidence_events SET leaf_index = 2 WHERE leaf_index = -1`)
		}, "differs from the one recomputed"},
		{"change a stored leaf hash", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			rawExec(t, e.raw, `UPDATE evidence_hashes SET hash = $1 WHERE idx = $2`, make([]byte, 32), tlog.StoredHashIndex(0, 5))
		}, "stored hash"},
		{"change a stored interior hash", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			rawExec(t, e.raw, `UPDATE evidence_hashes SET hash = $1 WHERE idx = $2`, make([]byte, 32), tlog.StoredHashIndex(1, 1))
		}, "level 1"},
		{"delete a stored hash", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			rawExec(t, e.raw, `DELETE FROM evidence_hashes WHERE idx = $1`, tlog.StoredHashIndex(0, 6))
		}, "are missing"},
		{"insert an event with a leaf", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			ev := testEvent(9, 1)
			ev.ID = "forged"
			rec, _ := ev.Encode()
			h := RecordHash(rec)
			rawExec(t, e.raw, `INSERT INTO evidence_events (id, type, occurred_at, notification_id, institution_id, recipient_nui, record, record_hash, leaf_index, recorded_at)
				VALUES ('forged', 'deposited', $1, 'notif-9', 'inst-1', '1714307103', $2, $3, 10, 0)`, ev.Time.UnixMicro(), rec, h[:])
		}, "no signed checkpoint covers them"},
		{"rewrite a record, every hash and the checkpoint columns, without the key", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			rec := []byte(strings.Replace(string(rawRecord(t, e.raw, 0)), "type: submitted", "type: rejected", 1))
			h := RecordHash(rec)
			rawExec(t, e.raw, `UPDATE evidence_events SET record = $1, record_hash = $2, type = 'rejected' WHERE leaf_index = 0`, rec, h[:])
			rebuildHashes(t, ctx, e)
		}, "is not the root of the stored records"},
		{"a checkpoint signed by another key", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			other, err := GenerateKeys("buzon.test/evidence", testNow)
			if err != nil {
				t.Fatal(err)
			}
			root, _ := l.TreeHash(ctx, 10)
			cp, err := SignCheckpoint(other.Note, "buzon.test/evidence", 10, root)
			if err != nil {
				t.Fatal(err)
			}
			rawExec(t, e.raw, `INSERT INTO evidence_checkpoints (size, root, note, created_at) VALUES (10, $1, $2, 0)`, root[:], string(cp.Note))
		}, "checkpoint of size 10"},
		{"a checkpoint's signed text changed", func(t *testing.T, ctx context.Context, e engine, l *Log) {
			rawExec(t, e.raw, `UPDATE evidence_checkpoints SET note = replace(note, 'buzon.test', 'buzon.evil') WHERE size = 10`)
		}, "checkpoint of size 10"},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			runEngines(t, func(t *testing.T, e engine) {
				ctx := context.Background()
				l := newLog(e.db)
				l.BatchSize = 4 // checkpoints at 4, 8 and 10
				for i := range 10 {
					record(t, e.db, testEvent(1, i))
				}
				if _, err := l.Integrate(ctx); err != nil {
					t.Fatal(err)
				}
				if rep, err := l.Audit(ctx); err != nil || rep.Size != 10 || rep.Checkpoints != 3 {
					t.Fatalf("audit before tampering: %+v, %v", rep, err)
				}
				c.tamper(t, ctx, e, l)
				rep, err := l.Audit(ctx)
				if !errors.Is(err, ErrTampered) {
					t.Fatalf("Audit() = %v, want ErrTampered", err)
				}
				if !strings.Contains(strings.Join(rep.Problems, "\n"), c.want) {
					t.Errorf("problems do not mention %q:\n%s", c.want, strings.Join(rep.Problems, "\n"))
				}
			})
		})
	}
}

func rawRecord(t *testing.T, raw *sql.DB, leaf int) []byte {
	t.Helper()
	var rec []byte
	if err := raw.QueryRow(`SELECT record FROM evidence_events WHERE leaf_index = $1`, leaf).Scan(&rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

func rawExec(t *testing.T, raw *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := raw.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// rebuildHashes recomputes every stored hash from the records, as a forger
// who understands the format would.
func rebuildHashes(t *testing.T, ctx context.Context, e engine) {
	t.Helper()
	events, err := e.db.Reader().EvidenceEventsByLeaf(ctx, 0, 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	var stored []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i, ev := range events {
		hs, err := tlog.StoredHashes(int64(i), ev.Record, r)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hs...)
	}
	rawExec(t, e.raw, `DELETE FROM evidence_hashes`)
	idx := make([]int64, len(stored))
	hs := make([][]byte, len(stored))
	for i := range stored {
		idx[i], hs[i] = int64(i), stored[i][:]
	}
	if err := e.db.Write(ctx, func(tx *store.Tx) error { return tx.InsertEvidenceHashes(ctx, idx, hs) }); err != nil {
		t.Fatal(err)
	}
	root, err := tlog.TreeHash(int64(len(events)), r)
	if err != nil {
		t.Fatal(err)
	}
	rawExec(t, e.raw, `UPDATE evidence_checkpoints SET root = $1 WHERE size = $2`, root[:], len(events))
}

// Integrate refuses to sign over a tree that lost events a checkpoint covers.
func TestIntegrateRefusesAShrunkenTree(t *testing.T) {
	runEngines(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		l := newLog(e.db)
		for i := range 3 {
			record(t, e.db, testEvent(1, i))
		}
		if _, err := l.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		rawExec(t, e.raw, `DELETE FROM evidence_events WHERE leaf_index = 2`)
		record(t, e.db, testEvent(1, 4))
		if _, err := l.Integrate(ctx); !errors.Is(err, ErrTampered) {
			t.Fatalf("Integrate() = %v, want ErrTampered", err)
		}
	})
}
