package api_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"buzon/internal/api"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestTheDocumentIsOpenAPI31AndServed(t *testing.T) {
	doc, err := specDoc()
	if err != nil {
		t.Fatalf("the OpenAPI document does not load or validate: %v", err)
	}
	if doc.OpenAPI != "3.1.0" || !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if doc.Webhooks == nil || doc.Webhooks["notificationEvent"] == nil {
		t.Error("the document does not describe the webhooks")
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := e.do(req{method: "GET", path: "/api/v1/openapi.json"})
		wantStatus(t, r, http.StatusOK)
		if !bytes.Equal(r.Body, api.Spec()) {
			t.Error("the served document differs from the embedded one")
		}
	})
}

func TestAuthentication(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		revoked := e.newKey(e.inst.ID, "live")
		keys, err := e.keys.List(e.ctx, e.admin, e.inst.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if strings.HasPrefix(revoked, k.Prefix) {
				if err := e.keys.Revoke(e.ctx, e.admin, e.inst.ID, k.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		path := "/api/v1/recipients/" + e.citizens[0]
		tests := []struct {
			name   string
			header string
			status int
			code   string
		}{
			{"no header", "", 401, "api_key_missing"},
			{"basic scheme", "Basic dXNlcjpwdw==", 401, "api_key_invalid"},
			{"not a key", "Bearer hola", 401, "api_key_invalid"},
			{"unknown key", "Bearer bzn_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 401, "api_key_invalid"},
			{"right prefix, wrong secret", "Bearer " + e.live[:17] + strings.Repeat("a", 24), 401, "api_key_invalid"},
			{"revoked key", "Bearer " + revoked, 401, "api_key_revoked"},
			{"lower-case scheme works", "bearer " + e.live, 200, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := map[string]string{}
				if tt.header != "" {
					h["Authorization"] = tt.header
				}
				r := e.do(req{method: "GET", path: path, header: h})
				if tt.code == "" {
					wantStatus(t, r, tt.status)
					return
				}
				wantProblem(t, r, tt.status, tt.code)
				if r.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			})
		}
		// The institution is suspended: every key stops, with 403.
		e.write(func(tx *store.Tx) error {
			return tx.SetInstitutionState(context.Background(), e.inst.ID, "suspendida", "resolución MINTEL", e.clock.Now())
		})
		wantProblem(t, e.get(path, e.live), 403, "institution_suspended")
		wantProblem(t, e.post("/api/v1/notifications", e.test, note(e.citizens[0])), 403, "institution_suspended")
		e.write(func(tx *store.Tx) error {
			if err := tx.SetInstitutionState(context.Background(), e.inst.ID, "activa", "", e.clock.Now()); err != nil {
				return err
			}
			return tx.SetInstitutionModality(context.Background(), e.inst.ID, "plataforma", e.clock.Now())
		})
		wantProblem(t, e.get(path, e.live), 403, "institution_not_interconnection")
		// The other institution is unaffected.
		wantStatus(t, e.get(path, e.otherLive), 200)
	})
}

func TestRecipients(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var got struct {
			NUI    string `json:"nui"`
			Active bool   `json:"active"`
		}
		r := e.get("/api/v1/recipients/"+e.citizens[1], e.live)
		wantStatus(t, r, 200)
		r.json(t, &got)
		if !got.Active || got.NUI != e.citizens[1] {
			t.Errorf("a citizen with a buzón = %+v", got)
		}
		nobody := e.unregistered()
		r = e.get("/api/v1/recipients/"+nobody, e.test)
		wantStatus(t, r, 200)
		r.json(t, &got)
		if got.Active {
			t.Errorf("a N.U.I. without a buzón = %+v", got)
		}
		if strings.Contains(string(r.Body), "María") {
			t.Error("personal data in the answer")
		}
		for _, bad := range []string{"1714307104", "abc", "17143071030"} {
			wantProblem(t, e.get("/api/v1/recipients/"+bad, e.live), 422, "recipient_invalid")
		}
	})
}

func TestUnknownRoutesAndMethodsAnswerProblems(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		wantProblem(t, e.get("/api/v1/nada", e.live), 404, "not_found")
		wantProblem(t, e.do(req{method: "DELETE", path: "/api/v1/notifications", key: e.live}), 405, "method_not_allowed")
		wantProblem(t, e.do(req{method: "PUT", path: "/api/v1/webhooks", key: e.live}), 405, "method_not_allowed")
		wantProblem(t, e.get("/api/v1/notifications/not-a-uuid", e.live), 404, "not_found")
		wantProblem(t, e.get("/api/v1/notifications/"+store.NewID(), e.live), 404, "not_found")
		wantProblem(t, e.get("/api/v1/batches/"+store.NewID(), e.live), 404, "not_found")
		wantProblem(t, e.get("/api/v1/webhooks/"+store.NewID(), e.live), 404, "not_found")
		r := e.get("/api/v1/nada", "")
		if r.Header.Get("X-Request-Id") == "" || !strings.Contains(r.problem(t).Instance, r.Header.Get("X-Request-Id")) {
			t.Errorf("the problem does not name the request id: %s", r.Body)
		}
	})
}
