package evidence

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// goldenDocument is a constancia with nothing random in it.
func goldenDocument(t *testing.T) *Document {
	t.Helper()
	var events []ProvenEvent
	for i, e := range []Event{
		{Type: Submitted, Actor: Actor{Kind: ActorAPI, ID: "cred-9"}},
		{Type: Deposited, Actor: System},
		{Type: AlertFailed, Actor: System, Details: map[string]string{"reason": "buzón lleno"}},
		{Type: Opened, Actor: Citizen("1714307103")},
		{Type: AttachmentDownloaded, Actor: Citizen("1714307103"), Details: map[string]string{"attachment_sha256": hashB}},
	} {
		e.ID = fmt.Sprintf("0195f3c2-0000-7000-8000-00000000000%d", i)
		e.Time = time.Date(2026, 3, 2, 15, 4, 5+i, 0, time.UTC)
		e.NotificationID, e.InstitutionID, e.RecipientNUI = "n-1", "i-1", "1714307103"
		rec, err := e.Encode()
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, ProvenEvent{LeafIndex: int64(40 + i), Record: string(rec)})
	}
	return &Document{
		Format:   ConstanciaFormat,
		IssuedAt: "2026-03-04T12:00:00.000000Z",
		Notification: NotificationInfo{
			ID:            "n-1",
			Institution:   Institution{ID: "i-1", Name: "Agencia Nacional de Tránsito", RUC: "1768152800001"},
			Recipient:     Recipient{NUI: "1714307103", Name: "Íñigo Peña Zúñiga"},
			Subject:       "Citación por infracción de tránsito: comparecencia en un término de tres días hábiles, según el Código Orgánico Integral Penal",
			Reference:     "",
			ContentSHA256: hashA,
			Attachments:   []Attachment{{Name: "citación.pdf", Size: 123456, SHA256: hashB}},
		},
		Events:     events,
		Checkpoint: "buzon.example/evidence\n45\nBHsELgzeLZ9zRCx3vCJp4CKrpBL+yQNMB/v1g0LTnbw=\n\n— buzon.example/evidence AAAA\n",
		Keys:       DocumentKeys{Note: []string{"buzon.example/evidence+0123abcd+AQv7+wnZVe0CwX3aQieTT8jq3TbvRYXHHxclPcpdMRDN"}},
	}
}

func TestConstanciaTextGolden(t *testing.T) {
	cert := &x509.Certificate{Raw: []byte("a fixed certificate"), Subject: pkix.Name{CommonName: CertificateSubject}}
	lines, err := constanciaLines(goldenDocument(t), strings.Repeat("ab", 32), cert)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%-8s %s\n", l.Style, l.Text)
	}
	golden := filepath.Join("testdata", "constancia_text.golden")
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
		t.Errorf("constancia text changed (-golden +got); run with -update if intended:\n%s", diff)
	}
}

// The laid-out PDF holds every line of the text, whatever the page breaks.
func TestLayoutKeepsEveryLine(t *testing.T) {
	doc := goldenDocument(t)
	for range 5 { // long enough for several pages
		doc.Events = append(doc.Events, doc.Events...)
	}
	cert := &x509.Certificate{Raw: []byte("x"), Subject: pkix.Name{CommonName: CertificateSubject}}
	lines, err := constanciaLines(doc, strings.Repeat("ab", 32), cert)
	if err != nil {
		t.Fatal(err)
	}
	out, err := layout(lines, "n-1", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(out), "/Type /Page\n"); n < 3 {
		t.Errorf("%d pages for %d events", n, len(doc.Events))
	}
	if _, err := attachFile(out, "a.json", "application/json", "d", []byte("{}"), testNow); err != nil {
		t.Fatal(err)
	}
}
