package reliability_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

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

		// The server works on (alerts, evidence checkpoints) while the backup
		// is taken: the copy is the database of one moment between the two
		// counts, so every table of the restored one must lie between them.
		src := rawDB(t, data, dbURL)
		before := tableCounts(t, src, e, dbURL)
		var archive bytes.Buffer
		m, err := backup.Create(ctx, backup.Options{Data: data, DatabaseURL: dbURL}, &archive)
		if err != nil {
			t.Fatal(err)
		}
		afterBackup := tableCounts(t, src, e, dbURL)
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
		if diff := cmp.Diff(slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after))); diff != "" {
			t.Errorf("tables (-backed up +restored):\n%s", diff)
		}
		for table, n := range after {
			if n < before[table] || n > afterBackup[table] {
				t.Errorf("%s: %d rows restored, want between %d (before the backup) and %d (after it)", table, n, before[table], afterBackup[table])
			}
		}
		for _, table := range []string{"notifications", "notification_attachments", "identities", "institutions"} {
			if after[table] != before[table] || after[table] == 0 {
				t.Errorf("%s: %d rows restored, want %d", table, after[table], before[table])
			}
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
		sum := func(m map[string]int) int {
			n := 0
			for _, v := range m {
				n += v
			}
			return n
		}
		t.Logf("FIGURE backup and restore (%s): %d files in the archive (%d bytes compressed), %d tables; rows: %d before the backup, %d restored, %d after it (the server kept working); %d notifications of %d, %d attachments opened with their SHA-256",
			e, len(m.Files), archive.Len(), len(after), sum(before), sum(after), sum(afterBackup), after["notifications"], before["notifications"], attachments)
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
