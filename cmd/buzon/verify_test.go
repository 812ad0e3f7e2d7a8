package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"buzon/internal/evidence"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
	"buzon/internal/web"
)

// verifyFixture is a log with one notification's constancia written to
// files, as a citizen would keep them.
type verifyFixture struct {
	dir      string
	db       *store.DB
	dbURL    string
	log      *evidence.Log
	keyFile  string
	certFile string
	pdf      string
	json     string
	anexo    string
}

func newVerifyFixture(t *testing.T) *verifyFixture {
	t.Helper()
	ctx := context.Background()
	f := &verifyFixture{dir: t.TempDir(), dbURL: storetest.URL(t, store.SQLite)}
	db, err := store.Open(ctx, f.dbURL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	keys, err := evidence.GenerateKeys("buzon.test/evidence", now)
	if err != nil {
		t.Fatal(err)
	}
	f.db = db
	f.log = &evidence.Log{DB: db, Keys: keys, Origin: "buzon.test/evidence", Now: func() time.Time { return now }}
	if err := f.log.PublishKeys(ctx); err != nil {
		t.Fatal(err)
	}
	anexo := []byte("resolución n.º 117\n")
	c := evidence.Constancia{NotificationID: "n-1", InstitutionID: "i-1", InstitutionName: "Servicio de Rentas Internas",
		InstitutionRUC: "1760013210001", RecipientNUI: "1714307103", RecipientName: "María Andrade", Subject: "Resolución",
		ContentSHA256: strings.Repeat("ab", 32), Attachments: []evidence.Attachment{{Name: "resolución.pdf",
			Size: int64(len(anexo)), SHA256: evidence.NewAttachmentFile("", anexo).SHA256}}}
	for i, typ := range []evidence.Type{evidence.Submitted, evidence.Deposited, evidence.Opened} {
		f.record(t, evidence.Event{Type: typ, Time: now.Add(time.Duration(i) * time.Minute), Actor: evidence.System,
			NotificationID: "n-1", InstitutionID: "i-1", RecipientNUI: "1714307103",
			ContentSHA256: c.ContentSHA256, AttachmentSHA256: []string{c.Attachments[0].SHA256}})
	}
	iss, err := f.log.IssueConstancia(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	f.keyFile = f.write(t, "buzon.vkey", []byte("# Buzón\n"+keys.VerifierKey+"\n"))
	f.certFile = f.write(t, "buzon.pem", []byte(keys.CertificatePEM()))
	f.pdf = f.write(t, "constancia.pdf", iss.PDF)
	f.json = f.write(t, "constancia.json", iss.JSON)
	f.anexo = f.write(t, "resolución.pdf", anexo)
	return f
}

func (f *verifyFixture) record(t *testing.T, e evidence.Event) {
	t.Helper()
	err := f.db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := evidence.Record(context.Background(), tx, e)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *verifyFixture) write(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(f.dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func runVerify(args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"verify"}, args...), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestVerifyConstancia(t *testing.T) {
	f := newVerifyFixture(t)
	tampered := f.write(t, "tampered.json", bytes.Replace(mustRead(t, f.json), []byte("Resolución"), []byte("Resolucion"), 1))
	otherFile := f.write(t, "otro.pdf", []byte("otro documento"))
	tests := []struct {
		name string
		args []string
		ok   bool
		want []string
	}{
		{"pdf pinned with its anexo", []string{"--key", f.keyFile, "--cert", f.certFile, f.pdf, f.anexo}, true,
			[]string{"✓ PDF signature (CMS, SHA-256) is valid", "✓ file " + f.anexo + " matches a recorded anexo", "Institución: Servicio de Rentas Internas", "VALID (válida)"}},
		{"json pinned", []string{f.json, "--key", f.keyFile}, true, []string{"✓ checkpoint signature", "✓ event 3, opened"}},
		{"json unpinned warns", []string{f.json}, true, []string{"! the signing key was taken from the file itself"}},
		{"changed json", []string{"--key", f.keyFile, tampered}, false, []string{"✗ constancia signature (JSON twin)", "INVALID (no válida)"}},
		{"wrong anexo", []string{"--key", f.keyFile, f.pdf, otherFile}, false, []string{"✗ file " + otherFile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runVerify(tt.args...)
			if tt.ok && err != nil || !tt.ok && !errors.Is(err, errVerifyFailed) {
				t.Fatalf("error = %v, want ok=%v\n%s", err, tt.ok, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerifyConsistencyAndDatabase(t *testing.T) {
	f := newVerifyFixture(t)
	ctx := context.Background()
	old, err := f.log.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oldFile := f.write(t, "old.txt", old.Note)
	for i := range 5 {
		f.record(t, evidence.Event{Type: evidence.Opened, Time: time.Date(2026, 3, 3, 0, 0, i, 0, time.UTC), Actor: evidence.System,
			NotificationID: "n-2", InstitutionID: "i-1", RecipientNUI: "1714307103"})
	}
	if _, err := f.log.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	cur, err := f.log.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	newFile := f.write(t, "new.txt", cur.Note)
	p, err := f.log.ConsistencyProof(ctx, old.Size, cur.Size)
	if err != nil {
		t.Fatal(err)
	}
	proof, _ := json.Marshal(evidence.ConsistencyProofJSON{Old: old.Size, New: cur.Size, Proof: evidence.EncodeHashes(p)})
	proofFile := f.write(t, "proof.json", proof)

	// A forged history: another log, signed with the same key, of the same size as the old one.
	forged, err := evidence.SignCheckpoint(f.log.Keys.Note, old.Origin, old.Size, evidence.RecordHash([]byte("x")))
	if err != nil {
		t.Fatal(err)
	}
	forgedFile := f.write(t, "forged.txt", forged.Note)

	h, err := web.New(web.Options{Evidence: f.log})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	out, err := runVerify("--consistency", "--key", f.keyFile, oldFile, newFile, "--proof", proofFile)
	if err != nil || !strings.Contains(out, fmt.Sprintf("extends the log of %d unchanged", old.Size)) {
		t.Errorf("consistency from a file: %v\n%s", err, out)
	}
	out, err = runVerify("--consistency", "--key", f.keyFile, "--url", srv.URL, oldFile, newFile)
	if err != nil {
		t.Errorf("consistency from the site: %v\n%s", err, out)
	}
	out, err = runVerify("--consistency", "--key", f.keyFile, forgedFile, newFile, "--proof", proofFile)
	if !errors.Is(err, errVerifyFailed) || !strings.Contains(out, "✗ consistency proof") {
		t.Errorf("a forged history passed: %v\n%s", err, out)
	}
	out, err = runVerify("--consistency", oldFile, newFile, "--proof", proofFile)
	if !errors.Is(err, errUsage) {
		t.Errorf("--consistency without --key: %v\n%s", err, out)
	}

	out, err = runVerify("--database", f.dbURL)
	if err != nil || !strings.Contains(out, "✓ the stored records rebuild the stored tree") {
		t.Errorf("database audit: %v\n%s", err, out)
	}
}

func TestVerifyRefusesBadCommandLines(t *testing.T) {
	for _, args := range [][]string{{}, {"--consistency", "a"}, {"--key", "not-a-key", "x.json"}} {
		if _, err := runVerify(args...); err == nil {
			t.Errorf("buzon verify %q succeeded", args)
		}
	}
}
