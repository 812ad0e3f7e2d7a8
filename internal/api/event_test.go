package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/identity"
	"buzon/internal/nui"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
	"buzon/internal/webhook"
)

type eventPage struct {
	Events     []webhook.Event `json:"events"`
	NextCursor string          `json:"next_cursor"`
	HasMore    bool            `json:"has_more"`
}

// open has the citizen open a notification in his buzón.
func (e *env) open(citizenNUI, id string) {
	e.t.Helper()
	var identityID string
	e.write(func(tx *store.Tx) error {
		idn, err := tx.IdentityByNUI(e.ctx, citizenNUI)
		identityID = idn.ID
		return err
	})
	p := &identity.Principal{Account: identity.Account{ID: identityID, NUI: nui.NUI(citizenNUI), State: "activa"},
		Roles: []identity.Grant{{Role: identity.RoleCitizen}}}
	if _, err := e.notif.Open(e.ctx, p, id); err != nil {
		e.t.Fatal(err)
	}
}

func TestTheEventFeed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := e.post("/api/v1/notifications", e.live, note(e.citizens[0]))
		var sent submissionResult
		r.json(t, &sent)
		id := sent.Results[0].NotificationID
		e.post("/api/v1/notifications", e.otherLive, note(e.citizens[1]))
		// Nothing shows until the evidence log integrates it.
		r = e.get("/api/v1/events", e.live)
		wantStatus(t, r, 200)
		var page eventPage
		r.json(t, &page)
		if len(page.Events) != 0 || page.NextCursor == "" {
			t.Fatalf("before integration = %+v", page)
		}
		cursor := page.NextCursor
		e.integrate()
		r = e.get("/api/v1/events?cursor="+url.QueryEscape(cursor), e.live)
		page = eventPage{}
		r.json(t, &page)
		if len(page.Events) != 1 || page.Events[0].Type != webhook.Deposited || page.Events[0].NotificationID != id ||
			page.Events[0].Reference != "SRI-2026-00123" || page.Events[0].Recipient != e.citizens[0] {
			t.Fatalf("after the deposit = %+v", page)
		}
		cursor = page.NextCursor
		e.clock.Advance(3600e9)
		e.open(e.citizens[0], id)
		e.integrate()
		r = e.get("/api/v1/events?cursor="+url.QueryEscape(cursor), e.live)
		page = eventPage{}
		r.json(t, &page)
		if len(page.Events) != 1 || page.Events[0].Type != webhook.Opened || page.Events[0].Details["first"] != "true" {
			t.Fatalf("after the opening = %+v", page)
		}
		// Polling again with the last cursor gives nothing new; from the start, both in order.
		r = e.get("/api/v1/events?cursor="+url.QueryEscape(page.NextCursor), e.live)
		var empty eventPage
		r.json(t, &empty)
		if len(empty.Events) != 0 || empty.NextCursor != page.NextCursor {
			t.Errorf("poll with nothing new = %+v", empty)
		}
		r = e.get("/api/v1/events?limit=1", e.live)
		var first eventPage
		r.json(t, &first)
		if len(first.Events) != 1 || !first.HasMore || first.Events[0].Type != webhook.Deposited {
			t.Errorf("first page of one = %+v", first)
		}
		// The other institution sees only its own; the sandbox sees nothing.
		r = e.get("/api/v1/events", e.otherLive)
		var other eventPage
		r.json(t, &other)
		if len(other.Events) != 1 || other.Events[0].Recipient != e.citizens[1] {
			t.Errorf("other institution's feed = %+v", other)
		}
		r = e.get("/api/v1/events", e.test)
		var sandbox eventPage
		r.json(t, &sandbox)
		if len(sandbox.Events) != 0 {
			t.Errorf("sandbox feed = %+v", sandbox)
		}
		wantProblem(t, e.get("/api/v1/events?cursor=zzz", e.live), 400, "cursor_invalid")
		wantProblem(t, e.get("/api/v1/events?limit=5000", e.live), 400, "limit_invalid")
		// The notification's state and timeline now show the opening.
		r = e.get("/api/v1/notifications/"+id, e.live)
		var v notificationView
		r.json(t, &v)
		if v.State != "opened" || len(v.Events) != 3 || v.Events[2].Type != "opened" || v.Events[2].Actor != "citizen" {
			t.Errorf("opened notification = %+v", v)
		}
		if got := listState(t, e, "opened"); !cmp.Equal(got, []string{id}) {
			t.Errorf("state=opened = %v", got)
		}
	})
}

func listState(t *testing.T, e *env, state string) []string {
	t.Helper()
	r := e.get("/api/v1/notifications?state="+state, e.live)
	wantStatus(t, r, 200)
	var p struct {
		Notifications []notificationView `json:"notifications"`
	}
	r.json(t, &p)
	var out []string
	for _, n := range p.Notifications {
		out = append(out, n.ID)
	}
	return out
}

