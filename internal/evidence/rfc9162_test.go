package evidence

import (
	"context"
	"crypto/sha256"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// The proofs the log serves are RFC 9162 (RFC 6962) proofs: checked here
// with the RFC's own verification algorithms (§2.1.3.2 and §2.1.4.2),
// written from the text, not with tlog.
func TestProofsFollowRFC9162(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	l := newLog(db)
	const n = 21
	var leaves []tlog.Hash
	for i := range n {
		record(t, db, testEvent(1, i))
	}
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	events, err := db.Reader().EvidenceEventsByLeaf(ctx, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		leaves = append(leaves, RecordHash(e.Record))
	}
	for size := int64(1); size <= n; size++ {
		root := merkleRoot(leaves[:size])
		for i := int64(0); i < size; i++ {
			p, err := tlog.ProveRecord(size, i, l.hashReader(ctx))
			if err != nil {
				t.Fatal(err)
			}
			if !rfcInclusion(i, size, leaves[i], p, root) {
				t.Errorf("inclusion of %d in %d does not verify by RFC 9162", i, size)
			}
		}
		for old := int64(1); old < size; old++ {
			p, err := tlog.ProveTree(size, old, l.hashReader(ctx))
			if err != nil {
				t.Fatal(err)
			}
			if !rfcConsistency(old, size, merkleRoot(leaves[:old]), root, p) {
				t.Errorf("consistency of %d with %d does not verify by RFC 9162", old, size)
			}
		}
	}
}

func node(l, r tlog.Hash) tlog.Hash {
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func rfcInclusion(index, size int64, leaf tlog.Hash, path []tlog.Hash, root tlog.Hash) bool {
	if index >= size {
		return false
	}
	fn, sn, r := index, size-1, leaf
	for _, p := range path {
		if sn == 0 {
			return false
		}
		if fn&1 == 1 || fn == sn {
			r = node(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = node(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	return sn == 0 && r == root
}

func rfcConsistency(first, second int64, firstHash, secondHash tlog.Hash, path []tlog.Hash) bool {
	if first&(first-1) == 0 {
		path = append([]tlog.Hash{firstHash}, path...)
	}
	if len(path) == 0 {
		return false
	}
	fn, sn := first-1, second-1
	for fn&1 == 1 {
		fn >>= 1
		sn >>= 1
	}
	fr, sr := path[0], path[0]
	for _, c := range path[1:] {
		if sn == 0 {
			return false
		}
		if fn&1 == 1 || fn == sn {
			fr, sr = node(c, fr), node(c, sr)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			sr = node(sr, c)
		}
		fn >>= 1
		sn >>= 1
	}
	return fr == firstHash && sr == secondHash && sn == 0
}
