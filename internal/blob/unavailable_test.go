package blob

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestUnwritable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{ErrInvalidKey, false},
		{errors.New("short read"), false},
		{fmt.Errorf("put: %w: %w", ErrNoSpace, syscall.ENOSPC), true},
		{&os.PathError{Op: "open", Path: "x", Err: syscall.EROFS}, true},
		{&os.PathError{Op: "mkdir", Path: "x", Err: syscall.ENOTDIR}, true},
	}
	for _, tt := range tests {
		if got := Unwritable(tt.err); got != tt.want {
			t.Errorf("Unwritable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// The real file system refuses: the store's directory has become a file
// (root ignores permissions, so a read-only directory would not fail).
func TestPutIntoAVanishedDirectoryIsUnwritableAndLeavesNothing(t *testing.T) {
	root := filepath.Join(t.TempDir(), "adjuntos")
	s, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(root, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = s.Put(context.Background(), "a/b", strings.NewReader("contenido"))
	if !Unwritable(err) {
		t.Fatalf("Put = %v, want an unwritable-store error", err)
	}
	if b, _ := os.ReadFile(root); string(b) != "not a directory" {
		t.Errorf("the file in the way was changed: %q", b)
	}
}
