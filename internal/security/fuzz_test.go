package security_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// FuzzAPIJSON posts arbitrary bodies to the API's JSON endpoints through
// the assembled server: whatever the body, the answer is a success or an
// RFC 9457 problem, never a 5xx, and never another tenant's data.
func FuzzAPIJSON(f *testing.F) {
	fx := newFixture(f, nil)
	for _, seed := range []string{
		`{"recipients":["` + fx.a.citizenNUI + `"],"subject":"Asunto","body":"Texto"}`,
		`{"recipients":["` + fx.b.citizenNUI + `"],"subject":"A","body":"B","deadline":{"kind":"termino","count":10},"tramite":{"expediente":"E-1","title":"T"}}`,
		`{"recipients":[],"subject":"","body":"","file_ids":["../../etc/passwd"],"rectifies":"` + fx.b.notif + `"}`,
		`{"notifications":[{"recipients":["1714307103"],"subject":"x","body":"y"}]}`,
		`{"url":"http://127.0.0.1:1/hook","events":["notification.deposited"]}`,
		`{"subject":"\u0000<script>alert(1)</script>","body":"` + strings.Repeat("a", 300) + `"}`,
		`[]`, `null`, `{"recipients":{"a":1}}`, `{"subject":1e999}`, `{`,
	} {
		f.Add(byte(0), []byte(seed))
	}
	paths := []string{"/api/v1/notifications", "/api/v1/batches", "/api/v1/webhooks"}
	f.Fuzz(func(t *testing.T, which byte, body []byte) {
		path := paths[int(which)%len(paths)]
		r := fx.doT(t, SystemA, http.MethodPost, path, bytes.NewReader(body), "application/json")
		if r.status >= 500 {
			t.Fatalf("POST %s %q: status %d %s", path, body, r.status, r.body)
		}
		if r.status >= 400 && !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("POST %s %q: status %d without problem+json", path, body, r.status)
		}
		if strings.Contains(r.body, fx.b.notif) {
			t.Fatalf("POST %s %q: the answer names institution B's notification", path, body)
		}
	})
}
