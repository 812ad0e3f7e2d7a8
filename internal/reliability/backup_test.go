package reliability_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/backup"
	"buzon/internal/config"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// TestBackupAndRestoreFindEverything backs up a populated installation
// while its server runs, restores the archive into a fresh data directory
// and an empty database, and finds everything again: the same rows in every
// table, every attachment readable with its recorded SHA-256 (the master key
// came back with it), and a citizen who signs in and reads his buzón.
func TestBackupAndRestoreFindEverything(t *testing.T) {
	engines(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		dbURL := databaseURL(t, e)
		data := t.TempDir()
		citizens := seed(t, data, dbURL)
		srv := startInProcess(t, &config.Config{Data: data, DatabaseURL: dbURL, Workers: 1})

		// The server works on (alerts, evidence) while the backup is taken;
		// the rows are compared once it has settled, so that the copy can be
		// checked row for row.
		src := rawDB(t, data, dbURL)
		var before map[string]int
		eventually(t, time.Minute, "the server to settle", func() bool {
			a := tableCounts(t, src, e, dbURL)
			time.Sleep(300 * time.Millisecond)
			before = tableCounts(t, src, e, dbURL)
			return cmp.Equal(a, before)
		})
		var archive bytes.Buffer
		m, err := backup.Create(ctx, backup.Options{Data: data, DatabaseURL: dbURL}, &archive)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, tableCounts(t, src, e, dbURL)); diff != "" {
			t.Fatalf("the server changed rows during the backup; cannot compare (-before +after):\n%s", diff)
		}
		srv.stop()

		restoredData := filepath.Join(t.TempDir(), "restaurado")
		restoredURL := ""
		if e == store.Postgres {
			restoredURL = freshDatabase(t, dbURL)
		}
		if _, err := backup.Restore(ctx, backup.Options{Data: restoredData, DatabaseURL: restoredURL}, bytes.NewReader(archive.Bytes())); err != nil {
			t.Fatal(err)
		}
		after := tableCounts(t, rawDB(t, restoredData, restoredURL), e, restoredURL)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("rows per table (-backed up +restored):\n%s", diff)
		}

		restored := startInProcess(t, &config.Config{Data: restoredData, DatabaseURL: restoredURL, Workers: 0})
		db := rawDB(t, restoredData, restoredURL)
		rows, err := db.Query(`SELECT blob_key, sha256 FROM notification_attachments`)
		if err != nil {
			t.Fatal(err)
		}
		attachments := 0
		for rows.Next() {
			var key, sum string
			if err := rows.Scan(&key, &sum); err != nil {
				t.Fatal(err)
			}
			rc, err := restored.Srv.Notifications().Blobs.Get(ctx, key)
			if err != nil {
				t.Fatalf("attachment %s after the restore: %v", key, err)
			}
			h := sha256.New()
			_, err = io.Copy(h, rc)
			rc.Close()
			if err != nil || hex.EncodeToString(h.Sum(nil)) != sum {
				t.Errorf("attachment %s: %v, SHA-256 %x, want %s", key, err, h.Sum(nil), sum)
			}
			attachments++
		}
		rows.Close()
		if attachments == 0 {
			t.Fatal("the demo has no attachment to check")
		}
		c := browser(t)
		signIn(t, c, restored.URL, citizens[0].NUI)
		if code := status(t, c, restored.URL+"/buzon"); code != 200 {
			t.Errorf("the restored inbox answers %d", code)
		}
		total := 0
		for _, n := range after {
			total += n
		}
		t.Logf("FIGURE backup and restore (%s): %d files in the archive (%d bytes compressed), %d tables, %d rows backed up, %d found after the restore, %d attachments opened with their SHA-256",
			e, len(m.Files), archive.Len(), len(after), total, total, attachments)
	})
}

// tableCounts counts the rows of every table of the database.
func tableCounts(t *testing.T, db *sql.DB, e store.Engine, dbURL string) map[string]int {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	var args []any
	if e == store.Postgres {
		u, _ := url.Parse(dbURL)
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`
		args = append(args, u.Query().Get("search_path"))
	}
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	counts := map[string]int{}
	for _, n := range names {
		counts[n] = count(t, db, `SELECT COUNT(*) FROM `+n)
	}
	if len(counts) < 10 {
		t.Fatalf("only %d tables found", len(counts))
	}
	return counts
}

// freshDatabase creates an empty PostgreSQL database on the server of
// base, dropped at the end, and returns its URL with base's search_path
// (pg_restore brings the dumped schema back under its name).
func freshDatabase(t *testing.T, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", os.Getenv(storetest.PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	u, _ := url.Parse(base)
	name := "r_" + u.Query().Get("search_path")
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", os.Getenv(storetest.PostgresEnv))
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`)
	})
	u.Path = "/" + name
	return u.String()
}
