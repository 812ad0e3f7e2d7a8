package evidence

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"buzon/internal/nui"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

var testNow = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// testKeys are made once: generating a certificate per test is slow.
var testKeys = sync.OnceValue(func() *Keys {
	k, err := GenerateKeys("buzon.test/evidence", testNow)
	if err != nil {
		panic(err)
	}
	return k
})

func newLog(db *store.DB) *Log {
	return &Log{DB: db, Keys: testKeys(), Origin: "buzon.test/evidence", Now: func() time.Time { return testNow }}
}

// testEvent is a valid event about notification n, distinct for each i.
func testEvent(n, i int) Event {
	return Event{
		Type:           []Type{Submitted, Deposited, AlertSent, Opened}[i%4],
		Time:           testNow.Add(time.Duration(i) * time.Second),
		Actor:          System,
		NotificationID: fmt.Sprintf("notif-%d", n),
		InstitutionID:  "inst-1",
		RecipientNUI:   "1714307103",
		ContentSHA256:  hashA,
		Details:        map[string]string{"i": fmt.Sprint(i)},
	}
}

func record(t testing.TB, db *store.DB, e Event) string {
	t.Helper()
	var id string
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = Record(context.Background(), tx, e)
		return err
	})
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	return id
}

// engine is a fresh migrated database with a raw connection beside it, the
// way someone with direct database access would tamper with it.
type engine struct {
	db  *store.DB
	url string
	raw *sql.DB
}

func runEngines(t *testing.T, fn func(t *testing.T, e engine)) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			url := storetest.URL(t, eng)
			db, err := store.Open(context.Background(), url, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			driver, dsn := "pgx", url
			if eng == store.SQLite {
				driver, dsn = "sqlite", "file:"+url+"?_pragma=busy_timeout(10000)"
			}
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { raw.Close() })
			fn(t, engine{db: db, url: url, raw: raw})
		})
	}
}

func latest(t *testing.T, l *Log) *Checkpoint {
	t.Helper()
	cp, err := l.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	known, err := Verifiers(l.Keys.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := OpenCheckpoint(cp.Note, known)
	if err != nil {
		t.Fatalf("latest checkpoint does not verify: %v", err)
	}
	return opened
}

// Many writers record at once while two integrators (as if two processes)
// run; in the end every event has exactly one leaf, every inclusion proof
// verifies, every checkpoint is consistent with the last, and the root is
// the one recomputed from the records.
func TestConcurrentRecordAndIntegrate(t *testing.T) {
	runEngines(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		other, err := store.Open(ctx, e.url, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		logs := []*Log{newLog(e.db), newLog(other)}
		logs[0].BatchSize = 7 // many small batches, many checkpoints

		const writers, each = 8, 25
		var wg, integrators sync.WaitGroup
		errc := make(chan error, writers*each+2)
		stop := make(chan struct{})
		committed := make(chan struct{}, 1)
		for _, l := range logs {
			integrators.Go(func() {
				for {
					select {
					case <-stop:
						return
					case <-committed:
					}
					if _, err := l.Integrate(ctx); err != nil {
						errc <- err
						return
					}
				}
			})
		}
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					db := []*store.DB{e.db, other}[i%2]
					err := db.Write(ctx, func(tx *store.Tx) error {
						_, err := Record(ctx, tx, testEvent(w, i))
						return err
					})
					if err != nil {
						errc <- err
					}
					select {
					case committed <- struct{}{}:
					default:
					}
				}
			})
		}
		wg.Wait()
		close(stop)
		integrators.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		size, err := logs[1].Integrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if size != writers*each {
			t.Fatalf("tree size %d, want %d", size, writers*each)
		}
		cp := latest(t, logs[0])
		if cp.Size != size {
			t.Fatalf("latest checkpoint size %d, want %d", cp.Size, size)
		}

		events, err := e.db.Reader().EvidenceEventsByLeaf(ctx, 0, size)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != int(size) {
			t.Fatalf("%d integrated events, want %d", len(events), size)
		}
		var leaves []tlog.Hash
		for i, ev := range events {
			if ev.LeafIndex != int64(i) {
				t.Fatalf("leaf %d holds index %d", i, ev.LeafIndex)
			}
			p, err := logs[i%2].InclusionProof(ctx, ev.LeafIndex, cp.Size)
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckInclusion(cp, ev.LeafIndex, ev.Record, p); err != nil {
				t.Errorf("event %s: %v", ev.ID, err)
			}
			leaves = append(leaves, RecordHash(ev.Record))
		}
		if root := merkleRoot(leaves); root != cp.Root {
			t.Errorf("checkpoint root %s, recomputed independently %s", cp.Root, root)
		}

		cps, err := e.db.Reader().EvidenceCheckpoints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) < 3 {
			t.Fatalf("only %d checkpoints were signed", len(cps))
		}
		for _, c := range cps {
			old, err := OpenCheckpoint([]byte(c.Note), noteVerifiers(t))
			if err != nil {
				t.Fatal(err)
			}
			p, err := logs[0].ConsistencyProof(ctx, old.Size, cp.Size)
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckConsistency(old, cp, p); err != nil {
				t.Errorf("checkpoint %d: %v", old.Size, err)
			}
		}
		if rep, err := logs[0].Audit(ctx); err != nil {
			t.Errorf("audit of an intact log: %v (%+v)", err, rep)
		}
	})
}

