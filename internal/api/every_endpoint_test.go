package api_test

import (
	"context"
	"strings"
	"testing"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// endpoint is one authenticated operation with a request that would succeed.
type endpoint struct {
	method, path string
	body         any
	contentType  string
}

func (e *env) endpoints(notificationID, batchID, webhookID string) []endpoint {
	return []endpoint{
		{"POST", "/api/v1/files", pdf, "application/pdf"},
		{"POST", "/api/v1/notifications", note(e.citizens[0]), ""},
		{"GET", "/api/v1/notifications", nil, ""},
		{"GET", "/api/v1/notifications/" + notificationID, nil, ""},
		{"POST", "/api/v1/batches", map[string]any{"notifications": []any{note(e.citizens[0])}}, ""},
		{"GET", "/api/v1/batches/" + batchID, nil, ""},
		{"GET", "/api/v1/recipients/" + e.citizens[0], nil, ""},
		{"GET", "/api/v1/events", nil, ""},
		{"GET", "/api/v1/webhooks", nil, ""},
		{"POST", "/api/v1/webhooks", map[string]any{"url": "https://erp.example/eventos"}, ""},
		{"GET", "/api/v1/webhooks/" + webhookID, nil, ""},
		{"POST", "/api/v1/webhooks/" + webhookID + "/test", nil, ""},
		{"DELETE", "/api/v1/webhooks/" + webhookID, nil, ""},
	}
}

// TestEveryEndpointChecksTheKeyAndTheInstitution sends every operation
// without a key, with a malformed, unknown and revoked key, for a suspended
// institution, and with another institution's key on this one's ids.
func TestEveryEndpointChecksTheKeyAndTheInstitution(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var sent submissionResult
		e.post("/api/v1/notifications", e.live, note(e.citizens[0])).json(t, &sent)
		var b batchView
		e.post("/api/v1/batches", e.live, map[string]any{"notifications": []any{note(e.citizens[1])}}).json(t, &b)
		var w webhookView
		e.post("/api/v1/webhooks", e.live, map[string]any{"url": "https://erp.example/x"}).json(t, &w)
		eps := e.endpoints(sent.Results[0].NotificationID, b.ID, w.ID)

		revoked := e.newKey(e.inst.ID, "live")
		keys, _ := e.keys.List(e.ctx, e.admin, e.inst.ID)
		for _, k := range keys {
			if strings.HasPrefix(revoked, k.Prefix) {
				if err := e.keys.Revoke(e.ctx, e.admin, e.inst.ID, k.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		send := func(ep endpoint, key string) *res {
			idem := ""
			if ep.method == "POST" {
				idem = store.NewID()
			}
			return e.do(req{method: ep.method, path: ep.path, key: key, idem: idem, body: ep.body, contentType: ep.contentType})
		}
		for _, ep := range eps {
			name := ep.method + " " + ep.path
			if r := send(ep, ""); r.Status != 401 || r.problem(t).Code != "api_key_missing" {
				t.Errorf("%s without a key: %d %s", name, r.Status, r.Body)
			}
			if r := send(ep, "not-a-key"); r.Status != 401 || r.problem(t).Code != "api_key_invalid" {
				t.Errorf("%s with a malformed key: %d %s", name, r.Status, r.Body)
			}
			if r := send(ep, "bzn_live_"+strings.Repeat("q", 32)); r.Status != 401 || r.problem(t).Code != "api_key_invalid" {
				t.Errorf("%s with an unknown key: %d %s", name, r.Status, r.Body)
			}
			if r := send(ep, revoked); r.Status != 401 || r.problem(t).Code != "api_key_revoked" {
				t.Errorf("%s with a revoked key: %d %s", name, r.Status, r.Body)
			}
		}
		// Another institution's key on this institution's ids: 404, and nothing of it in the answer.
		for _, ep := range eps {
			if !strings.Contains(ep.path, sent.Results[0].NotificationID) && !strings.Contains(ep.path, b.ID) &&
				!strings.Contains(ep.path, w.ID) {
				continue
			}
			r := send(ep, e.otherLive)
			if r.Status != 404 || r.problem(t).Code != "not_found" {
				t.Errorf("%s %s with another institution's key: %d %s", ep.method, ep.path, r.Status, r.Body)
			}
			for _, secret := range []string{e.citizens[0], e.citizens[1], "erp.example", "SRI-2026"} {
				if strings.Contains(string(r.Body), secret) {
					t.Errorf("%s %s leaked %q to another institution", ep.method, ep.path, secret)
				}
			}
		}
		// A suspended institution: 403 everywhere, for both its keys.
		e.write(func(tx *store.Tx) error {
			return tx.SetInstitutionState(context.Background(), e.inst.ID, "suspendida", "resolución", e.clock.Now())
		})
		for _, ep := range eps {
			for _, key := range []string{e.live, e.test} {
				if r := send(ep, key); r.Status != 403 || r.problem(t).Code != "institution_suspended" {
					t.Errorf("%s %s for a suspended institution: %d %s", ep.method, ep.path, r.Status, r.Body)
				}
			}
		}
	})
}
