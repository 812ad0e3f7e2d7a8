package evidence

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

var (
	attachment1 = []byte("%PDF-1.4 resolución sancionatoria\n")
	attachment2 = []byte("informe técnico, anexo 2\n")
)

func sha(b []byte) string { return NewAttachmentFile("", b).SHA256 }

// depositNotification records what the notifications feature will: a
// submission, a deposit, an alert and an opening, for one recipient.
func depositNotification(t *testing.T, db *store.DB, id string) Constancia {
	t.Helper()
	c := Constancia{
		NotificationID:  id,
		InstitutionID:   "inst-sri",
		InstitutionName: "Servicio de Rentas Internas",
		InstitutionRUC:  "1760013210001",
		RecipientNUI:    "1714307103",
		RecipientName:   "María José Andrade Núñez",
		Subject:         "Notificación de resolución n.º 117-2026 (impuesto a la renta)",
		Reference:       "SRI-2026-000117",
		ContentSHA256:   hashA,
		Attachments: []Attachment{
			{Name: "resolución.pdf", Size: int64(len(attachment1)), SHA256: sha(attachment1)},
			{Name: "informe técnico.txt", Size: int64(len(attachment2)), SHA256: sha(attachment2)},
		},
	}
	hashes := []string{sha(attachment1), sha(attachment2)}
	base := Event{NotificationID: id, InstitutionID: c.InstitutionID, RecipientNUI: c.RecipientNUI, ContentSHA256: hashA, AttachmentSHA256: hashes}
	steps := []struct {
		typ   Type
		actor Actor
		min   int
	}{
		{Submitted, Actor{Kind: ActorStaff, ID: "notificador-12"}, 0},
		{Deposited, System, 0},
		{AlertSent, System, 1},
		{Opened, Citizen("1714307103"), 95},
	}
	for i, s := range steps {
		e := base
		e.Type, e.Actor = s.typ, s.actor
		e.Time = testNow.Add(time.Duration(s.min)*time.Minute + time.Duration(i)*time.Second)
		if s.typ == AlertSent {
			e.ContentSHA256, e.AttachmentSHA256 = "", nil
			e.Details = map[string]string{"message_id": "<" + id + "@buzon.test>"}
		}
		record(t, db, e)
	}
	return c
}

// issue deposits a notification among others and issues its constancia.
func issue(t *testing.T, db *store.DB) (*Log, *Issued) {
	t.Helper()
	l := newLog(db)
	record(t, db, testEvent(7, 1)) // someone else's notification, before
	c := depositNotification(t, db, "notif-constancia")
	record(t, db, testEvent(8, 2)) // and after
	iss, err := l.IssueConstancia(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return l, iss
}

func TestConstanciaVerifiesOffline(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		l, iss := issue(t, db)
		if n := len(iss.Document.Events); n != 4 {
			t.Fatalf("constancia has %d events, want 4", n)
		}
		pinned := VerifyOptions{NoteKeys: []string{l.Keys.VerifierKey}, Attachments: []AttachmentFile{
			NewAttachmentFile("resolucion.pdf", attachment1), NewAttachmentFile("informe.txt", attachment2)}}
		for name, rep := range map[string]*Report{
			"json":        VerifyJSON(iss.JSON, VerifyOptions{}),
			"json pinned": VerifyJSON(iss.JSON, pinned),
			"pdf":         VerifyPDF(iss.PDF, VerifyOptions{}),
			"pdf pinned":  VerifyPDF(iss.PDF, pinned),
		} {
			if !rep.OK() {
				t.Errorf("%s: report not OK:\n%s", name, reportText(rep))
			}
		}
		rep := VerifyJSON(iss.JSON, pinned)
		if got := len(rep.Checks); got < 10 {
			t.Errorf("only %d checks:\n%s", got, reportText(rep))
		}
		if len(rep.Warnings) != 0 {
			t.Errorf("pinned verification warns: %v", rep.Warnings)
		}
		if w := VerifyJSON(iss.JSON, VerifyOptions{}).Warnings; len(w) == 0 {
			t.Error("an unpinned verification must warn that the key came from the file")
		}
	})
}

