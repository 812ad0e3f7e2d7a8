package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"buzon/internal/evidence"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// evidenceSite is the real handler over a real evidence log on SQLite.
type evidenceSite struct {
	*site
	db  *store.DB
	log *evidence.Log
}

func newEvidenceSite(t *testing.T) *evidenceSite {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	keys, err := evidence.GenerateKeys("buzon.test/evidence", now)
	if err != nil {
		t.Fatal(err)
	}
	l := &evidence.Log{DB: db, Keys: keys, Origin: "buzon.test/evidence", Now: func() time.Time { return now }}
	if err := l.PublishKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &evidenceSite{site: newSite(t, func(o *Options) { o.Evidence = l }), db: db, log: l}
}

// deposit records n events about a citizen and integrates them.
func (s *evidenceSite) deposit(from, n int) [][]byte {
	s.t.Helper()
	ctx := context.Background()
	var records [][]byte
	for i := from; i < from+n; i++ {
		err := s.db.Write(ctx, func(tx *store.Tx) error {
			_, err := evidence.Record(ctx, tx, evidence.Event{
				Type: evidence.Deposited, Time: time.Date(2026, 3, 2, 15, 0, i, 0, time.UTC), Actor: evidence.System,
				NotificationID: fmt.Sprintf("n-%d", i), InstitutionID: "i-1", RecipientNUI: "1714307103",
			})
			return err
		})
		if err != nil {
			s.t.Fatal(err)
		}
	}
	if _, err := s.log.Integrate(ctx); err != nil {
		s.t.Fatal(err)
	}
	events, err := s.db.Reader().EvidenceEventsByLeaf(ctx, int64(from), int64(from+n))
	if err != nil {
		s.t.Fatal(err)
	}
	for _, e := range events {
		records = append(records, e.Record)
	}
	return records
}

func (s *evidenceSite) get(target string, wantStatus int) (string, *http.Response) {
	s.t.Helper()
	resp := s.do("GET", target, "", nil)
	b := body(s.t, resp)
	if resp.StatusCode != wantStatus {
		s.t.Fatalf("GET %s = %d, want %d:\n%s", target, resp.StatusCode, wantStatus, b)
	}
	checkSecurityHeaders(s.t, resp, false)
	return b, resp
}

func (s *evidenceSite) getJSON(target string, v any) *http.Response {
	s.t.Helper()
	b, resp := s.get(target, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		s.t.Errorf("GET %s: Content-Type %q", target, ct)
	}
	if err := json.Unmarshal([]byte(b), v); err != nil {
		s.t.Fatalf("GET %s: %v\n%s", target, err, b)
	}
	return resp
}

