package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// Keys lists the keys of every blob in the store, in no particular order,
// skipping temporary files: what a rewrap after a key rotation walks.
func (s *FS) Keys() ([]string, error) {
	var keys []string
	err := filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel, err := filepath.Rel(s.dir, p)
		if err != nil {
			return err
		}
		k := filepath.ToSlash(rel)
		if ValidKey(k) == nil {
			keys = append(keys, k)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("blob: list %s: %w", s.dir, err)
	}
	return keys, nil
}

// RewrapReport counts what RewrapAll did.
type RewrapReport struct {
	Blobs, Rewrapped int
}

// RewrapAll rewraps every blob of keys not sealed by the keyring's current
// master key (see Rewrap), calling progress after each one. A blob deleted
// meanwhile is skipped. It stops at the first other error: the job that
// runs it retries, and blobs already done are not redone.
func (s *Sealed) RewrapAll(ctx context.Context, keys []string, progress func(RewrapReport)) (RewrapReport, error) {
	var rep RewrapReport
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		done, err := s.Rewrap(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return rep, err
		}
		rep.Blobs++
		if done {
			rep.Rewrapped++
		}
		if progress != nil {
			progress(rep)
		}
	}
	return rep, nil
}