func noteVerifiers(t *testing.T) note.Verifiers {
	t.Helper()
	v, err := Verifiers(testKeys().VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// merkleRoot is RFC 6962's Merkle tree hash, written here from its
// definition rather than with tlog's stored hashes.
func merkleRoot(leaves []tlog.Hash) tlog.Hash {
	switch len(leaves) {
	case 0:
		return tlog.Hash{}
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return tlog.NodeHash(merkleRoot(leaves[:k]), merkleRoot(leaves[k:]))
}

func TestRecordIsPartOfTheTransaction(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("deposit failed")
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := Record(ctx, tx, testEvent(1, 1)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		l := newLog(db)
		size, err := l.Integrate(ctx)
		if err != nil || size != 0 {
			t.Fatalf("Integrate() = %d, %v; want 0 events", size, err)
		}
		if _, err := l.Latest(ctx); !errors.Is(err, ErrNoCheckpoint) {
			t.Fatalf("Latest() = %v, want ErrNoCheckpoint", err)
		}
	})
}

func TestRecordRefusesInvalidEventAndChangesNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ev := testEvent(1, 1)
		ev.RecipientNUI = nui.NUI("1234567890")
		err := db.Write(ctx, func(tx *store.Tx) error { _, err := Record(ctx, tx, ev); return err })
		if !errors.Is(err, ErrInvalidEvent) {
			t.Fatalf("Record() = %v, want ErrInvalidEvent", err)
		}
		if pending, _ := db.Reader().HasPendingEvidence(ctx); pending {
			t.Fatal("an invalid event was stored")
		}
	})
}

func TestIntegrateSignsOnceAndIsIdempotent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLog(db)
		for i := range 3 {
			record(t, db, testEvent(1, i))
		}
		for range 3 {
			if size, err := l.Integrate(ctx); err != nil || size != 3 {
				t.Fatalf("Integrate() = %d, %v", size, err)
			}
		}
		cps, err := db.Reader().EvidenceCheckpoints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) != 1 {
			t.Fatalf("%d checkpoints for one batch, want 1", len(cps))
		}
		cp := latest(t, l)
		if !strings.HasPrefix(string(cp.Note), "buzon.test/evidence\n3\n") {
			t.Errorf("checkpoint note:\n%s", cp.Note)
		}
	})
}

func TestOriginStaysWhenConfigurationChanges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLog(db)
		record(t, db, testEvent(1, 1))
		if _, err := l.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		l.Origin = "elsewhere.test/evidence"
		record(t, db, testEvent(1, 2))
		if _, err := l.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		if cp := latest(t, l); cp.Origin != "buzon.test/evidence" || cp.Size != 2 {
			t.Errorf("latest checkpoint %q size %d, want the original origin", cp.Origin, cp.Size)
		}
	})
}

func TestProofsRefuseSizesBeyondTheSignedTree(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newLog(db)
		record(t, db, testEvent(1, 1))
		record(t, db, testEvent(1, 2))
		if _, err := l.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		record(t, db, testEvent(1, 3)) // recorded, not integrated
		for _, c := range []struct{ index, size int64 }{{0, 3}, {2, 2}, {-1, 2}, {0, 0}} {
			if _, err := l.InclusionProof(ctx, c.index, c.size); !errors.Is(err, ErrOutOfRange) {
				t.Errorf("InclusionProof(%d, %d) = %v, want ErrOutOfRange", c.index, c.size, err)
			}
		}
		for _, c := range []struct{ old, new int64 }{{1, 3}, {0, 2}, {3, 2}} {
			if _, err := l.ConsistencyProof(ctx, c.old, c.new); !errors.Is(err, ErrOutOfRange) {
				t.Errorf("ConsistencyProof(%d, %d) = %v, want ErrOutOfRange", c.old, c.new, err)
			}
		}
		if _, err := l.RecordHashAt(ctx, 2); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("RecordHashAt(2) = %v, want ErrOutOfRange", err)
		}
		h, err := l.RecordHashAt(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if leaf, err := l.LeafOfHash(ctx, h); err != nil || leaf != 1 {
			t.Errorf("LeafOfHash = %d, %v; want 1", leaf, err)
		}
	})
}