// An auditor keeps a checkpoint, comes back later, and checks with the
// public endpoints alone that the log only grew and that a record a party
// shows him is in it.
func TestEvidenceEndpointsLetAnAuditorCheckTheLog(t *testing.T) {
	s := newEvidenceSite(t)
	s.get("/evidence/checkpoint", http.StatusNotFound)
	s.deposit(0, 3)

	var keys evidenceKeysJSON
	s.getJSON("/evidence/keys", &keys)
	var vkeys []string
	var certs int
	for _, k := range keys.Keys {
		switch {
		case k.Kind == "note" && k.Current:
			vkeys = append(vkeys, k.Public)
		case k.Kind == "x509" && strings.HasPrefix(k.Public, "-----BEGIN CERTIFICATE-----"):
			certs++
		}
	}
	if len(vkeys) != 1 || certs != 1 {
		t.Fatalf("keys: %+v", keys)
	}
	known, err := evidence.Verifiers(vkeys...)
	if err != nil {
		t.Fatal(err)
	}

	text, resp := s.get("/evidence/checkpoint", http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("checkpoint Content-Type %q", ct)
	}
	old, err := evidence.OpenCheckpoint([]byte(text), known)
	if err != nil || old.Size != 3 {
		t.Fatalf("checkpoint %+v, %v:\n%s", old, err, text)
	}

	records := s.deposit(3, 5)
	text, _ = s.get("/evidence/checkpoint", http.StatusOK)
	cur, err := evidence.OpenCheckpoint([]byte(text), known)
	if err != nil || cur.Size != 8 {
		t.Fatalf("checkpoint %+v, %v", cur, err)
	}

	var cons evidence.ConsistencyProofJSON
	s.getJSON("/evidence/proof/consistency?old=3", &cons)
	proof, err := evidence.DecodeHashes(cons.Proof)
	if err != nil {
		t.Fatal(err)
	}
	if err := evidence.CheckConsistency(old, cur, proof); err != nil {
		t.Errorf("consistency: %v", err)
	}

	// The record of leaf 5 (a party's constancia carries it).
	rec := records[2]
	h := evidence.RecordHash(rec)
	for _, target := range []string{
		"/evidence/proof/inclusion?index=5&size=8",
		"/evidence/proof/inclusion?index=5",
		"/evidence/proof/inclusion?hash=" + url.QueryEscape(base64.StdEncoding.EncodeToString(h[:])),
		"/evidence/proof/inclusion?hash=" + base64.URLEncoding.EncodeToString(h[:]) + "&size=8",
	} {
		var inc evidence.InclusionProofJSON
		resp := s.getJSON(target, &inc)
		p, err := evidence.DecodeHashes(inc.Proof)
		if err != nil {
			t.Fatal(err)
		}
		if inc.Index != 5 || inc.Size != 8 || inc.RecordHash != h.String() {
			t.Errorf("%s: %+v", target, inc)
		}
		if err := evidence.CheckInclusion(cur, inc.Index, rec, p); err != nil {
			t.Errorf("%s: %v", target, err)
		}
		immutable := strings.Contains(target, "size=")
		if got := strings.Contains(resp.Header.Get("Cache-Control"), "immutable"); got != immutable {
			t.Errorf("%s: Cache-Control %q", target, resp.Header.Get("Cache-Control"))
		}
	}

	var leaf evidenceRecordJSON
	b, _ := s.get("/evidence/records/5", http.StatusOK)
	if err := json.Unmarshal([]byte(b), &leaf); err != nil || leaf.RecordHash != h.String() {
		t.Errorf("records/5 = %s, %v", b, err)
	}
	if strings.Contains(b, "1714307103") || strings.Contains(b, "n-5") {
		t.Errorf("records/5 exposes personal data: %s", b)
	}
}

func TestEvidenceEndpointsRefuseBadRequests(t *testing.T) {
	s := newEvidenceSite(t)
	s.deposit(0, 4)
	cases := []struct {
		target string
		status int
	}{
		{"/evidence/proof/inclusion", http.StatusBadRequest},
		{"/evidence/proof/inclusion?index=x", http.StatusBadRequest},
		{"/evidence/proof/inclusion?index=-1", http.StatusBadRequest},
		{"/evidence/proof/inclusion?index=4", http.StatusNotFound},
		{"/evidence/proof/inclusion?index=0&size=5", http.StatusNotFound},
		{"/evidence/proof/inclusion?hash=abc", http.StatusBadRequest},
		{"/evidence/proof/inclusion?hash=" + base64.URLEncoding.EncodeToString(make([]byte, 32)), http.StatusNotFound},
		{"/evidence/proof/consistency", http.StatusBadRequest},
		{"/evidence/proof/consistency?old=0", http.StatusNotFound},
		{"/evidence/proof/consistency?old=2&new=9", http.StatusNotFound},
		{"/evidence/proof/consistency?old=3&new=2", http.StatusNotFound},
		{"/evidence/records/4", http.StatusNotFound},
		{"/evidence/records/-1", http.StatusBadRequest},
		{"/evidence/records/x", http.StatusBadRequest},
	}
	for _, c := range cases {
		b, resp := s.get(c.target, c.status)
		if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", c.target, ct)
		}
		if lines := strings.Split(strings.TrimSpace(b), "\n"); len(lines) != 2 {
			t.Errorf("%s: want a Spanish and an English line, got %q", c.target, b)
		}
	}
}

func TestEvidenceEndpointsAbsentWithoutALog(t *testing.T) {
	s := newSite(t, nil)
	if resp := s.do("GET", "/evidence/checkpoint", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /evidence/checkpoint without a log = %d", resp.StatusCode)
	}
}
