package evidence

import (
	"testing"

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
