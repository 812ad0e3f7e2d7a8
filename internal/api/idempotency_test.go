package api_test

import (
	"bytes"
	"net/http"
	"sync"
	"testing"

	"buzon/internal/notification"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestIdempotencyReplaysConflictsAndReuse(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		send := func(key, idem string, body any) *res {
			return e.do(req{method: "POST", path: "/api/v1/notifications", key: key, idem: idem, body: body})
		}
		first := send(e.live, "pedido-1", note(e.citizens[0]))
		wantStatus(t, first, 201)
		if first.Header.Get("Idempotency-Replayed") != "" {
			t.Error("the first answer says it is a replay")
		}
		again := send(e.live, "pedido-1", note(e.citizens[0]))
		wantStatus(t, again, 201)
		if again.Header.Get("Idempotency-Replayed") != "true" || !bytes.Equal(again.Body, first.Body) {
			t.Errorf("replay: header %q, body equal %v", again.Header.Get("Idempotency-Replayed"), bytes.Equal(again.Body, first.Body))
		}
		// A quoted key (Structured Field string) is the same key.
		quoted := send(e.live, `"pedido-1"`, note(e.citizens[0]))
		if quoted.Header.Get("Idempotency-Replayed") != "true" {
			t.Error("a quoted key is not the same key")
		}
		// The same key with another body is refused, and changes nothing.
		wantProblem(t, send(e.live, "pedido-1", note(e.citizens[1])), 422, "idempotency_key_reused")
		// Keys are per API key: another key (even of the same institution) starts afresh.
		wantStatus(t, send(e.test, "pedido-1", note(e.citizens[1])), 201)
		wantStatus(t, send(e.otherLive, "pedido-1", note(e.citizens[1])), 201)
		if n := e.countJobs(notification.AlertKind); n != 2 {
			t.Errorf("alerts queued = %d, want 2 (one per live deposit)", n)
		}
		// A refused request stores nothing: the key can be used for the corrected one.
		bad := note(e.citizens[2])
		bad["category"] = "chisme"
		wantProblem(t, send(e.live, "pedido-2", bad), 422, "validation_failed")
		wantStatus(t, send(e.live, "pedido-2", note(e.citizens[2])), 201)
	})
}

// TestConcurrentRetriesCreateOneNotification sends the same POST twenty
// times at once with one Idempotency-Key: exactly one notification is
// deposited; the others get the stored answer or "in progress".
func TestConcurrentRetriesCreateOneNotification(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		body := note(e.citizens[0])
		const n = 20
		results := make([]*res, n)
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-gate
				results[i] = e.do(req{method: "POST", path: "/api/v1/notifications", key: e.live, idem: "misma-clave", body: body})
			})
		}
		close(gate)
		wg.Wait()
		var created, replayed, inProgress int
		var firstBody []byte
		for _, r := range results {
			switch {
			case r.Status == http.StatusCreated && r.Header.Get("Idempotency-Replayed") == "":
				created++
				firstBody = r.Body
			case r.Status == http.StatusCreated:
				replayed++
			case r.Status == http.StatusConflict:
				inProgress++
				if p := r.problem(t); p.Code != "idempotency_key_in_progress" {
					t.Errorf("409 with code %q", p.Code)
				}
			default:
				t.Errorf("unexpected answer %d: %s", r.Status, r.Body)
			}
		}
		if created != 1 || created+replayed+inProgress != n {
			t.Fatalf("created %d, replayed %d, in progress %d", created, replayed, inProgress)
		}
		for _, r := range results {
			if r.Status == http.StatusCreated && !bytes.Equal(r.Body, firstBody) {
				t.Errorf("a replay differs from the original answer")
			}
		}
		rows, err := db.Reader().APINotifications(e.ctx, store.APINotificationQuery{InstitutionID: e.inst.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Errorf("notifications deposited = %d, want exactly 1", len(rows))
		}
		if n := e.countJobs(notification.AlertKind); n != 1 {
			t.Errorf("alerts queued = %d, want 1", n)
		}
		// After the dust settles, a retry gets the stored answer.
		r := e.do(req{method: "POST", path: "/api/v1/notifications", key: e.live, idem: "misma-clave", body: body})
		if r.Status != http.StatusCreated || r.Header.Get("Idempotency-Replayed") != "true" || !bytes.Equal(r.Body, firstBody) {
			t.Errorf("late retry = %d %q", r.Status, r.Header.Get("Idempotency-Replayed"))
		}
	})
}
