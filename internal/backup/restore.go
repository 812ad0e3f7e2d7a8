package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"buzon/internal/store"
)

// maxManifest bounds the manifest a restore reads into memory.
const maxManifest = 64 << 20

// Restore puts the backup read from r into an empty data directory and an
// empty database (an SQLite file that does not exist yet, or a PostgreSQL
// database without Buzón's tables; a dumped schema comes back under its own
// name). Every entry is checked against the manifest before the database is
// put in place; on any error the destination must be emptied before trying
// again.
func Restore(ctx context.Context, o Options, r io.Reader) (*Manifest, error) {
	if err := emptyDir(o.Data); err != nil {
		return nil, err
	}
	if !o.postgres() {
		if _, err := os.Stat(o.sqlitePath()); err == nil {
			return nil, fmt.Errorf("%w (%s exists)", ErrNotEmpty, o.sqlitePath())
		}
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	tr := tar.NewReader(gz)
	dbTemp := filepath.Join(o.Data, ".restore-database")
	defer os.Remove(dbTemp)
	got := map[string]Entry{}
	var m *Manifest
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("%w: entry %q is not a file", ErrCorrupt, hdr.Name)
		}
		name := hdr.Name
		switch {
		case name == manifestEntry:
			b, err := io.ReadAll(io.LimitReader(tr, maxManifest))
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
			}
			m = &Manifest{}
			if err := json.Unmarshal(b, m); err != nil {
				return nil, fmt.Errorf("%w: manifest: %v", ErrCorrupt, err)
			}
			continue
		case name == sqliteEntry || name == postgresEntry:
			e, err := writeFile(dbTemp, tr, 0o600)
			if err != nil {
				return nil, entryError(name, err)
			}
			e.Name = name
			got[name] = e
		case strings.HasPrefix(name, dataPrefix):
			rel, ok := safeRel(strings.TrimPrefix(name, dataPrefix))
			if !ok {
				return nil, fmt.Errorf("%w: entry %q leaves the data directory", ErrCorrupt, name)
			}
			dst := filepath.Join(o.Data, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
				return nil, fmt.Errorf("backup: restore %s: %w", name, err)
			}
			e, err := writeFile(dst, tr, os.FileMode(hdr.Mode).Perm()|0o600)
			if err != nil {
				return nil, entryError(name, err)
			}
			e.Name = name
			got[name] = e
		default:
			return nil, fmt.Errorf("%w: unexpected entry %q", ErrCorrupt, name)
		}
	}
	if m == nil || m.Format != FormatVersion {
		return nil, fmt.Errorf("%w: no manifest of format %d", ErrCorrupt, FormatVersion)
	}
	if len(got) != len(m.Files) {
		return nil, fmt.Errorf("%w: %d files in the archive, %d in the manifest", ErrCorrupt, len(got), len(m.Files))
	}
	for _, want := range m.Files {
		if got[want.Name] != want {
			return nil, fmt.Errorf("%w: %s does not match the manifest", ErrCorrupt, want.Name)
		}
	}

	switch {
	case m.Engine == string(store.SQLite) && !o.postgres():
		if _, ok := got[sqliteEntry]; !ok {
			return nil, fmt.Errorf("%w: no database in the archive", ErrCorrupt)
		}
		if err := os.MkdirAll(filepath.Dir(o.sqlitePath()), 0o750); err != nil {
			return nil, fmt.Errorf("backup: restore the database: %w", err)
		}
		if err := os.Rename(dbTemp, o.sqlitePath()); err != nil {
			return nil, fmt.Errorf("backup: restore the database: %w", err)
		}
	case m.Engine == string(store.Postgres) && o.postgres():
		if _, ok := got[postgresEntry]; !ok {
			return nil, fmt.Errorf("%w: no database in the archive", ErrCorrupt)
		}
		conn, schema, err := libpqURL(o.DatabaseURL)
		if err != nil {
			return nil, err
		}
		if schema != m.Schema {
			return nil, fmt.Errorf("backup: the archive holds schema %q; restore it with a database URL whose search_path is %q", m.Schema, m.Schema)
		}
		if err := run(ctx, "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
			"--dbname="+conn, dbTemp); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("backup: the archive holds a %s database; restore it into the same engine (then move data between engines with their own tools)", m.Engine)
	}
	return m, nil
}

// entryError tells a damaged archive (it ends inside an entry, or its
// compression is broken) from a destination that cannot be written.
func entryError(name string, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, tar.ErrHeader) {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, name, err)
	}
	return fmt.Errorf("backup: restore %s: %w", name, err)
}

// emptyDir creates dir, or accepts it if it is empty.
func emptyDir(dir string) error {
	if dir == "" {
		return errors.New("backup: no data directory given")
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o750)
	}
	if err != nil {
		return fmt.Errorf("backup: data directory %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("%w (%s is not empty)", ErrNotEmpty, dir)
	}
	return nil
}

// safeRel cleans a slash path from an archive and refuses one that is
// absolute or climbs out with "..".
func safeRel(p string) (string, bool) {
	c := path.Clean(p)
	if c == "." || path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") || strings.Contains(p, "\\") {
		return "", false
	}
	return c, true
}

// writeFile copies r into a new file at dst, returning its size and hash.
func writeFile(dst string, r io.Reader, mode os.FileMode) (Entry, error) {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return Entry{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Entry{}, err
	}
	return Entry{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
