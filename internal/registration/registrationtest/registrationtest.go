// Package registrationtest helps tests of the virtual registration channel
// at every level (domain, web, browser): it reads the confirmation code out
// of the queued email and writes a trust list for a test CA.
package registrationtest

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"buzon/internal/esign/esigntest"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/outbox"
	"buzon/internal/store"
)

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// LastCode returns the confirmation code of the newest registration email
// queued to email, failing the test when there is none.
func LastCode(t testing.TB, db *store.DB, email string) string {
	t.Helper()
	code, ok := FindCode(t, db, email)
	if !ok {
		t.Fatalf("no confirmation code was queued to %s", email)
	}
	return code
}

// FindCode is LastCode without failing: ok is false when no email with a
// code was queued to email.
func FindCode(t testing.TB, db *store.DB, email string) (code string, ok bool) {
	t.Helper()
	js, err := db.Reader().JobsByKind(context.Background(), outbox.Kind, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// Newest first: the first email with a code is the latest.
	for i := range js {
		var m mail.Message
		if err := jobs.Decode(&js[i], &m); err != nil {
			t.Fatal(err)
		}
		if m.To != email || m.Headers[mail.TemplateHeader] != "email_verification" {
			continue
		}
		if mm := codeRE.FindStringSubmatch(m.Text); mm != nil {
			return mm[1], true
		}
	}
	return "", false
}

// CountMail counts the emails queued to email.
func CountMail(t testing.TB, db *store.DB, email string) int {
	t.Helper()
	js, err := db.Reader().JobsByKind(context.Background(), outbox.Kind, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := range js {
		var m mail.Message
		if err := jobs.Decode(&js[i], &m); err != nil {
			t.Fatal(err)
		}
		if m.To == email {
			n++
		}
	}
	return n
}

// WriteTrustDir writes the roots of cas as PEM files in a new directory,
// as an operator's --trust-dir, and returns it.
func WriteTrustDir(t testing.TB, cas ...*esigntest.CA) string {
	t.Helper()
	dir := t.TempDir()
	for i, ca := range cas {
		b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Root.Raw})
		if err := os.WriteFile(filepath.Join(dir, "ca-"+string(rune('a'+i))+".pem"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
