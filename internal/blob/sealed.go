package blob

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"buzon/internal/seal"
)

// ErrCorrupt means a sealed blob cannot be decrypted: it was altered, truncated,
// reordered, moved to another key, or sealed under a master key the keyring no
// longer holds (then the error also matches seal.ErrOpen).
var ErrCorrupt = errors.New("blob: sealed blob altered, truncated or undecryptable")

// DefaultChunkSize is the plaintext size of one sealed chunk: large enough that
// the 16-byte tag per chunk is noise, small enough to keep memory flat.
const DefaultChunkSize = 64 << 10

const (
	minChunkSize = 64
	maxChunkSize = 1 << 20
	tagSize      = 16
	nonceSize    = 12
	// maxWrapped bounds the wrapped data key read from a header: seal's layout is
	// 81 bytes for a 32-byte key; the slack admits a future format version.
	maxWrapped = 1024
)

// magic opens every sealed blob: "BZB" and the format version.
var magic = [4]byte{'B', 'Z', 'B', 1}

// Sealed encrypts blobs before they reach Store and decrypts them on the way out.
//
// Format: a header — magic(4) | chunk size(4, big-endian) | wrapped length(2) |
// wrapped data key — then the chunks: the plaintext cut into ChunkSize pieces
// (the last may be shorter, or empty for an empty blob), each sealed with
// AES-256-GCM under a random per-blob data key. A chunk's nonce is its index, and
// its additional data is the header prefix, the index and a final-chunk flag, so
// reordering, dropping, duplicating or truncating chunks fails to open. The data
// key is sealed by Keyring with the blob's key as context, so a blob copied under
// another key does not open either.
type Sealed struct {
	Store   Store
	Keyring *seal.Keyring
	// ChunkSize is the plaintext size of a chunk for new blobs; 0 means
	// DefaultChunkSize. Existing blobs keep the size written in their header.
	ChunkSize int
}

// Info describes the plaintext of a sealed blob, computed while it streamed
// through Put: what the evidence log and the download page show.
type Info struct {
	Size   int64    // plaintext bytes
	SHA256 [32]byte // of the plaintext
	Stored int64    // bytes in the underlying store (header, tags included)
}

// Hex returns the SHA-256 in lowercase hexadecimal.
func (i Info) Hex() string { return hex.EncodeToString(i.SHA256[:]) }

// Put encrypts r into the store under key, never holding more than a couple of
// chunks in memory, and returns the plaintext's size and SHA-256.
func (s *Sealed) Put(ctx context.Context, key string, r io.Reader) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	chunk := s.ChunkSize
	if chunk == 0 {
		chunk = DefaultChunkSize
	}
	if chunk < minChunkSize || chunk > maxChunkSize {
		return Info{}, fmt.Errorf("blob: chunk size %d outside %d–%d", chunk, minChunkSize, maxChunkSize)
	}
	dk := make([]byte, seal.KeySize)
	rand.Read(dk)
	wrapped, err := s.Keyring.Seal(dk, keyContext(key))
	if err != nil {
		return Info{}, fmt.Errorf("blob: seal data key of %s: %w", key, err)
	}
	aead, err := newGCM(dk)
	if err != nil {
		return Info{}, err
	}
	header := make([]byte, 0, 10+len(wrapped))
	header = append(header, magic[:]...)
	header = binary.BigEndian.AppendUint32(header, uint32(chunk))
	header = binary.BigEndian.AppendUint16(header, uint16(len(wrapped)))
	header = append(header, wrapped...)
	e := &encrypter{
		src:    r,
		aead:   aead,
		prefix: header[:8],
		chunk:  chunk,
		pt:     make([]byte, 0, chunk+1),
		ct:     make([]byte, 0, chunk+tagSize),
		out:    header,
		hash:   sha256.New(),
	}
	n, err := s.Store.Put(ctx, key, e)
	if err != nil {
		return Info{}, err
	}
	if !e.done {
		// A store must consume the whole stream; anything else would be a bug there.
		return Info{}, fmt.Errorf("blob: put %s: store stopped before the end of the stream", key)
	}
	info := Info{Size: e.n, Stored: n}
	e.hash.Sum(info.SHA256[:0])
	return info, nil
}

