package evidence

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// CheckInclusion verifies that record is the leaf at index of the tree a
// checkpoint signs.
func CheckInclusion(cp *Checkpoint, index int64, record []byte, proof tlog.RecordProof) error {
	if index < 0 || index >= cp.Size {
		return fmt.Errorf("leaf %d is not in a tree of %d records", index, cp.Size)
	}
	if err := tlog.CheckRecord(proof, cp.Size, cp.Root, index, RecordHash(record)); err != nil {
		return fmt.Errorf("inclusion of leaf %d in the tree of %d records: %w", index, cp.Size, err)
	}
	return nil
}

// CheckConsistency verifies that the tree signed by old is a prefix of the
// tree signed by new: nothing in old was changed, removed or reordered.
func CheckConsistency(old, new *Checkpoint, proof tlog.TreeProof) error {
	if old.Origin != new.Origin {
		return fmt.Errorf("checkpoints of different logs: %q and %q", old.Origin, new.Origin)
	}
	if old.Size > new.Size {
		return fmt.Errorf("the old checkpoint (%d records) is larger than the new one (%d)", old.Size, new.Size)
	}
	if old.Size == new.Size {
		if old.Root != new.Root {
			return fmt.Errorf("two different roots for a tree of %d records: the log was rewritten", old.Size)
		}
		return nil
	}
	if old.Size == 0 {
		return nil
	}
	if err := tlog.CheckTree(proof, new.Size, new.Root, old.Size, old.Root); err != nil {
		return fmt.Errorf("consistency of %d with %d records: %w", old.Size, new.Size, err)
	}
	return nil
}

// InclusionProofJSON is the body of GET /evidence/proof/inclusion.
type InclusionProofJSON struct {
	Index      int64    `json:"index"`
	Size       int64    `json:"size"`
	RecordHash string   `json:"record_hash"`
	Proof      []string `json:"proof"`
}

// ConsistencyProofJSON is the body of GET /evidence/proof/consistency, and
// the proof file `buzon verify --consistency` reads.
type ConsistencyProofJSON struct {
	Old   int64    `json:"old"`
	New   int64    `json:"new"`
	Proof []string `json:"proof"`
}

// EncodeHashes writes hashes in standard base64, as every proof does.
func EncodeHashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

// DecodeHashes reads hashes written by EncodeHashes.
func DecodeHashes(ss []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		b, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("hash %d: %q is not a base64 SHA-256", i, s)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// ParseConsistencyProof reads a consistency proof file.
func ParseConsistencyProof(b []byte) (*ConsistencyProofJSON, tlog.TreeProof, error) {
	var p ConsistencyProofJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, nil, fmt.Errorf("consistency proof: %w", err)
	}
	if len(p.Proof) > 128 {
		return nil, nil, fmt.Errorf("consistency proof: %d hashes is too many", len(p.Proof))
	}
	hs, err := DecodeHashes(p.Proof)
	if err != nil {
		return nil, nil, fmt.Errorf("consistency proof: %w", err)
	}
	return &p, hs, nil
}
