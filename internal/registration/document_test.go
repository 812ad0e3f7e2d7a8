package registration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/esign"
	"buzon/internal/esign/esigntest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var testDocument = DocumentData{
	Code: "ABCDEFGHJKMNPQRS", NUI: "1714307103", GivenNames: "María José", Surnames: "Guamán Ortiz",
	Email: "maria.guaman@example.com", IssuedAt: time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC),
}

// TestDocumentText compares what the document says with the golden file.
func TestDocumentText(t *testing.T) {
	var b strings.Builder
	for _, l := range documentLines(testDocument) {
		b.WriteString(l.Style + ": " + l.Text + "\n")
	}
	golden := filepath.Join("testdata", "document.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("document text (-golden +got), run with -update if intended:\n%s", diff)
	}
	for _, o := range Obligations {
		if !strings.Contains(b.String(), o) {
			t.Errorf("the document lacks the obligation %q", o)
		}
	}
}

// TestDocumentContract checks the issuer's side of esign.RegistrationMarker:
// the marker as a literal /Keywords, the ending, and a document that both
// test signers extend into a signature the verifier accepts.
func TestDocumentContract(t *testing.T) {
	pdf, err := Document(testDocument)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(pdf, []byte("/Keywords (BUZON-REG:ABCDEFGHJKMNPQRS)")) {
		t.Error("no literal /Keywords with the registration marker")
	}
	if !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Error("the document does not end with the end-of-file marker and a newline")
	}
	again, err := Document(testDocument)
	if err != nil || !bytes.Equal(pdf, again) {
		t.Error("the same data gives different bytes")
	}
	if _, err := Document(DocumentData{Code: "short"}); err == nil {
		t.Error("a document with an invalid code was made")
	}

	now := testDocument.IssuedAt.Add(time.Hour)
	ca := esigntest.NewCA(t, "CA de prueba", now)
	signer := ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: testDocument.NUI})
	v := &esign.Verifier{Roots: pool(ca), Now: func() time.Time { return now }, Revocation: esign.RevocationBestEffort}
	want := esign.Expected{IssuedSHA256: sha256.Sum256(pdf), IssuedSize: int64(len(pdf)), Code: testDocument.Code,
		NUI: testDocument.NUI, IssuedAt: testDocument.IssuedAt}
	for name, signed := range map[string][]byte{
		"pdfsign":     esigntest.SignPDFSign(t, pdf, signer, esigntest.PDFSignOptions{}),
		"incremental": esigntest.SignIncremental(t, pdf, signer, esigntest.IncrementalOptions{SigningTime: now}),
	} {
		rep, err := v.Verify(context.Background(), signed, want)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if rep.IssuedMatch != esign.IssuedByPrefix || rep.Cedula != testDocument.NUI {
			t.Errorf("%s: match %q cédula %q", name, rep.IssuedMatch, rep.Cedula)
		}
	}

	// Poppler reads it: the text with its accents and the keywords.
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdfinfo (poppler-utils) is missing")
		}
		t.Log("pdfinfo missing: poppler checks not run")
		return
	}
	path := filepath.Join(t.TempDir(), "registro.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	fields := strings.Join(strings.Fields(string(info)), " ")
	for _, s := range []string{"Keywords: BUZON-REG:ABCDEFGHJKMNPQRS", "Title: Documento de registro en Buzón"} {
		if !strings.Contains(fields, s) {
			t.Errorf("pdfinfo lacks %q:\n%s", s, info)
		}
	}
	text, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, text)
	}
	for _, s := range []string{"María José", "Guamán Ortiz", "1714307103", "maria.guaman@example.com", "No compartir su clave con terceros."} {
		if !strings.Contains(string(text), s) {
			t.Errorf("the PDF's text lacks %q", s)
		}
	}
}
