package seal

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKeyFileRotationKeepsOldDataReadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	kr1, created, err := LoadKeyring(path)
	if err != nil || !created {
		t.Fatalf("first load: created=%v %v", created, err)
	}
	old, err := kr1.Seal([]byte("cuerpo"), []byte("n1"))
	if err != nil {
		t.Fatal(err)
	}
	first := kr1.KeyID()

	staged, err := AddKey(path, false)
	if err != nil {
		t.Fatal(err)
	}
	kr2, _, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{first, staged}, kr2.KeyIDs()); diff != "" {
		t.Errorf("staged keyring (-want +got):\n%s", diff)
	}
	if err := Promote(path, staged); err != nil {
		t.Fatal(err)
	}
	kr3, _, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{staged, first}, kr3.KeyIDs()); diff != "" {
		t.Errorf("promoted keyring (-want +got):\n%s", diff)
	}
	if pt, err := kr3.Open(old, []byte("n1")); err != nil || string(pt) != "cuerpo" {
		t.Errorf("data sealed before the rotation: %q, %v", pt, err)
	}
	fresh, _ := kr3.Seal([]byte("nuevo"), nil)
	if SealedBy(fresh) != staged {
		t.Errorf("new data sealed by %s, want %s", SealedBy(fresh), staged)
	}
	if _, err := kr1.Open(fresh, nil); !errors.Is(err, ErrOpen) {
		t.Errorf("a node that never loaded the new key opened new data: %v", err)
	}
	if err := Promote(path, "00000000"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("promote unknown key: %v", err)
	}
	rotated, err := AddKey(path, true)
	if err != nil {
		t.Fatal(err)
	}
	kr4, _, _ := LoadKeyring(path)
	if kr4.KeyID() != rotated || len(kr4.KeyIDs()) != 3 {
		t.Errorf("after rotate: %v, want %s first of 3", kr4.KeyIDs(), rotated)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", st.Mode().Perm())
	}
}

func FuzzReadKeys(f *testing.F) {
	f.Add("# comment\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
	f.Add("not base64")
	f.Fuzz(func(t *testing.T, s string) {
		path := filepath.Join(t.TempDir(), "k")
		os.WriteFile(path, []byte(s), 0o600)
		keys, err := readKeys(path)
		if err == nil {
			if _, err := NewKeyring(keys...); err != nil {
				t.Fatalf("readKeys accepted keys NewKeyring refuses: %v", err)
			}
		}
	})
}
