package api_test

import (
	"strconv"
	"testing"
	"time"

	"buzon/internal/api"
	"buzon/internal/notification"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestTestKeysAreASandbox(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.write(func(tx *store.Tx) error { return tx.SetInstitutionQuota(e.ctx, e.inst.ID, 1, e.clock.Now()) })
		nobody := e.unregistered()
		var ids []string
		for range 3 { // three times the quota
			r := e.post("/api/v1/notifications", e.test, note(e.citizens[0], nobody))
			wantStatus(t, r, 201)
			var got submissionResult
			r.json(t, &got)
			if got.Mode != "test" || got.Deposited != 1 || got.Results[1].Code != "recipient_not_registered" || got.SubmissionID != "" {
				t.Fatalf("sandbox answer = %+v", got)
			}
			ids = append(ids, got.Results[0].NotificationID)
		}
		// Answered like live ones, but nothing reached a citizen.
		if rows, _ := db.Reader().APINotifications(e.ctx, store.APINotificationQuery{InstitutionID: e.inst.ID}); len(rows) != 0 {
			t.Errorf("sandbox deposited %d real notifications", len(rows))
		}
		if n := e.countJobs(notification.AlertKind); n != 0 {
			t.Errorf("sandbox queued %d alerts", n)
		}
		// The sandbox answers reads of what it "sent", and only to test keys.
		r := e.get("/api/v1/notifications/"+ids[0], e.test)
		wantStatus(t, r, 200)
		var v notificationView
		r.json(t, &v)
		if v.Mode != "test" || v.Recipient != e.citizens[0] || len(v.Events) != 2 {
			t.Errorf("sandbox notification = %+v", v)
		}
		wantProblem(t, e.get("/api/v1/notifications/"+ids[0], e.live), 404, "not_found")
		if got := listWith(t, e, e.test); len(got) != 3 {
			t.Errorf("sandbox list = %v", got)
		}
		// The live quota was untouched by the sandbox: one live send fits, the next does not.
		wantStatus(t, e.post("/api/v1/notifications", e.live, note(e.citizens[0])), 201)
		r = e.post("/api/v1/notifications", e.live, note(e.citizens[1]))
		wantProblem(t, r, 429, "quota_exceeded")
		secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
		// 10:00 in Ecuador: 14 hours to midnight.
		if err != nil || secs < 14*3600 || secs > 14*3600+1 {
			t.Errorf("quota Retry-After = %q, want the seconds to midnight in Ecuador", r.Header.Get("Retry-After"))
		}
	})
}

func TestRateLimitPerInstitution(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		// Two nodes sharing the database count together.
		limit := func(o *api.Options) { o.Limiter = &api.StoreLimiter{DB: db, Limit: 3, Window: time.Minute} }
		e := newEnv(t, db, limit)
		second := newEnvSharing(t, e, limit)
		e.clock.Advance(10 * time.Second) // 10 s into a window
		path := "/api/v1/recipients/" + e.citizens[0]
		r := e.get(path, e.live)
		wantStatus(t, r, 200)
		if r.Header.Get("RateLimit-Limit") != "3" || r.Header.Get("RateLimit-Remaining") != "2" || r.Header.Get("RateLimit-Reset") != "50" ||
			r.Header.Get("RateLimit-Policy") != "3;w=60" {
			t.Errorf("headers = %v", r.Header)
		}
		wantStatus(t, second.get(path, e.test), 200) // the test key counts too: the limit is the institution's
		wantStatus(t, e.get(path, e.live), 200)
		r = second.get(path, e.live)
		wantProblem(t, r, 429, "rate_limited")
		if r.Header.Get("Retry-After") != "50" || r.Header.Get("RateLimit-Remaining") != "0" {
			t.Errorf("429 headers = %v", r.Header)
		}
		// Another institution has its own count.
		wantStatus(t, e.get(path, e.otherLive), 200)
		// The next window starts afresh.
		e.clock.Advance(50 * time.Second)
		wantStatus(t, e.get(path, e.live), 200)
	})
}

// newEnvSharing is a second node: another API over the same database and keys.
func newEnvSharing(t *testing.T, e *env, opts ...envOption) *env {
	t.Helper()
	o := api.Options{DB: e.db, Keys: e.keys, Notifications: e.notif, Webhooks: e.hooks, Now: e.clock.Now}
	for _, opt := range opts {
		opt(&o)
	}
	a, err := api.New(o)
	if err != nil {
		t.Fatal(err)
	}
	c := *e
	c.api = a
	if c.site, err = newSite(a); err != nil {
		t.Fatal(err)
	}
	return &c
}