type webhookView struct {
	ID         string              `json:"id"`
	URL        string              `json:"url"`
	EventTypes []webhook.EventType `json:"event_types"`
	State      string              `json:"state"`
	Secret     string              `json:"secret"`
	Deliveries []struct {
		EventType string `json:"event_type"`
		State     string `json:"state"`
		Attempts  []struct {
			Status int `json:"status"`
		} `json:"attempts"`
	} `json:"deliveries"`
}

func TestWebhooksThroughTheAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var mu sync.Mutex
		var got []http.Header
		var bodies [][]byte
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got, bodies = append(got, r.Header.Clone()), append(bodies, b)
			mu.Unlock()
			w.WriteHeader(204)
		}))
		defer rcv.Close()
		r := e.post("/api/v1/webhooks", e.live, map[string]any{"url": rcv.URL + "/eventos", "description": "ERP",
			"event_types": []string{"notification.deposited", "notification.opened"}})
		wantStatus(t, r, 201)
		var created webhookView
		r.json(t, &created)
		if created.Secret == "" || created.State != "active" || r.Header.Get("Location") != "/api/v1/webhooks/"+created.ID {
			t.Fatalf("created = %+v", created)
		}
		// The secret is never shown again.
		r = e.get("/api/v1/webhooks", e.live)
		var list struct {
			Webhooks []webhookView `json:"webhooks"`
		}
		r.json(t, &list)
		if len(list.Webhooks) != 1 || list.Webhooks[0].Secret != "" {
			t.Errorf("list = %+v", list)
		}
		// A deposit reaches it, signed.
		e.post("/api/v1/notifications", e.live, note(e.citizens[0]))
		e.integrate()
		if _, err := e.hooks.Dispatch(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.runJobs()
		// And a test event.
		r = e.post("/api/v1/webhooks/"+created.ID+"/test", e.live, nil)
		wantStatus(t, r, 202)
		e.runJobs()
		mu.Lock()
		if len(got) != 2 {
			t.Fatalf("the receiver got %d requests, want 2", len(got))
		}
		key, _ := webhook.SecretKey(created.Secret)
		for i, h := range got {
			ts, _ := json.Number(h.Get("webhook-timestamp")).Int64()
			want := webhook.Sign(key, h.Get("webhook-id"), e.clock.Now(), bodies[i])
			if ts != e.clock.Now().Unix() || h.Get("webhook-signature") != want {
				t.Errorf("request %d is not signed with the secret", i)
			}
		}
		var msg webhook.Message
		json.Unmarshal(bodies[1], &msg)
		if msg.Type != webhook.Test {
			t.Errorf("second message = %+v", msg)
		}
		mu.Unlock()
		// The delivery log.
		r = e.get("/api/v1/webhooks/"+created.ID, e.live)
		wantStatus(t, r, 200)
		var one webhookView
		r.json(t, &one)
		if len(one.Deliveries) != 2 || one.Deliveries[0].State != "delivered" || one.Deliveries[1].Attempts[0].Status != 204 {
			t.Errorf("delivery log = %+v", one)
		}
		// Another institution cannot see, test or delete it.
		wantProblem(t, e.get("/api/v1/webhooks/"+created.ID, e.otherLive), 404, "not_found")
		wantProblem(t, e.post("/api/v1/webhooks/"+created.ID+"/test", e.otherLive, nil), 404, "not_found")
		wantProblem(t, e.do(req{method: "DELETE", path: "/api/v1/webhooks/" + created.ID, key: e.otherLive}), 404, "not_found")
		// Refusals.
		wantProblem(t, e.post("/api/v1/webhooks", e.live, map[string]any{"url": "ftp://x.example/"}), 422, "webhook_url_invalid")
		wantProblem(t, e.post("/api/v1/webhooks", e.live, map[string]any{"url": "https://x.example/", "event_types": []string{"notification.perdida"}}),
			422, "webhook_event_type_unknown")
		wantProblem(t, e.post("/api/v1/webhooks", e.live, map[string]any{"url": "https://x.example/", "secreto": "x"}), 400, "unknown_field")
		// Deleted: gone from the list, 404 afterwards.
		r = e.do(req{method: "DELETE", path: "/api/v1/webhooks/" + created.ID, key: e.live})
		wantStatus(t, r, 204)
		wantProblem(t, e.do(req{method: "DELETE", path: "/api/v1/webhooks/" + created.ID, key: e.live}), 404, "not_found")
		r = e.get("/api/v1/webhooks", e.live)
		list.Webhooks = nil
		r.json(t, &list)
		if len(list.Webhooks) != 0 {
			t.Errorf("after delete = %+v", list)
		}
	})
}

func TestProductionRefusesLoopbackWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.hooks.AllowPrivate = false
		for _, u := range []string{"http://sistema.example/eventos", "https://127.0.0.1/eventos", "https://localhost/x", "https://10.0.0.8/x"} {
			r := e.post("/api/v1/webhooks", e.live, map[string]any{"url": u})
			if r.Status != 422 {
				t.Errorf("%s: %d %s", u, r.Status, r.Body)
			}
		}
		wantStatus(t, e.post("/api/v1/webhooks", e.live, map[string]any{"url": "https://sistema.example/eventos"}), 201)
	})
}
