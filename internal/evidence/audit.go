package evidence

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// AuditReport is what Audit found.
type AuditReport struct {
	// Size is the number of integrated events; Pending those waiting.
	Size int64
	// Checkpoints is how many signed checkpoints were checked; Latest is
	// the size of the largest.
	Checkpoints int
	Latest      int64
	// Problems lists every disagreement found, in English, for operators;
	// empty means the stored log is intact.
	Problems []string
}

// OK reports whether the audit found nothing wrong.
func (r *AuditReport) OK() bool { return len(r.Problems) == 0 }

// maxProblems keeps a report of a badly damaged log readable.
const maxProblems = 50

// Audit recomputes the whole tree from the stored records and compares it
// with the stored hashes and with every signed checkpoint. It detects a
// record changed, deleted, inserted or moved, a stored hash changed, and a
// checkpoint whose signature or root does not match, unless whoever changed
// the data also holds the signing key. The error wraps ErrTampered when
// problems were found; the report lists them.
//
// It holds every stored hash in memory (about 64 bytes per event).
func (l *Log) Audit(ctx context.Context) (*AuditReport, error) {
	rep := &AuditReport{}
	problem := func(format string, args ...any) {
		if len(rep.Problems) < maxProblems {
			rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...))
		}
	}
	r := l.DB.Reader()
	var stored []tlog.Hash
	mem := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x < 0 || x >= int64(len(stored)) {
				return nil, fmt.Errorf("stored hash %d not computed", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})

	// 1. The records, in leaf order, with no gap.
	const page = 1000
	var n int64
	for {
		events, err := r.EvidenceEventsByLeaf(ctx, n, n+page)
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		for _, e := range events {
			if e.LeafIndex != n {
				problem("leaf %d is missing (the next stored event, %s, has leaf %d)", n, e.ID, e.LeafIndex)
				n = e.LeafIndex // carry on, to report more than the first problem
				for int64(len(stored)) < tlog.StoredHashIndex(0, n) {
					stored = append(stored, tlog.Hash{})
				}
			}
			h := RecordHash(e.Record)
			if !bytes.Equal(h[:], e.RecordHash) {
				problem("leaf %d (event %s): the record hash column does not match the record", n, e.ID)
			}
			if ev, err := ParseRecord(e.Record); err != nil {
				problem("leaf %d (event %s): %v", n, e.ID, err)
			} else if ev.ID != e.ID || string(ev.Type) != e.Type || !ev.Time.Equal(e.OccurredAt) || ev.NotificationID != e.NotificationID ||
				ev.InstitutionID != e.InstitutionID || ev.RecipientNUI.String() != e.RecipientNUI {
				problem("leaf %d (event %s): the indexed columns do not match the record", n, e.ID)
			}
			hs, err := tlog.StoredHashesForRecordHash(n, h, mem)
			if err != nil {
				return nil, fmt.Errorf("audit: leaf %d: %w", n, err)
			}
			stored = append(stored, hs...)
			n++
		}
		if len(events) < page {
			break
		}
	}
	rep.Size = n

	// 2. The stored hashes, every one, and nothing more.
	var from, next int64
	for {
		idx, hashes, err := r.EvidenceHashesFrom(ctx, from, page)
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		for i, x := range idx {
			if x > next && next < int64(len(stored)) {
				problem("stored hashes %d to %d are missing", next, min(x, int64(len(stored)))-1)
			}
			switch {
			case x >= int64(len(stored)):
				problem("stored hash %d is beyond a tree of %d records", x, n)
			case !bytes.Equal(hashes[i], stored[x][:]):
				level, k := tlog.SplitStoredHashIndex(x)
				problem("stored hash %d (level %d, node %d) differs from the one recomputed from the records", x, level, k)
			}
			next = x + 1
		}
		if len(idx) < page {
			break
		}
		from = next
	}
	if next < int64(len(stored)) {
		problem("stored hashes %d to %d are missing", next, len(stored)-1)
	}

	// 3. Every checkpoint: a valid signature by a known key, and the root of
	// the recomputed tree at its size.
	vkeys, err := l.verifierKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	known, err := Verifiers(vkeys...)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	cps, err := r.EvidenceCheckpoints(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	for _, c := range cps {
		rep.Checkpoints++
		rep.Latest = max(rep.Latest, c.Size)
		cp, err := OpenCheckpoint([]byte(c.Note), known)
		if err != nil {
			problem("checkpoint of size %d: %v", c.Size, err)
			continue
		}
		if cp.Size != c.Size || !bytes.Equal(cp.Root[:], c.Root) {
			problem("checkpoint of size %d: the size or root columns differ from the signed note", c.Size)
		}
		if cp.Size > n {
			problem("checkpoint of size %d is larger than the stored tree of %d records", cp.Size, n)
			continue
		}
		if cp.Size == 0 {
			continue
		}
		root, err := tlog.TreeHash(cp.Size, mem)
		if err != nil {
			return nil, fmt.Errorf("audit: tree hash at %d: %w", cp.Size, err)
		}
		if root != cp.Root {
			problem("checkpoint of size %d: the signed root %s is not the root of the stored records %s", cp.Size, cp.Root, root)
		}
	}
	if n > rep.Latest {
		problem("%d records are in the tree but no signed checkpoint covers them", n-rep.Latest)
	}
	if !rep.OK() {
		return rep, fmt.Errorf("%w: %s", ErrTampered, strings.Join(rep.Problems, "; "))
	}
	return rep, nil
}
