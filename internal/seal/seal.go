// Package seal encrypts data at rest with envelope encryption: each sealed
// value gets its own random AES-256 data key, which is itself encrypted
// ("wrapped") under a master key. Rotating the master key then means
// rewrapping small data keys, not re-encrypting every attachment.
package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the size of master and data keys: AES-256.
const KeySize = 32

// ErrOpen means a sealed value could not be decrypted: it was altered, or
// sealed under a master key this Keyring does not hold.
var ErrOpen = errors.New("seal: cannot open sealed data (altered, or unknown master key)")

// Keyring holds the master keys: the first seals, all of them open, so data
// sealed before a rotation stays readable.
type Keyring struct {
	keys []masterKey
}

type masterKey struct {
	id   [4]byte // first bytes of SHA-256 of the key: names it without revealing it
	aead cipher.AEAD
}

// NewKeyring returns a keyring that seals with keys[0] and opens with any.
func NewKeyring(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("seal: no master key")
	}
	kr := &Keyring{}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("seal: master key %d has %d bytes, want %d", i+1, len(k), KeySize)
		}
		aead, err := newAEAD(k)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(k)
		var id [4]byte
		copy(id[:], sum[:4])
		kr.keys = append(kr.keys, masterKey{id: id, aead: aead})
	}
	return kr, nil
}

// KeyID names the sealing master key (hex), for logs and rotation status.
func (kr *Keyring) KeyID() string { return hex.EncodeToString(kr.keys[0].id[:]) }

const version = 1

// Seal encrypts plaintext. aad binds the ciphertext to its context (e.g. the
// notification id), so a sealed body moved to another row does not open.
// Layout: version(1) | master key id(4) | wrapped data key(12+32+16) | nonce(12) | ciphertext+tag.
func (kr *Keyring) Seal(plaintext, aad []byte) ([]byte, error) {
	dk := make([]byte, KeySize)
	rand.Read(dk)
	mk := kr.keys[0]
	wrapNonce := make([]byte, 12)
	rand.Read(wrapNonce)
	out := make([]byte, 0, 1+4+12+KeySize+16+12+len(plaintext)+16)
	out = append(out, version)
	out = append(out, mk.id[:]...)
	out = append(out, wrapNonce...)
	out = mk.aead.Seal(out, wrapNonce, dk, mk.id[:])
	aead, err := newAEAD(dk)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, 12)
	rand.Read(nonce)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, aad), nil
}

// Open decrypts what Seal produced with the same aad.
func (kr *Keyring) Open(sealed, aad []byte) ([]byte, error) {
	const head = 1 + 4 + 12 + KeySize + 16 + 12
	if len(sealed) < head+16 || sealed[0] != version {
		return nil, ErrOpen
	}
	var mk *masterKey
	for i := range kr.keys {
		if bytes.Equal(kr.keys[i].id[:], sealed[1:5]) {
			mk = &kr.keys[i]
			break
		}
	}
	if mk == nil {
		return nil, ErrOpen
	}
	dk, err := mk.aead.Open(nil, sealed[5:17], sealed[17:17+KeySize+16], mk.id[:])
	if err != nil {
		return nil, ErrOpen
	}
	aead, err := newAEAD(dk)
	if err != nil {
		return nil, err
	}
	pt, err := aead.Open(nil, sealed[head-12:head], sealed[head:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// SealedBy reports the id of the master key that sealed a value, so a
// background job can find what still needs rewrapping after a rotation.
func SealedBy(sealed []byte) string {
	if len(sealed) < 5 {
		return ""
	}
	return hex.EncodeToString(sealed[1:5])
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return cipher.NewGCM(block)
}

// LoadOrCreateKeyFile reads a master key file (the key in base64 on one line)
// or, when it does not exist, creates one with mode 0600. created tells the
// caller to warn that production must supply its own key.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, KeySize)
		rand.Read(key)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, false, fmt.Errorf("create master key directory: %w", err)
		}
		line := base64.StdEncoding.EncodeToString(key) + "\n"
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("create master key %s: %w", path, err)
		}
		if _, err := f.WriteString(line); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("write master key %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("write master key %s: %w", path, err)
		}
		return key, true, f.Close()
	}
	if err != nil {
		return nil, false, fmt.Errorf("read master key %s: %w", path, err)
	}
	key, err = base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != KeySize {
		return nil, false, fmt.Errorf("master key %s must hold %d bytes in base64 on one line", path, KeySize)
	}
	return key, false, nil
}
