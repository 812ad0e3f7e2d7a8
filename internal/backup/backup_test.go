package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"buzon/internal/store"
)

// installation is a small SQLite installation: a migrated database and a
// data directory with a key and a blob.
func installation(t *testing.T) Options {
	t.Helper()
	data := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(data, "buzon.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	os.WriteFile(filepath.Join(data, "master.key"), []byte("clave\n"), 0o600)
	os.MkdirAll(filepath.Join(data, "adjuntos", "2026"), 0o750)
	os.WriteFile(filepath.Join(data, "adjuntos", "2026", "abc"), []byte("sellado"), 0o640)
	os.WriteFile(filepath.Join(data, "adjuntos", "2026", ".tmp-123"), []byte("a medias"), 0o640)
	return Options{Data: data, Now: func() time.Time { return time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC) }}
}

func TestRoundTripOnSQLite(t *testing.T) {
	o := installation(t)
	var buf bytes.Buffer
	m, err := Create(context.Background(), o, &buf)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range m.Files {
		names[f.Name] = true
	}
	for _, want := range []string{"database/buzon.db", "data/master.key", "data/adjuntos/2026/abc"} {
		if !names[want] {
			t.Errorf("archive lacks %s: %v", want, names)
		}
	}
	if names["data/adjuntos/2026/.tmp-123"] || names["data/buzon.db"] {
		t.Errorf("archive holds a temporary or the live database: %v", names)
	}
	dst := Options{Data: filepath.Join(t.TempDir(), "nuevo")}
	if _, err := Restore(context.Background(), dst, bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dst.Data, "adjuntos", "2026", "abc")); string(b) != "sellado" {
		t.Errorf("restored blob %q", b)
	}
	db, err := store.Open(context.Background(), filepath.Join(dst.Data, "buzon.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if p, err := db.Pending(context.Background()); err != nil || len(p) != 0 {
		t.Errorf("restored database: pending %v, %v", p, err)
	}
	// Never over an existing installation.
	if _, err := Restore(context.Background(), dst, bytes.NewReader(buf.Bytes())); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("restore over data: %v, want ErrNotEmpty", err)
	}
}

func TestRestoreRefusesADamagedArchive(t *testing.T) {
	o := installation(t)
	var buf bytes.Buffer
	if _, err := Create(context.Background(), o, &buf); err != nil {
		t.Fatal(err)
	}
	// Rewrite the archive with one byte of the blob changed.
	zr, _ := gzip.NewReader(bytes.NewReader(buf.Bytes()))
	tr := tar.NewReader(zr)
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		b, _ := io.ReadAll(tr)
		if h.Name == "data/adjuntos/2026/abc" {
			b[0] ^= 1
		}
		tw.WriteHeader(h)
		tw.Write(b)
	}
	tw.Close()
	zw.Close()
	tests := map[string][]byte{
		"altered entry": out.Bytes(),
		"not gzip":      []byte("hola"),
		"truncated":     buf.Bytes()[:buf.Len()/2],
	}
	for name, archive := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Restore(context.Background(), Options{Data: filepath.Join(t.TempDir(), "d")}, bytes.NewReader(archive))
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("restore: %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestLibpqURL(t *testing.T) {
	conn, schema, err := libpqURL("postgres://u:p@h:5432/db?sslmode=disable&search_path=t_1")
	if err != nil || schema != "t_1" || conn != "postgres://u:p@h:5432/db?sslmode=disable" {
		t.Errorf("libpqURL = %q %q %v", conn, schema, err)
	}
	if got := redact("error: postgres://u:secreto@h/db refused"); got != "error: postgres://u:***@h/db refused" {
		t.Errorf("redact = %q", got)
	}
}

func FuzzSafeRel(f *testing.F) {
	for _, s := range []string{"adjuntos/a", "../x", "/etc/passwd", "a/../../b", "a\\..\\b", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		rel, ok := safeRel(p)
		if !ok {
			return
		}
		dst := filepath.Join("/base", filepath.FromSlash(rel))
		if r, err := filepath.Rel("/base", dst); err != nil || r == ".." || len(r) >= 3 && r[:3] == "../" || r == "." {
			t.Fatalf("safeRel(%q) = %q escapes: %q", p, rel, dst)
		}
	})
}
