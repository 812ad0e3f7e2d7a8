package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A key file holds one master key per line, in base64 ("#" starts a
// comment): the first line seals, every line opens. Rotation puts a new key
// on the first line and keeps the old ones below, so data sealed before
// stays readable while a background job rewraps it.

// LoadKeyring reads a key file of one or more keys, creating it with one
// fresh key when it does not exist (created then tells the caller to warn).
func LoadKeyring(path string) (kr *Keyring, created bool, err error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		key, created, err := LoadOrCreateKeyFile(path)
		if err != nil {
			return nil, false, err
		}
		kr, err := NewKeyring(key)
		return kr, created, err
	}
	keys, err := readKeys(path)
	if err != nil {
		return nil, false, err
	}
	kr, err = NewKeyring(keys...)
	return kr, false, err
}

// KeyIDs names every key of the keyring, the sealing one first.
func (kr *Keyring) KeyIDs() []string {
	ids := make([]string, len(kr.keys))
	for i, k := range kr.keys {
		ids[i] = fmt.Sprintf("%x", k.id)
	}
	return ids
}

func readKeys(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read master key %s: %w", path, err)
	}
	var keys [][]byte
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := base64.StdEncoding.DecodeString(line)
		if err != nil || len(k) != KeySize {
			return nil, fmt.Errorf("master key file %s, line %d: each key must be %d bytes in base64", path, i+1, KeySize)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("master key file %s holds no key", path)
	}
	return keys, nil
}

func writeKeys(path string, keys [][]byte) error {
	var b bytes.Buffer
	b.WriteString("# Buzón master keys: the first seals, all open. Keep every line until nothing sealed by it remains.\n")
	for _, k := range keys {
		b.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".master-key-*")
	if err != nil {
		return fmt.Errorf("write master keys: %w", err)
	}
	defer os.Remove(tmp.Name())
	// A key file that did not reach the disk must not replace the old one.
	_, err = tmp.Write(b.Bytes())
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write master keys: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("write master keys: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write master keys: %w", err)
	}
	return nil
}

// AddKey adds a fresh key to the key file and returns its id. With seal, the
// new key seals from the next start (a rotation); without, it only opens
// (staged): on several nodes, stage first and restart every node, then
// Promote, so that no node meets data sealed by a key it lacks.
func AddKey(path string, seal bool) (string, error) {
	keys, err := readKeys(path)
	if err != nil {
		return "", err
	}
	k := make([]byte, KeySize)
	rand.Read(k)
	if seal {
		keys = append([][]byte{k}, keys...)
	} else {
		keys = append(keys, k)
	}
	if err := writeKeys(path, keys); err != nil {
		return "", err
	}
	kr, _ := NewKeyring(k)
	return kr.KeyID(), nil
}

// ErrUnknownKey means no key of the file has the id given.
var ErrUnknownKey = errors.New("seal: no key with that id in the key file")

// Promote makes the key with id the sealing key, keeping the others.
func Promote(path, id string) error {
	keys, err := readKeys(path)
	if err != nil {
		return err
	}
	for i, k := range keys {
		kr, _ := NewKeyring(k)
		if kr.KeyID() == id {
			keys = append([][]byte{k}, append(keys[:i:i], keys[i+1:]...)...)
			return writeKeys(path, keys)
		}
	}
	return ErrUnknownKey
}
