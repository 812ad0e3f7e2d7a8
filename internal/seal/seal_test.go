package seal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealOpenRoundTrip(t *testing.T) {
	kr, err := NewKeyring(key(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("notificación "), 1000)} {
		s, err := kr.Seal(msg, []byte("n1"))
		if err != nil {
			t.Fatal(err)
		}
		if len(msg) > 4 && bytes.Contains(s, msg[:5]) {
			t.Error("sealed data contains the plaintext")
		}
		got, err := kr.Open(s, []byte("n1"))
		if err != nil || !bytes.Equal(got, msg) {
			t.Errorf("Open = %q, %v", got, err)
		}
	}
}

func TestOpenRefusesTamperingAndWrongContext(t *testing.T) {
	kr, _ := NewKeyring(key(1))
	s, _ := kr.Seal([]byte("cuerpo de la notificación"), []byte("n1"))
	if _, err := kr.Open(s, []byte("n2")); !errors.Is(err, ErrOpen) {
		t.Errorf("opened under another context: %v", err)
	}
	for i := range s {
		bad := bytes.Clone(s)
		bad[i] ^= 1
		if _, err := kr.Open(bad, []byte("n1")); !errors.Is(err, ErrOpen) {
			t.Fatalf("a flip at byte %d went unnoticed: %v", i, err)
		}
	}
	if _, err := kr.Open(s[:20], []byte("n1")); !errors.Is(err, ErrOpen) {
		t.Errorf("a truncated value opened: %v", err)
	}
}

func TestRotationKeepsOldDataReadable(t *testing.T) {
	old, _ := NewKeyring(key(1))
	s, _ := old.Seal([]byte("antes"), nil)
	rotated, _ := NewKeyring(key(2), key(1))
	got, err := rotated.Open(s, nil)
	if err != nil || string(got) != "antes" {
		t.Fatalf("after rotation: %q, %v", got, err)
	}
	if SealedBy(s) != old.KeyID() || rotated.KeyID() == old.KeyID() {
		t.Errorf("key ids: sealed by %s, old %s, new %s", SealedBy(s), old.KeyID(), rotated.KeyID())
	}
	onlyNew, _ := NewKeyring(key(2))
	if _, err := onlyNew.Open(s, nil); !errors.Is(err, ErrOpen) {
		t.Errorf("opened without the sealing key: %v", err)
	}
}

func TestKeyFileIsCreatedPrivateAndReloaded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "master.key")
	k1, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created || len(k1) != KeySize {
		t.Fatalf("create: %v %v %d", err, created, len(k1))
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	k2, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Errorf("reload: created=%v err=%v same=%v", created, err, bytes.Equal(k1, k2))
	}
	os.WriteFile(path, []byte("short\n"), 0o600)
	if _, _, err := LoadOrCreateKeyFile(path); err == nil {
		t.Error("a malformed key file was accepted")
	}
}

func TestNewKeyringRejectsBadKeys(t *testing.T) {
	if _, err := NewKeyring(); err == nil {
		t.Error("empty keyring accepted")
	}
	if _, err := NewKeyring([]byte("short")); err == nil {
		t.Error("short key accepted")
	}
}

func FuzzOpen(f *testing.F) {
	kr, _ := NewKeyring(key(1))
	s, _ := kr.Seal([]byte("hola"), nil)
	f.Add(s)
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		// "hola" is the only text ever sealed under this key (each fuzzing
		// process seals its own copy, with fresh random keys): whatever opens
		// must be one of those seals, and anything else opening is a forgery.
		if pt, err := kr.Open(b, nil); err == nil && string(pt) != "hola" {
			t.Errorf("a forged value opened to %q", pt)
		}
	})
}