func reportText(r *Report) string {
	var b strings.Builder
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "%v %s: %s\n", c.OK, c.Name, c.Detail)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return b.String()
}

func TestConstanciaRefusesWrongKeysAndFiles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		_, iss := issue(t, db)
		other, err := GenerateKeys("buzon.test/evidence", testNow)
		if err != nil {
			t.Fatal(err)
		}
		cases := map[string]struct {
			pdf bool
			opt VerifyOptions
		}{
			"json pinned to another key": {false, VerifyOptions{NoteKeys: []string{other.VerifierKey}}},
			"pdf pinned to another cert": {true, VerifyOptions{Certificates: []*x509.Certificate{other.Certificate}}},
			"an attachment not recorded": {false, VerifyOptions{Attachments: []AttachmentFile{NewAttachmentFile("x", []byte("other"))}}},
		}
		for name, c := range cases {
			var rep *Report
			if c.pdf {
				rep = VerifyPDF(iss.PDF, c.opt)
			} else {
				rep = VerifyJSON(iss.JSON, c.opt)
			}
			if rep.OK() {
				t.Errorf("%s: verified:\n%s", name, reportText(rep))
			}
		}
	})
}

// A forger who re-signs a changed constancia with his own key is caught as
// soon as the verifier pins the platform's key.
func TestForgedConstanciaFailsWithPinnedKey(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		l, iss := issue(t, db)
		forger, err := GenerateKeys("buzon.test/evidence", testNow)
		if err != nil {
			t.Fatal(err)
		}
		doc := *iss.Document
		doc.Notification.Subject = "Otra cosa"
		doc.Keys.Note = []string{forger.VerifierKey}
		js, err := MarshalDocument(&doc, forger.Note)
		if err != nil {
			t.Fatal(err)
		}
		if rep := VerifyJSON(js, VerifyOptions{NoteKeys: []string{l.Keys.VerifierKey}}); rep.OK() {
			t.Errorf("forged constancia verified against the pinned key:\n%s", reportText(rep))
		}
	})
}

// Any byte changed anywhere in the JSON twin makes it fail.
func TestEveryByteOfTheJSONTwinMatters(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	l, iss := issue(t, db)
	opt := VerifyOptions{NoteKeys: []string{l.Keys.VerifierKey}}
	for i := range iss.JSON {
		for _, flip := range []byte{0x01, 0x20} {
			b := []byte(string(iss.JSON))
			b[i] ^= flip
			if rep := VerifyJSON(b, opt); rep.OK() {
				t.Fatalf("byte %d (%q → %q) changed and the constancia still verifies:\n%s", i, iss.JSON[i], b[i], reportText(rep))
			}
		}
	}
}