// Get opens the blob and returns a reader of its plaintext. The header is checked
// here (a wrong key or keyring fails at once); a damaged chunk makes Read fail
// with ErrCorrupt when it is reached, after the chunks before it were returned,
// so a caller streaming to a client must treat a late error as a failed download.
func (s *Sealed) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := s.Store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	d, err := newDecrypter(s.Keyring, key, rc)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("blob: open %s: %w", key, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{d, rc}, nil
}

// Delete removes the blob from the store.
func (s *Sealed) Delete(ctx context.Context, key string) error { return s.Store.Delete(ctx, key) }

// SealedBy returns the id of the master key that wrapped the blob's data key
// (see seal.Keyring.KeyID), reading only the header: after a rotation, blobs not
// sealed by the current key are the ones to Rewrap.
func (s *Sealed) SealedBy(ctx context.Context, key string) (string, error) {
	rc, err := s.Store.Get(ctx, key)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h, err := readHeader(bufio.NewReader(rc))
	if err != nil {
		return "", fmt.Errorf("blob: header of %s: %w", key, err)
	}
	return seal.SealedBy(h.wrapped), nil
}

// Rewrap re-seals the blob's data key under the keyring's current master key and
// rewrites the blob, copying the encrypted chunks unchanged (they depend on the
// data key only). It returns whether anything was rewritten: a blob already
// sealed by the current key is left alone.
func (s *Sealed) Rewrap(ctx context.Context, key string) (bool, error) {
	rc, err := s.Store.Get(ctx, key)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	br := bufio.NewReader(rc)
	h, err := readHeader(br)
	if err != nil {
		return false, fmt.Errorf("blob: rewrap %s: %w", key, err)
	}
	if seal.SealedBy(h.wrapped) == s.Keyring.KeyID() {
		return false, nil
	}
	dk, err := s.Keyring.Open(h.wrapped, keyContext(key))
	if err != nil {
		return false, fmt.Errorf("blob: rewrap %s: %w: %w", key, ErrCorrupt, err)
	}
	wrapped, err := s.Keyring.Seal(dk, keyContext(key))
	if err != nil {
		return false, fmt.Errorf("blob: rewrap %s: %w", key, err)
	}
	header := append(bytes.Clone(h.prefix[:8]), 0, 0)
	binary.BigEndian.PutUint16(header[8:], uint16(len(wrapped)))
	header = append(header, wrapped...)
	// The old file stays readable through rc while the store writes the new one
	// beside it and renames it into place.
	if _, err := s.Store.Put(ctx, key, io.MultiReader(bytes.NewReader(header), br)); err != nil {
		return false, fmt.Errorf("blob: rewrap %s: %w", key, err)
	}
	return true, nil
}

func keyContext(key string) []byte { return []byte("buzon/blob/v1:" + key) }

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return cipher.NewGCM(b)
}

func nonce(dst []byte, index uint64) []byte {
	dst = dst[:nonceSize]
	clear(dst[:4])
	binary.BigEndian.PutUint64(dst[4:], index)
	return dst
}

