// Package backup copies a whole Buzón installation into one archive and puts
// it back: the database (SQLite with VACUUM INTO, PostgreSQL with pg_dump),
// the sealed attachments and documents, and the keys of the data directory
// (the master key that opens them and the evidence signing keys).
//
// A backup is taken online. The database is copied first, as of one moment;
// the files after it. Blobs are written before the rows that name them and
// are never changed in place, so every attachment the copied database names
// is in the archive (files newer than the copy are harmless extras).
//
// The archive is a gzipped tar: database/…, data/… and, last, manifest.json
// with the size and SHA-256 of every entry; Restore checks each one.
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
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"buzon/internal/store"
)

// FormatVersion names the archive layout; Restore refuses another.
const FormatVersion = 1

// Entry names of the database copy inside the archive.
const (
	sqliteEntry   = "database/buzon.db"
	postgresEntry = "database/buzon.pgdump"
	manifestEntry = "manifest.json"
	dataPrefix    = "data/"
)

// Options says what to back up or where to restore: the data directory and
// the database URL as `buzon serve` takes them ("" or a path for SQLite).
type Options struct {
	Data        string
	DatabaseURL string
	// Now is the clock for the manifest; nil means time.Now.
	Now func() time.Time
}

// Manifest describes an archive: what it holds and how to check it.
type Manifest struct {
	Format    int       `json:"format"`
	Engine    string    `json:"engine"`
	CreatedAt time.Time `json:"created_at"`
	// Schema is the PostgreSQL schema that was dumped ("" for the default).
	Schema string  `json:"schema,omitempty"`
	Files  []Entry `json:"files"`
}

// Entry is one file of the archive.
type Entry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// ErrNotEmpty means Restore was pointed at a data directory or database
// that already holds an installation; restoring never overwrites one.
var ErrNotEmpty = errors.New("backup: the destination already holds data; restore into an empty data directory and database")

// ErrCorrupt means the archive is damaged or not a Buzón backup.
var ErrCorrupt = errors.New("backup: the archive is damaged or is not a Buzón backup")

func (o Options) sqlitePath() string {
	if o.DatabaseURL == "" {
		return filepath.Join(o.Data, "buzon.db")
	}
	p := strings.TrimPrefix(strings.TrimPrefix(o.DatabaseURL, "sqlite:"), "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

func (o Options) postgres() bool {
	return strings.HasPrefix(o.DatabaseURL, "postgres://") || strings.HasPrefix(o.DatabaseURL, "postgresql://")
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

// skipped tells the data-directory files that are not copied as files: the
// live SQLite database (copied consistently instead) and temporaries.
func skipped(rel string, dbFile string) bool {
	base := filepath.Base(rel)
	switch {
	case rel == dbFile, rel == dbFile+"-wal", rel == dbFile+"-shm", rel == dbFile+"-journal":
		return true
	case strings.HasPrefix(base, ".tmp-"), base == ".write-test":
		return true
	}
	return false
}

// Create writes a backup of the installation to w.
func Create(ctx context.Context, o Options, w io.Writer) (*Manifest, error) {
	m := &Manifest{Format: FormatVersion, Engine: string(store.SQLite), CreatedAt: o.now()}
	tmp, err := os.MkdirTemp("", "buzon-backup-")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)

	// The database first: the files copied after it are a superset of what it names.
	var dbEntry, dbCopy string
	if o.postgres() {
		m.Engine = string(store.Postgres)
		conn, schema, err := libpqURL(o.DatabaseURL)
		if err != nil {
			return nil, err
		}
		m.Schema = schema
		dbEntry, dbCopy = postgresEntry, filepath.Join(tmp, "buzon.pgdump")
		args := []string{"--format=custom", "--no-owner", "--no-privileges", "--file=" + dbCopy}
		if schema != "" {
			args = append(args, "--schema="+schema)
		}
		if err := run(ctx, "pg_dump", append(args, "--dbname="+conn)...); err != nil {
			return nil, err
		}
	} else {
		db, err := store.Open(ctx, o.sqlitePath(), store.Options{MaxBatch: 1})
		if err != nil {
			return nil, fmt.Errorf("backup: open the database: %w", err)
		}
		dbEntry, dbCopy = sqliteEntry, filepath.Join(tmp, "buzon.db")
		err = db.BackupSQLite(ctx, dbCopy)
		db.Close()
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
	}

	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	add := func(name, path string, mode fs.FileMode) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: name, Mode: int64(mode.Perm()), Size: st.Size(), ModTime: st.ModTime(), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(tw, h), io.LimitReader(f, st.Size()))
		if err != nil {
			return err
		}
		if n != st.Size() {
			return fmt.Errorf("%s shrank while being copied", path)
		}
		m.Files = append(m.Files, Entry{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	}
	if err := add(dbEntry, dbCopy, 0o600); err != nil {
		return nil, fmt.Errorf("backup: database copy: %w", err)
	}
	dbFile := ""
	if !o.postgres() {
		if rel, err := filepath.Rel(o.Data, o.sqlitePath()); err == nil {
			dbFile = filepath.ToSlash(rel)
		}
	}
	err = filepath.WalkDir(o.Data, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(o.Data, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if skipped(rel, dbFile) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		err = add(dataPrefix+rel, path, info.Mode())
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed meanwhile (a temporary, a cleaned-up blob)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("backup: data directory %s: %w", o.Data, err)
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestEntry, Mode: 0o600, Size: int64(len(mb)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if _, err := tw.Write(mb); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// libpqURL turns the server's PostgreSQL URL into one pg_dump and
// pg_restore accept: the search_path parameter (understood by the server's
// driver, not by libpq) becomes the schema to dump.
func libpqURL(raw string) (conn, schema string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("backup: the database URL is not a URL")
	}
	q := u.Query()
	schema = q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}

// run runs a PostgreSQL client tool, with its error output in the error.
func run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("backup: %s is not installed (it comes with the PostgreSQL client tools)", name)
		}
		return fmt.Errorf("backup: %s: %v: %s", name, err, strings.TrimSpace(redact(string(out))))
	}
	return nil
}

// redact keeps a password in a connection string out of error messages.
func redact(s string) string {
	for _, f := range strings.Fields(s) {
		if u, err := url.Parse(strings.Trim(f, `"'`)); err == nil && u.User != nil {
			if _, ok := u.User.Password(); ok {
				s = strings.ReplaceAll(s, u.User.String()+"@", u.User.Username()+":***@")
			}
		}
	}
	return s
}
