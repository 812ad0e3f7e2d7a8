package api

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"buzon/internal/notification"
)

func FuzzCursors(f *testing.F) {
	f.Add(listCursor(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC), "0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"))
	f.Add(eventCursor(41))
	f.Add("")
	f.Add("bjF8LTF8eA")
	f.Fuzz(func(t *testing.T, s string) {
		if at, id, ok := parseListCursor(s); ok {
			if again := listCursor(at, id); again != s {
				if at2, id2, ok2 := parseListCursor(again); !ok2 || !at2.Equal(at) || id2 != id {
					t.Fatalf("list cursor %q does not round-trip", s)
				}
			}
		}
		if leaf, ok := parseEventCursor(s); ok {
			if leaf < -1 {
				t.Fatalf("event cursor %q gave leaf %d", s, leaf)
			}
			if l2, ok2 := parseEventCursor(eventCursor(leaf)); !ok2 || l2 != leaf {
				t.Fatalf("event cursor %q does not round-trip", s)
			}
		}
	})
}

func FuzzIdempotencyKey(f *testing.F) {
	for _, s := range []string{"pedido-1", `"pedido-1"`, "", " ", `"`, `""`, strings.Repeat("k", 256), "a\x00b", "clave con espacio"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := httptest.NewRequest("POST", "/api/v1/notifications", nil)
		r.Header.Set(idempotencyHeader, s)
		k, p := idempotencyKey(r)
		if p != nil {
			if k != "" || p.Status != 400 {
				t.Fatalf("refused %q with %+v and key %q", s, p, k)
			}
			return
		}
		if k == "" || len(k) > 255 || strings.ContainsAny(k, "\" \t\\") {
			t.Fatalf("accepted %q as %q", s, k)
		}
	})
}

func FuzzDecodeNotificationRequest(f *testing.F) {
	f.Add(`{"recipients":["1714307103"],"subject":"s","body":"b","deadline":{"kind":"termino","count":10}}`)
	f.Add(`{"recipients":"x"}`)
	f.Add(`{"x":1}`)
	f.Add(`{} {}`)
	f.Add(`{"deadline":{"kind":"date","date":"2026-02-30"}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var req notificationRequest
		p := decodeStrict([]byte(body), &req)
		if p != nil {
			if p.Status != 400 || p.Code == "" || p.Detail == "" || p.DetailEN == "" {
				t.Fatalf("problem %+v for %q", p, body)
			}
			return
		}
		// Whatever decodes, the deadline either converts or is refused with its code.
		if _, err := req.Deadline.deadline(); err != nil && !errors.Is(err, notification.ErrDeadlineInvalid) {
			t.Fatalf("deadline error %v", err)
		}
	})
}