func chunkAAD(dst, prefix []byte, index uint64, final bool) []byte {
	dst = append(dst[:0], prefix...)
	dst = binary.BigEndian.AppendUint64(dst, index)
	if final {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// encrypter is the pull side of Put: reading from it yields the header, then
// sealed chunks of the source, hashing the plaintext as it goes.
type encrypter struct {
	src    io.Reader
	aead   cipher.AEAD
	prefix []byte // magic and chunk size: bound into every chunk
	chunk  int
	pt     []byte // plaintext, one byte past a chunk to learn whether it is the last
	ct     []byte
	out    []byte // bytes ready to be read
	nonce  [nonceSize]byte
	aad    []byte
	index  uint64
	n      int64
	hash   hash.Hash
	done   bool
	err    error
}

func (e *encrypter) Read(p []byte) (int, error) {
	for len(e.out) == 0 {
		if e.err != nil {
			return 0, e.err
		}
		if e.done {
			return 0, io.EOF
		}
		e.err = e.next()
	}
	n := copy(p, e.out)
	e.out = e.out[n:]
	return n, nil
}

func (e *encrypter) next() error {
	have := len(e.pt)
	m, err := io.ReadFull(e.src, e.pt[have:e.chunk+1])
	e.pt = e.pt[:have+m]
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		err = nil
	case err != nil:
		return fmt.Errorf("read attachment: %w", err)
	}
	final := len(e.pt) <= e.chunk
	plain := e.pt[:min(len(e.pt), e.chunk)]
	e.hash.Write(plain)
	e.n += int64(len(plain))
	e.aad = chunkAAD(e.aad, e.prefix, e.index, final)
	e.ct = e.aead.Seal(e.ct[:0], nonce(e.nonce[:], e.index), plain, e.aad)
	e.out = e.ct
	e.index++
	if final {
		e.done = true
		e.pt = e.pt[:0]
	} else {
		// Keep the look-ahead byte as the start of the next chunk.
		e.pt[0] = e.pt[e.chunk]
		e.pt = e.pt[:1]
	}
	return err
}

type header struct {
	prefix  [10]byte
	chunk   int
	wrapped []byte
}

func readHeader(r io.Reader) (header, error) {
	var h header
	if _, err := io.ReadFull(r, h.prefix[:]); err != nil {
		return h, fmt.Errorf("%w: short header", ErrCorrupt)
	}
	if !bytes.Equal(h.prefix[:4], magic[:]) {
		return h, fmt.Errorf("%w: not a sealed blob", ErrCorrupt)
	}
	h.chunk = int(binary.BigEndian.Uint32(h.prefix[4:8]))
	if h.chunk < minChunkSize || h.chunk > maxChunkSize {
		return h, fmt.Errorf("%w: chunk size %d", ErrCorrupt, h.chunk)
	}
	wl := int(binary.BigEndian.Uint16(h.prefix[8:10]))
	if wl == 0 || wl > maxWrapped {
		return h, fmt.Errorf("%w: wrapped key of %d bytes", ErrCorrupt, wl)
	}
	h.wrapped = make([]byte, wl)
	if _, err := io.ReadFull(r, h.wrapped); err != nil {
		return h, fmt.Errorf("%w: short header", ErrCorrupt)
	}
	return h, nil
}

// decrypter reads a sealed stream and returns its plaintext, chunk by chunk.
type decrypter struct {
	src    *bufio.Reader
	aead   cipher.AEAD
	prefix []byte
	chunk  int
	ct     []byte
	pt     []byte
	out    []byte
	nonce  [nonceSize]byte
	aad    []byte
	index  uint64
	done   bool
	err    error
}

func newDecrypter(kr *seal.Keyring, key string, r io.Reader) (*decrypter, error) {
	br := bufio.NewReader(r)
	h, err := readHeader(br)
	if err != nil {
		return nil, err
	}
	dk, err := kr.Open(h.wrapped, keyContext(key))
	if err != nil {
		return nil, fmt.Errorf("%w: data key: %w", ErrCorrupt, err)
	}
	aead, err := newGCM(dk)
	if err != nil {
		return nil, err
	}
	return &decrypter{
		src:    br,
		aead:   aead,
		prefix: h.prefix[:8],
		chunk:  h.chunk,
		ct:     make([]byte, h.chunk+tagSize),
		pt:     make([]byte, 0, h.chunk),
	}, nil
}

func (d *decrypter) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if d.done {
			return 0, io.EOF
		}
		d.err = d.next()
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

func (d *decrypter) next() error {
	m, err := io.ReadFull(d.src, d.ct)
	switch {
	case err == io.EOF:
		return fmt.Errorf("%w: missing chunk %d", ErrCorrupt, d.index)
	case err == io.ErrUnexpectedEOF:
		// A short chunk can only be the last one.
	case err != nil:
		return fmt.Errorf("read sealed blob: %w", err)
	default:
		// A full chunk is the last one when nothing follows it.
		if _, perr := d.src.Peek(1); perr == io.EOF {
			err = io.EOF
		} else if perr != nil {
			return fmt.Errorf("read sealed blob: %w", perr)
		}
	}
	final := err != nil
	if m < tagSize {
		return fmt.Errorf("%w: chunk %d cut short", ErrCorrupt, d.index)
	}
	d.aad = chunkAAD(d.aad, d.prefix, d.index, final)
	pt, oerr := d.aead.Open(d.pt[:0], nonce(d.nonce[:], d.index), d.ct[:m], d.aad)
	if oerr != nil {
		return fmt.Errorf("%w: chunk %d", ErrCorrupt, d.index)
	}
	d.out = pt
	d.index++
	d.done = final
	return nil
}
