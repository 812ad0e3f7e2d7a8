package blob

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"buzon/internal/seal"
)

func TestRewrapAllAfterARotation(t *testing.T) {
	ctx := context.Background()
	old, _ := seal.NewKeyring(bytes.Repeat([]byte{1}, seal.KeySize))
	fs, err := NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	before := &Sealed{Store: fs, Keyring: old}
	for _, k := range []string{"a/1", "a/2", "b/3"} {
		if _, err := before.Put(ctx, k, strings.NewReader("anexo "+k)); err != nil {
			t.Fatal(err)
		}
	}
	rotated, _ := seal.NewKeyring(bytes.Repeat([]byte{2}, seal.KeySize), bytes.Repeat([]byte{1}, seal.KeySize))
	after := &Sealed{Store: fs, Keyring: rotated}
	keys, err := fs.Keys()
	if err != nil || len(keys) != 3 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	var seen []RewrapReport
	rep, err := after.RewrapAll(ctx, keys, func(r RewrapReport) { seen = append(seen, r) })
	if err != nil || rep != (RewrapReport{Blobs: 3, Rewrapped: 3}) || len(seen) != 3 {
		t.Fatalf("rewrap: %+v, %v, progress %v", rep, err, seen)
	}
	if rep, _ := after.RewrapAll(ctx, keys, nil); rep.Rewrapped != 0 {
		t.Errorf("second run rewrapped %d", rep.Rewrapped)
	}
	newOnly, _ := seal.NewKeyring(bytes.Repeat([]byte{2}, seal.KeySize))
	for _, k := range keys {
		by, _ := after.SealedBy(ctx, k)
		if by != rotated.KeyID() {
			t.Errorf("%s sealed by %s", k, by)
		}
		rc, err := (&Sealed{Store: fs, Keyring: newOnly}).Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "anexo "+k {
			t.Errorf("%s reads %q with the new key alone", k, b)
		}
	}
}
