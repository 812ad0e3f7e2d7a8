package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func newFS(t *testing.T) *FS {
	t.Helper()
	s, err := NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// failingReader yields n bytes, then fails: a client that disconnects mid-upload.
type failingReader struct {
	n   int
	err error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, r.err
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	r.n -= k
	return k, nil
}

// files lists every file under the store's root, relative and slash-separated.
func files(t *testing.T, s *FS) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(s.Dir(), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(s.Dir(), p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func TestFSRoundTripAndOverwrite(t *testing.T) {
	ctx := context.Background()
	s := newFS(t)
	for _, content := range []string{"primera versión", "", "segunda versión, más larga que la primera"} {
		n, err := s.Put(ctx, "anexos/ab/n-1", bytes.NewReader([]byte(content)))
		if err != nil || n != int64(len(content)) {
			t.Fatalf("Put = %d, %v", n, err)
		}
		size, err := s.Stat(ctx, "anexos/ab/n-1")
		if err != nil || size != int64(len(content)) {
			t.Fatalf("Stat = %d, %v", size, err)
		}
		rc, err := s.Get(ctx, "anexos/ab/n-1")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if diff := cmp.Diff(content, string(got)); diff != "" {
			t.Errorf("content (-want +got):\n%s", diff)
		}
	}
	if diff := cmp.Diff([]string{"anexos/ab/n-1"}, files(t, s)); diff != "" {
		t.Errorf("files on disk (-want +got):\n%s", diff)
	}
	fi, _ := os.Stat(filepath.Join(s.Dir(), "anexos", "ab", "n-1"))
	if fi.Mode().Perm()&0o007 != 0 {
		t.Errorf("blob readable by others: %v", fi.Mode())
	}
}

func TestFSMissingAndDelete(t *testing.T) {
	ctx := context.Background()
	s := newFS(t)
	s.Put(ctx, "a/b", bytes.NewReader([]byte("x")))
	for _, key := range []string{"nada", "a", "a/b/c", "x/y"} {
		if _, err := s.Get(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", key, err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat(%q) = %v, want ErrNotFound", key, err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Errorf("Delete(%q) = %v, want nil", key, err)
		}
	}
	if err := s.Delete(ctx, "a/b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "a/b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after Delete: %v", err)
	}
	if err := s.Delete(ctx, "a/b"); err != nil {
		t.Errorf("second Delete = %v", err)
	}
}

func TestFSRefusesTraversal(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s, _ := NewFS(filepath.Join(root, "blobs"))
	os.WriteFile(filepath.Join(root, "secreto"), []byte("clave"), 0o600)
	for _, key := range []string{"../secreto", "/etc/passwd", "..", "a/../../secreto", `..\secreto`, ".tmp-1"} {
		if _, err := s.Get(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, err := s.Put(ctx, key, bytes.NewReader(nil)); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(root, "secreto")); string(b) != "clave" {
		t.Error("file outside the store was changed")
	}
}

func TestFSFailedWriteLeavesNothingAndKeepsOldBlob(t *testing.T) {
	ctx := context.Background()
	s := newFS(t)
	if _, err := s.Put(ctx, "k/v", bytes.NewReader([]byte("antigua"))); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	broken := errors.New("conexión cortada")
	for name, put := range map[string]func() error{
		"reader fails mid-stream": func() error {
			_, err := s.Put(ctx, "k/v", &failingReader{n: 100_000, err: broken})
			if !errors.Is(err, broken) {
				return fmt.Errorf("error %v does not carry the cause", err)
			}
			return err
		},
		"context cancelled": func() error {
			_, err := s.Put(cancelled, "k/v", bytes.NewReader([]byte("nueva")))
			if !errors.Is(err, context.Canceled) {
				return fmt.Errorf("error %v is not context.Canceled", err)
			}
			return err
		},
		"new blob fails": func() error {
			_, err := s.Put(ctx, "k/w", &failingReader{n: 10, err: broken})
			return err
		},
	} {
		if err := put(); err == nil {
			t.Errorf("%s: Put succeeded", name)
		}
		if diff := cmp.Diff([]string{"k/v"}, files(t, s)); diff != "" {
			t.Errorf("%s: files left (-want +got):\n%s", name, diff)
		}
		rc, err := s.Get(ctx, "k/v")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "antigua" {
			t.Errorf("%s: old blob became %q", name, b)
		}
	}
	tmps, err := s.Temporaries()
	if err != nil || len(tmps) != 0 {
		t.Errorf("Temporaries = %v, %v", tmps, err)
	}
}

func TestFSUnwritablePlaceGivesClearError(t *testing.T) {
	ctx := context.Background()
	s := newFS(t)
	s.Put(ctx, "a", bytes.NewReader([]byte("x")))
	// "a" is a file, so no directory "a" can hold "a/b": the write must fail and
	// leave nothing, as on a read-only or broken disk.
	_, err := s.Put(ctx, "a/b", bytes.NewReader([]byte("y")))
	if err == nil {
		t.Fatal("Put under a file succeeded")
	}
	if !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("error %v hides its cause", err)
	}
	if diff := cmp.Diff([]string{"a"}, files(t, s)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if _, err := NewFS(filepath.Join(s.Dir(), "a", "sub")); err == nil {
		t.Error("NewFS under a file succeeded")
	}
}

func TestFSTemporariesListsLeftovers(t *testing.T) {
	s := newFS(t)
	os.MkdirAll(filepath.Join(s.Dir(), "x"), 0o750)
	os.WriteFile(filepath.Join(s.Dir(), "x", tmpPrefix+"123"), []byte("medio"), 0o600)
	got, err := s.Temporaries()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"x/" + tmpPrefix + "123"}, got); diff != "" {
		t.Errorf("Temporaries (-want +got):\n%s", diff)
	}
}

func TestClassifyMarksDiskFull(t *testing.T) {
	for _, tc := range []struct {
		err     error
		noSpace bool
	}{
		{&fs.PathError{Op: "write", Path: "/x", Err: syscall.ENOSPC}, true},
		{&fs.PathError{Op: "write", Path: "/x", Err: syscall.EDQUOT}, true},
		{&fs.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}, false},
		{io.ErrUnexpectedEOF, false},
	} {
		got := classify(tc.err)
		if errors.Is(got, ErrNoSpace) != tc.noSpace || !errors.Is(got, tc.err) {
			t.Errorf("classify(%v) = %v", tc.err, got)
		}
	}
}
