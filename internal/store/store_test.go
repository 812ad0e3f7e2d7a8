package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestMigrationsMatchAcrossEngines(t *testing.T) {
	names := func(e store.Engine) []string {
		ms, err := store.Migrations(e)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return out
	}
	if diff := cmp.Diff(names(store.SQLite), names(store.Postgres)); diff != "" {
		t.Errorf("the engines' migrations differ (-sqlite +postgres):\n%s", diff)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Errorf("second Migrate applied %v, want nothing", applied)
		}
		pending, err := db.Pending(ctx)
		if err != nil || len(pending) != 0 {
			t.Errorf("Pending = %v, %v; want none", pending, err)
		}
	})
}

func TestPendingOnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "x.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pending, err := db.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := store.Migrations(store.SQLite)
	if len(pending) != len(all) {
		t.Errorf("Pending on an empty database = %d migrations, want %d", len(pending), len(all))
	}
}

func TestOpenRejectsBadURLs(t *testing.T) {
	tests := []struct {
		url, want string
	}{
		{"mysql://localhost/x", `scheme "mysql" is not supported`},
		{"postgres://localhost:notaport/x", "parse PostgreSQL URL"},
		{"", "path is empty"},
	}
	for _, tt := range tests {
		_, err := store.Open(context.Background(), tt.url, store.Options{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q) = %v, want an error containing %q", tt.url, err, tt.want)
		}
	}
}

func TestSQLiteReaderIsReadOnly(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, err := db.Reader().EnqueueJob(context.Background(), &store.Job{Kind: "x", Payload: []byte("{}"), MaxAttempts: 1}, time.Now())
	if err == nil {
		t.Fatal("a write through the reader pool succeeded; SQLite readers must be read-only")
	}
}

func TestWriteRollsBackOnError(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.EnqueueJob(ctx, &store.Job{Kind: "k", Payload: []byte("{}"), MaxAttempts: 1}, time.Now()); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Write = %v, want boom", err)
		}
		counts, err := db.Reader().JobCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.JobQueued] != 0 {
			t.Errorf("a rolled-back job is visible: %v", counts)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.Sessions{DB: db}
		if err := s.CommitCtx(ctx, "tok", []byte("data"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.CommitCtx(ctx, "tok", []byte("data2"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.FindCtx(ctx, "tok")
		if err != nil || !ok || string(got) != "data2" {
			t.Fatalf("Find = %q, %v, %v", got, ok, err)
		}
		if err := s.CommitCtx(ctx, "old", []byte("x"), time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.FindCtx(ctx, "old"); ok {
			t.Error("an expired session was found")
		}
		if err := s.DeleteCtx(ctx, "tok"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.FindCtx(ctx, "tok"); ok {
			t.Error("a deleted session was found")
		}
	})
}

func TestDevMail(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		for i, subj := range []string{"primero", "segundo"} {
			m := &store.DevMail{MessageID: "<m@x>", From: "a@x", To: "b@x", Subject: subj, Text: "t", HTML: "<p>t</p>", CreatedAt: now.Add(time.Duration(i) * time.Minute)}
			if err := db.Write(ctx, func(tx *store.Tx) error { return tx.SaveDevMail(ctx, m) }); err != nil {
				t.Fatal(err)
			}
		}
		ms, err := db.Reader().DevMails(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var subjects []string
		for _, m := range ms {
			subjects = append(subjects, m.Subject)
		}
		if diff := cmp.Diff([]string{"segundo", "primero"}, subjects); diff != "" {
			t.Errorf("dev mail order (-want +got):\n%s", diff)
		}
		one, err := db.Reader().DevMail(ctx, ms[1].ID)
		if err != nil || !one.CreatedAt.Equal(now) {
			t.Errorf("DevMail = %+v, %v", one, err)
		}
		if _, err := db.Reader().DevMail(ctx, store.NewID()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing dev mail: %v, want ErrNotFound", err)
		}
	})
}

func TestSQLitePathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sqlite#01", "50%x")
	path := filepath.Join(dir, "buzon.db")
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the database is not at %s: %v", path, err)
	}
}

func TestLostConnectionsAreUnavailable(t *testing.T) {
	for _, msg := range []string{"conn closed", "read tcp 127.0.0.1:5432: use of closed network connection", "dial tcp 127.0.0.1:5432: connect: connection refused", "FATAL: terminating connection due to administrator command"} {
		if err := store.Classify(errors.New(msg)); !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%q is not ErrUnavailable", msg)
		}
	}
	if err := store.Classify(errors.New(`duplicate key value violates unique constraint "x"`)); errors.Is(err, store.ErrUnavailable) {
		t.Error("a constraint violation was classified as unavailable")
	}
}
