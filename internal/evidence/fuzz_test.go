package evidence

import (
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func FuzzParseCheckpointText(f *testing.F) {
	f.Add([]byte("buzon.example/evidence\n12\nBHsELgzeLZ9zRCx3vCJp4CKrpBL+yQNMB/v1g0LTnbw=\n"))
	f.Add([]byte("a\n-1\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		origin, size, root, err := ParseCheckpointText(b)
		if err != nil {
			return
		}
		if again := FormatCheckpoint(origin, size, root); string(again) != string(b) {
			t.Fatalf("accepted %q, which formats back as %q", b, again)
		}
	})
}

func FuzzVerifyJSON(f *testing.F) {
	f.Add([]byte(`{"constancia":{"format":"buzon-constancia v1"},"signature":"x"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if VerifyJSON(b, VerifyOptions{}).OK() {
			t.Fatalf("random input verified: %q", b)
		}
	})
}

func FuzzVerifyPDF(f *testing.F) {
	db := storetest.Open(f, store.SQLite)
	l := newLog(db)
	record(f, db, testEvent(1, 1))
	if _, err := l.Integrate(f.Context()); err != nil {
		f.Fatal(err)
	}
	iss, err := l.IssueConstancia(f.Context(), Constancia{NotificationID: "notif-1", InstitutionID: "inst-1", RecipientNUI: "1714307103", ContentSHA256: hashA})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(iss.PDF[len(iss.PDF)-3000:])
	f.Add([]byte("%PDF-1.7\n/ByteRange [0 10 20 5] <00>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		VerifyPDF(b, VerifyOptions{}) // must not panic
	})
}

// note.Open alone accepts a signature whose last base64 character differs
// in its unused bits; openNote does not.
func TestOpenNoteRefusesNonCanonicalBase64(t *testing.T) {
	k := testKeys()
	root := RecordHash([]byte("x"))
	cp, err := SignCheckpoint(k.Note, "buzon.test/evidence", 1, root)
	if err != nil {
		t.Fatal(err)
	}
	known, _ := Verifiers(k.VerifierKey)
	if _, err := OpenCheckpoint(cp.Note, known); err != nil {
		t.Fatal(err)
	}
	msg := string(cp.Note)
	i := strings.LastIndex(msg, "=") - 1 // the last data character
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	v := strings.IndexByte(alphabet, msg[i])
	forged := msg[:i] + string(alphabet[v^1]) + msg[i+1:]
	if _, err := note.Open([]byte(forged), known); err != nil {
		t.Fatalf("the premise fails: note.Open refuses it too: %v", err)
	}
	if _, err := OpenCheckpoint([]byte(forged), known); err == nil {
		t.Fatalf("a non-canonical signature was accepted:\n%s", forged)
	}
}

func TestOriginFor(t *testing.T) {
	for in, want := range map[string]string{
		"https://buzon.gob.ec":         "buzon.gob.ec/evidence",
		"http://localhost:8080/":       "localhost:8080/evidence",
		"https://Buzon.Example/base/x": "buzon.example/evidence",
		"not a url":                    "",
		"":                             "",
	} {
		got, err := OriginFor(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("OriginFor(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
