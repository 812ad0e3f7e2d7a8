package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrNoSpace means the disk holding the blobs is full (or over quota). Nothing
// was stored; the operator must free space.
var ErrNoSpace = errors.New("blob: no space left on the blob disk")

// FS stores each blob as a file under a directory, a key's slashes becoming
// subdirectories. Writes are atomic: a blob is written to a temporary file in its
// final directory, flushed, renamed over its final name, and the directory is
// flushed, so a crash leaves either the whole old blob or the whole new one.
type FS struct {
	dir string
}

// NewFS returns a store rooted at dir, creating it (mode 0750) if needed.
func NewFS(dir string) (*FS, error) {
	if dir == "" {
		return nil, errors.New("blob: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("blob: create directory %s: %w", abs, classify(err))
	}
	return &FS{dir: abs}, nil
}

// Dir returns the absolute root directory, for logs and health checks.
func (s *FS) Dir() string { return s.dir }

func (s *FS) path(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	// ValidKey admits no dot and no backslash, so the joined path stays under dir.
	return filepath.Join(s.dir, filepath.FromSlash(key)), nil
}

// tmpPrefix starts the names of files being written; a key cannot contain a dot,
// so no key ever names one.
const tmpPrefix = ".tmp-"

// Put writes the blob atomically (see FS). On any failure, including a full disk
// (ErrNoSpace) or a failing r, the temporary file is removed and the previous blob
// under key, if any, is untouched.
func (s *FS) Put(ctx context.Context, key string, r io.Reader) (n int64, err error) {
	p, err := s.path(key)
	if err != nil {
		return 0, err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return 0, fmt.Errorf("blob: put %s: create directory: %w", key, classify(err))
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, classify(err))
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	n, err = io.Copy(f, ctxReader{ctx, r})
	if err != nil {
		return 0, fmt.Errorf("blob: put %s: write: %w", key, classify(err))
	}
	if err = f.Sync(); err != nil {
		return 0, fmt.Errorf("blob: put %s: flush: %w", key, classify(err))
	}
	if err = f.Close(); err != nil {
		return 0, fmt.Errorf("blob: put %s: close: %w", key, classify(err))
	}
	if err = os.Chmod(tmp, 0o640); err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err = os.Rename(tmp, p); err != nil {
		return 0, fmt.Errorf("blob: put %s: rename: %w", key, classify(err))
	}
	// The rename is durable only once the directory entry is; after this point the
	// blob is in place, so a failure is reported but the file is not removed.
	if err := syncDir(dir); err != nil {
		return n, fmt.Errorf("blob: put %s: flush directory: %w", key, classify(err))
	}
	return n, nil
}

// Get opens the blob's file. A key naming a directory is ErrNotFound.
func (s *FS) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("blob: get %s: %w", key, notFound(err))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob: get %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("blob: get %s: %w", key, ErrNotFound)
	}
	return f, nil
}

// Stat returns the size of the blob's file.
func (s *FS) Stat(ctx context.Context, key string) (int64, error) {
	p, err := s.path(key)
	if err != nil {
		return 0, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return 0, fmt.Errorf("blob: stat %s: %w", key, notFound(err))
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("blob: stat %s: %w", key, ErrNotFound)
	}
	return fi.Size(), nil
}

// Delete removes the blob's file; its now possibly empty directories are kept,
// since another Put may be creating a sibling at the same moment.
func (s *FS) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// Temporaries lists temporary files left by writes interrupted by a crash, as
// paths relative to the root, so a maintenance task can remove old ones.
func (s *FS) Temporaries() ([]string, error) {
	var out []string
	err := filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), tmpPrefix) {
			rel, err := filepath.Rel(s.dir, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("blob: list temporaries: %w", err)
	}
	return out, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// notFound maps "no such file", including a key whose parent is a blob
// ("a/b" when "a" is a file), to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%w (%v)", ErrNotFound, err)
	}
	return err
}

// classify adds ErrNoSpace to a disk-full error, keeping the cause.
func classify(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %w", ErrNoSpace, err)
	}
	return err
}
