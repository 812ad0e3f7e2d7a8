package evidence

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is a signed statement of the tree: its origin (which log), its
// size and its root hash. The text follows the C2SP tlog-checkpoint format,
// the one of Go's checksum database with an origin line:
//
//	buzon.example/evidence
//	1234
//	base64(root hash)
//
// and is signed as a golang.org/x/mod/sumdb/note signed note.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	// Note is the whole signed note (text, blank line, signature lines).
	Note []byte
}

// MaxCheckpointSize bounds a checkpoint note read from outside.
const MaxCheckpointSize = 8 << 10

// FormatCheckpoint returns the text a checkpoint signs.
func FormatCheckpoint(origin string, size int64, root tlog.Hash) []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// ValidOrigin reports whether s can be an origin line: printable UTF-8, no
// spaces, at most 255 bytes (the C2SP rule, so witnesses accept it).
func ValidOrigin(s string) bool {
	if s == "" || len(s) > 255 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '+' {
			return false
		}
	}
	return true
}

// ParseCheckpointText parses the signed text of a checkpoint (without its
// signatures). Extension lines after the root hash are refused: this log
// writes none.
func ParseCheckpointText(text []byte) (origin string, size int64, root tlog.Hash, err error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrMalformedCheckpoint, fmt.Sprintf(format, args...))
	}
	lines := strings.Split(string(text), "\n")
	if len(lines) != 4 || lines[3] != "" {
		return "", 0, root, bad("want 3 lines each ending in a newline, got %q", text)
	}
	if !ValidOrigin(lines[0]) {
		return "", 0, root, bad("origin %q", lines[0])
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", 0, root, bad("size %q", lines[1])
	}
	h, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	// The decoder skips carriage returns: only the canonical text is accepted.
	if err != nil || len(h) != tlog.HashSize || base64.StdEncoding.EncodeToString(h) != lines[2] {
		return "", 0, root, bad("root hash %q", lines[2])
	}
	copy(root[:], h)
	return lines[0], size, root, nil
}

// OpenCheckpoint verifies a signed checkpoint with the known keys and parses
// it. It fails unless at least one signature is by a known key and every
// signature by a known key is valid.
func OpenCheckpoint(msg []byte, known note.Verifiers) (*Checkpoint, error) {
	if len(msg) > MaxCheckpointSize {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformedCheckpoint, len(msg), MaxCheckpointSize)
	}
	n, err := openNote(msg, known)
	if err != nil {
		return nil, fmt.Errorf("checkpoint signature: %w", err)
	}
	origin, size, root, err := ParseCheckpointText([]byte(n.Text))
	if err != nil {
		return nil, err
	}
	return &Checkpoint{Origin: origin, Size: size, Root: root, Note: bytes.Clone(msg)}, nil
}

// SignCheckpoint signs the checkpoint text of a tree.
func SignCheckpoint(signer note.Signer, origin string, size int64, root tlog.Hash) (*Checkpoint, error) {
	if !ValidOrigin(origin) {
		return nil, fmt.Errorf("sign checkpoint: origin %q is not valid", origin)
	}
	msg, err := note.Sign(&note.Note{Text: string(FormatCheckpoint(origin, size, root))}, signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return &Checkpoint{Origin: origin, Size: size, Root: root, Note: msg}, nil
}

// Verifiers turns note verifier keys (as published at /evidence/keys) into
// what OpenCheckpoint needs.
func Verifiers(vkeys ...string) (note.Verifiers, error) {
	var list []note.Verifier
	seen := map[string]bool{}
	for _, k := range vkeys {
		k = strings.TrimSpace(k)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("note verifier key %q: %w", k, err)
		}
		list = append(list, v)
	}
	return note.VerifierList(list...), nil
}

// openNote is note.Open made strict, so that a signed note has one
// spelling: every signature must be by a known key, and its base64 must be
// canonical (note.Open ignores the unused bits of the last character).
func openNote(msg []byte, known note.Verifiers) (*note.Note, error) {
	n, err := note.Open(msg, known)
	if err != nil {
		return nil, err
	}
	if len(n.UnverifiedSigs) > 0 {
		return nil, fmt.Errorf("signature by an unknown key %s+%08x", n.UnverifiedSigs[0].Name, n.UnverifiedSigs[0].Hash)
	}
	_, sigs, _ := strings.Cut(string(msg), "\n\n")
	for _, line := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			return nil, errors.New("malformed signature line")
		}
		if _, err := base64.StdEncoding.Strict().DecodeString(line[i+1:]); err != nil {
			return nil, errors.New("signature is not canonical base64")
		}
	}
	return n, nil
}

// OriginFor derives the log's origin from the site's public base URL: its
// host (with the port, if any) and "/evidence", as in
// "buzon.gob.ec/evidence". The log keeps the origin of its first
// checkpoint afterwards (see Log.Origin).
func OriginFor(baseURL string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("evidence origin: base URL %q has no host", baseURL)
	}
	o := strings.ToLower(u.Host) + "/evidence"
	if !ValidOrigin(o) {
		return "", fmt.Errorf("evidence origin: %q is not a valid origin", o)
	}
	return o, nil
}