// Any byte changed in the PDF makes it fail: every byte of the signature
// dictionary and its contents, and a random sample of the rest.
func TestBytesOfThePDFMatter(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, iss := issue(t, db)
	pdf := iss.PDF
	signed, _, err := signedRanges(pdf)
	if err != nil {
		t.Fatal(err)
	}
	sigStart := strings.LastIndex(string(pdf), "/ByteRange")
	var positions []int
	for i := max(0, sigStart-200); i < len(pdf) && i < sigStart+len(pdf)-len(signed)+400; i++ {
		positions = append(positions, i)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1500 {
		positions = append(positions, rng.IntN(len(pdf)))
	}
	for _, i := range positions {
		b := []byte(string(pdf))
		b[i] ^= 0x01
		if rep := VerifyPDF(b, VerifyOptions{}); rep.OK() {
			t.Fatalf("byte %d (%q → %q) changed and the PDF still verifies:\n%s", i, pdf[i], b[i], reportText(rep))
		}
	}
}

// Poppler's pdfsig, which CI installs with Debian's poppler-utils, finds
// the signature valid. With the self-signed default certificate it cannot
// trust the signer: what this checks is that the signature is
// cryptographically valid over the whole document, not the certificate.
func TestPdfsigReportsTheSignatureValid(t *testing.T) {
	path, err := exec.LookPath("pdfsig")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdfsig is required under CI (Debian's poppler-utils)")
		}
		t.Log("pdfsig not installed (Debian's poppler-utils); checked under CI")
		return
	}
	db := storetest.Open(t, store.SQLite)
	_, iss := issue(t, db)
	file := filepath.Join(t.TempDir(), "constancia.pdf")
	if err := os.WriteFile(file, iss.PDF, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, file).CombinedOutput()
	if err != nil && !strings.Contains(string(out), "Signature is Valid") {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"Signature #1", "Signature Validation: Signature is Valid.", "Signed Ranges: [0 -", "Total document signed"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdfsig output lacks %q:\n%s", want, text)
		}
	}
	t.Logf("pdfsig says:\n%s", text)
	if strings.Count(text, "Signature #") != 1 {
		t.Errorf("pdfsig found other than one signature:\n%s", text)
	}

	// A changed byte in the signed content makes pdfsig say so too.
	b := []byte(string(iss.PDF))
	i := strings.Index(string(b), "/Producer")
	b[i+2] ^= 0x01
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ = exec.Command(path, file).CombinedOutput()
	if strings.Contains(string(out), "Signature is Valid") {
		t.Errorf("pdfsig still finds a changed PDF valid:\n%s", out)
	}
}

func TestIssueConstanciaOfUnknownNotification(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		l := newLog(db)
		record(t, db, testEvent(1, 1))
		_, err := l.IssueConstancia(context.Background(), Constancia{NotificationID: "nope", RecipientNUI: "1714307103"})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("IssueConstancia() = %v, want ErrNotFound", err)
		}
		// Another recipient's events are not this recipient's constancia.
		_, err = l.IssueConstancia(context.Background(), Constancia{NotificationID: "notif-1", RecipientNUI: "0962467429"})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("IssueConstancia(other recipient) = %v, want ErrNotFound", err)
		}
	})
}

// After a key rotation, a constancia issued before it still verifies
// against the keys the platform publishes, new checkpoints are signed with
// the new key, and the audit accepts both.
func TestRotationKeepsEarlierConstanciasVerifiable(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, before := issue(t, db)
		if err := l.PublishKeys(ctx); err != nil {
			t.Fatal(err)
		}
		rotated, err := GenerateKeys("buzon.test/evidence", testNow)
		if err != nil {
			t.Fatal(err)
		}
		l2 := &Log{DB: db, Keys: rotated, Origin: l.Origin, Now: l.Now}
		if err := l2.PublishKeys(ctx); err != nil {
			t.Fatal(err)
		}
		record(t, db, testEvent(9, 9))
		if _, err := l2.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		pub, err := l2.PublicKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var published []string
		current := 0
		for _, k := range pub {
			if k.Kind == "note" {
				published = append(published, k.Public)
			}
			if k.Current {
				current++
			}
		}
		if len(published) != 2 || current != 2 || len(pub) != 4 {
			t.Fatalf("published keys: %+v", pub)
		}
		if rep := VerifyJSON(before.JSON, VerifyOptions{NoteKeys: published}); !rep.OK() {
			t.Errorf("the earlier constancia no longer verifies:\n%s", reportText(rep))
		}
		known, _ := Verifiers(rotated.VerifierKey)
		cp, err := l2.Latest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := OpenCheckpoint(cp.Note, known); err != nil {
			t.Errorf("the new checkpoint is not signed with the new key: %v", err)
		}
		if rep, err := (&Log{DB: db}).Audit(ctx); err != nil {
			t.Errorf("audit after rotation: %v %+v", err, rep)
		}
	})
}
