package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBackupRestoreAndKeysCommands(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	call := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, args, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	if out, err := call("migrate", "--data", dir); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	os.WriteFile(filepath.Join(dir, "master.key"), []byte("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"), 0o600)

	archive := filepath.Join(t.TempDir(), "copia.tar.gz")
	if out, err := call("backup", "--data", dir, "--out", archive); err != nil || !strings.Contains(out, "Backup written") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if _, err := call("backup", "--data", dir, "--out", archive); err == nil {
		t.Error("backup over an existing archive succeeded")
	}
	if _, err := call("backup", "--data", dir); !errors.Is(err, errUsage) {
		t.Errorf("backup without --out: %v, want a usage error", err)
	}
	restored := filepath.Join(t.TempDir(), "restaurado")
	if out, err := call("restore", "--from", archive, "--data", restored); err != nil || !strings.Contains(out, "Restored") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if out, err := call("restore", "--from", archive, "--data", restored); err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Errorf("restore over data: %v\n%s", err, out)
	}

	out, err := call("keys", "stage", "--data", restored)
	if err != nil || !strings.Contains(out, "buzon keys promote ") {
		t.Fatalf("keys stage: %v\n%s", err, out)
	}
	id := strings.TrimSpace(out[strings.LastIndex(out, "promote ")+len("promote "):])
	if out, err := call("keys", "promote", id, "--data", restored); err != nil {
		t.Fatalf("keys promote %s: %v\n%s", id, err, out)
	}
	if out, err := call("keys", "list", "--data", restored); err != nil || !strings.HasPrefix(out, id+"  seals") || strings.Count(out, "\n") != 2 {
		t.Errorf("keys list: %v\n%s", err, out)
	}
	if _, err := call("keys", "promote", "ffffffff", "--data", restored); err == nil {
		t.Error("promoting an unknown key succeeded")
	}
	if _, err := call("keys", "nonsense", "--data", restored); !errors.Is(err, errUsage) {
		t.Errorf("keys nonsense: %v, want a usage error", err)
	}
}
