package evidence

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	hashA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	hashB = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
	hashC = "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"
)

func sampleEvent() Event {
	return Event{
		ID:               "0195f3c2-7b1e-7a4c-9d2e-3f4a5b6c7d8e",
		Type:             Deposited,
		Time:             time.Date(2026, 3, 2, 15, 4, 5, 123456000, time.UTC),
		Actor:            System,
		NotificationID:   "0195f3c2-7b1e-7a4c-9d2e-000000000001",
		InstitutionID:    "0195f3c2-7b1e-7a4c-9d2e-0000000000aa",
		RecipientNUI:     "1714307103",
		ContentSHA256:    hashA,
		AttachmentSHA256: []string{hashB, hashC},
		Details:          map[string]string{"rule": "deposit", "note": "línea 1\nlínea 2 \\ fin"},
	}
}

// The golden vectors pin the encoding: if they change, every record hash in
// every deployed log stops verifying.
func TestEncodeGolden(t *testing.T) {
	cases := []struct {
		name string
		ev   Event
	}{
		{"deposited", sampleEvent()},
		{"opened_by_citizen", Event{
			ID: "0195f3c2-7b1e-7a4c-9d2e-3f4a5b6c7d8f", Type: Opened,
			Time:  time.Date(2026, 3, 3, 0, 0, 0, 0, time.FixedZone("ECT", -5*3600)),
			Actor: Actor{Kind: ActorCitizen, ID: "1714307103"}, NotificationID: "n1", InstitutionID: "i1", RecipientNUI: "1714307103",
		}},
		{"account_registered", Event{
			ID: "a1", Type: AccountRegistered, Time: time.Date(2026, 1, 5, 8, 0, 0, 1000, time.UTC),
			Actor: Actor{Kind: ActorStaff, ID: "op-7"}, RecipientNUI: "0962467429",
			Details: map[string]string{"channel": "presencial", "tab": "a\tb\x7f"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.ev.Encode()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "record_"+c.name+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("encoding changed (-golden +got):\n%s", diff)
			}
			back, err := ParseRecord(got)
			if err != nil {
				t.Fatalf("ParseRecord(Encode()) = %v", err)
			}
			want2 := c.ev
			want2.Time = want2.Time.UTC()
			if diff := cmp.Diff(want2, *back, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRecordHashGolden(t *testing.T) {
	ev := sampleEvent()
	rec, err := ev.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// SHA-256 of 0x00 || record, base64; checked independently with
	// (printf '\0'; cat record_deposited.golden) | sha256sum | xxd -r -p | base64
	got := RecordHash(rec).String()
	golden := filepath.Join("testdata", "record_deposited.hash")
	if *update {
		os.WriteFile(golden, []byte(got+"\n"), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(want)) != got {
		t.Errorf("record hash = %s, golden %s", got, want)
	}
}

func TestEncodeRefusesInvalidEvents(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Event)
	}{
		{"unknown type", func(e *Event) { e.Type = "delivered" }},
		{"no time", func(e *Event) { e.Time = time.Time{} }},
		{"nanoseconds", func(e *Event) { e.Time = e.Time.Add(1) }},
		{"no id", func(e *Event) { e.ID = "" }},
		{"id with space", func(e *Event) { e.ID = "a b" }},
		{"bad recipient", func(e *Event) { e.RecipientNUI = "1714307104" }},
		{"no recipient", func(e *Event) { e.RecipientNUI = "" }},
		{"no notification", func(e *Event) { e.NotificationID = "" }},
		{"uppercase hash", func(e *Event) { e.ContentSHA256 = strings.ToUpper(hashA) }},
		{"short attachment hash", func(e *Event) { e.AttachmentSHA256 = []string{"abc"} }},
		{"bad detail key", func(e *Event) { e.Details = map[string]string{"Bad Key": "x"} }},
		{"long detail", func(e *Event) { e.Details = map[string]string{"k": strings.Repeat("x", MaxDetailValue+1)} }},
		{"invalid utf8 detail", func(e *Event) { e.Details = map[string]string{"k": "\xff"} }},
		{"unknown actor", func(e *Event) { e.Actor = Actor{Kind: "robot"} }},
		{"citizen actor without nui", func(e *Event) { e.Actor = Actor{Kind: ActorCitizen, ID: "x"} }},
		{"staff actor without id", func(e *Event) { e.Actor = Actor{Kind: ActorStaff} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := sampleEvent()
			c.change(&ev)
			if _, err := ev.Encode(); !errors.Is(err, ErrInvalidEvent) {
				t.Errorf("Encode() = %v, want ErrInvalidEvent", err)
			}
		})
	}
}

func TestParseRecordRefusesNonCanonical(t *testing.T) {
	ev := sampleEvent()
	good, err := ev.Encode()
	if err != nil {
		t.Fatal(err)
	}
	s := string(good)
	cases := map[string]string{
		"no final newline":   strings.TrimSuffix(s, "\n"),
		"other version":      strings.Replace(s, "v1", "v2", 1),
		"fields swapped":     strings.Replace(strings.Replace(s, "type: deposited\n", "", 1), "id: ", "type: deposited\nid: ", 1),
		"details unsorted":   strings.Replace(s, "detail.note", "detail.zzz", 1),
		"time without micro": strings.Replace(s, ".123456Z", "Z", 1),
		"unknown field":      s + "colour: red\n",
		"repeated detail":    s + "detail.rule: deposit\n",
		"raw tab":            strings.Replace(s, "deposit\n", "dep\tosit\n", 1),
		"bad escape":         strings.Replace(s, `\\`, `\q`, 1),
		"uppercase escape":   strings.Replace(s, `\x0a`, `\x0A`, 1),
		"crlf":               strings.ReplaceAll(s, "\n", "\r\n"),
		"empty":              "",
		"space after colon":  strings.Replace(s, "type: ", "type:  ", 1),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseRecord([]byte(in)); !errors.Is(err, ErrMalformedRecord) {
				t.Errorf("ParseRecord() = %v, want ErrMalformedRecord", err)
			}
		})
	}
}

func FuzzParseRecord(f *testing.F) {
	ev := sampleEvent()
	good, _ := ev.Encode()
	f.Add(good)
	f.Add([]byte(RecordHeader + "\nid: x\n"))
	f.Add([]byte("buzon-evidence v1\nid: a\ntype: opened\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseRecord(b)
		if err != nil {
			return
		}
		again, err := e.Encode()
		if err != nil {
			t.Fatalf("parsed event does not encode: %v", err)
		}
		if string(again) != string(b) {
			t.Fatalf("accepted a non-canonical record:\n%q\nre-encodes as\n%q", b, again)
		}
	})
}
