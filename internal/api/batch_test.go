package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"buzon/internal/api"
	"buzon/internal/notification"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

type batchView struct {
	ID          string `json:"id"`
	Mode        string `json:"mode"`
	State       string `json:"state"`
	Total       int    `json:"total"`
	Processed   int    `json:"processed"`
	Succeeded   int    `json:"succeeded"`
	Failed      int    `json:"failed"`
	Deposited   int    `json:"deposited"`
	Refused     int    `json:"refused"`
	CompletedAt string `json:"completed_at"`
	Items       []struct {
		Position int               `json:"position"`
		Status   string            `json:"status"`
		Result   *submissionResult `json:"result"`
		Error    *api.Problem      `json:"error"`
	} `json:"items"`
	NextAfter *int `json:"next_after"`
}

func (e *env) batch(key, id, query string) batchView {
	e.t.Helper()
	r := e.get("/api/v1/batches/"+id+query, key)
	wantStatus(e.t, r, 200)
	var b batchView
	r.json(e.t, &b)
	return b
}

func TestBatchesAreProcessedInTheBackground(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, func(o *api.Options) { o.MaxBatchItems = 5 })
		invalid := note(e.citizens[1])
		invalid["category"] = "chisme"
		missingFile := note(e.citizens[2])
		missingFile["file_ids"] = []string{store.NewID()}
		items := []any{note(e.citizens[0]), note(e.unregistered()), invalid, missingFile, note(e.citizens[1], e.citizens[2])}
		r := e.post("/api/v1/batches", e.live, map[string]any{"notifications": items})
		wantStatus(t, r, 202)
		var b batchView
		r.json(t, &b)
		if b.State != "accepted" || b.Total != 5 || b.Processed != 0 || r.Header.Get("Location") != "/api/v1/batches/"+b.ID {
			t.Fatalf("accepted batch = %+v, Location %q", b, r.Header.Get("Location"))
		}
		got := e.batch(e.live, b.ID, "")
		if got.Processed != 0 || len(got.Items) != 5 || got.Items[0].Status != "pending" {
			t.Errorf("before processing = %+v", got)
		}
		// Part of it: the progress shows.
		if _, done, err := e.api.ProcessBatch(e.ctx, b.ID, 2); err != nil || done {
			t.Fatalf("first chunk: done %v, %v", done, err)
		}
		got = e.batch(e.live, b.ID, "")
		if got.State != "processing" || got.Processed != 2 || got.Items[1].Status != "succeeded" || got.Items[2].Status != "pending" {
			t.Errorf("mid-way = %+v", got)
		}
		e.runJobs()
		got = e.batch(e.live, b.ID, "")
		if got.State != "completed" || got.Processed != 5 || got.Succeeded != 3 || got.Failed != 2 || got.Deposited != 3 ||
			got.Refused != 1 || got.CompletedAt == "" {
			t.Errorf("completed = %+v", got)
		}
		if it := got.Items[2]; it.Status != "failed" || it.Error == nil || it.Error.Code != "validation_failed" {
			t.Errorf("invalid item = %+v", it)
		}
		if it := got.Items[3]; it.Error == nil || it.Error.Code != "file_not_found" {
			t.Errorf("item with a missing file = %+v", it)
		}
		if it := got.Items[4]; it.Result == nil || it.Result.Deposited != 2 {
			t.Errorf("item to two citizens = %+v", it)
		}
		if n := e.countJobs(notification.AlertKind); n != 3 {
			t.Errorf("alerts queued = %d, want 3", n)
		}
		// Paging the items.
		page := e.batch(e.live, b.ID, "?after=2&limit=2")
		if len(page.Items) != 2 || page.Items[0].Position != 3 || page.NextAfter == nil || *page.NextAfter != 4 {
			t.Errorf("page = %+v", page)
		}
		// Nobody else sees it.
		wantProblem(t, e.get("/api/v1/batches/"+b.ID, e.otherLive), 404, "not_found")
		wantProblem(t, e.get("/api/v1/batches/"+b.ID, e.test), 404, "not_found")
		wantProblem(t, e.get("/api/v1/batches/"+b.ID+"?after=-1", e.live), 400, "after_invalid")
		// Refused batches.
		wantProblem(t, e.post("/api/v1/batches", e.live, map[string]any{"notifications": []any{}}), 422, "batch_size")
		six := []any{note(e.citizens[0]), note(e.citizens[0]), note(e.citizens[0]), note(e.citizens[0]), note(e.citizens[0]), note(e.citizens[0])}
		wantProblem(t, e.post("/api/v1/batches", e.live, map[string]any{"notifications": six}), 422, "batch_size")
		bad := note(e.citizens[0])
		bad["prioridad"] = 1
		p := wantProblem(t, e.post("/api/v1/batches", e.live, map[string]any{"notifications": []any{note(e.citizens[0]), bad}}), 400, "unknown_field")
		if len(p.Errors) != 1 || p.Errors[0].Field != "notifications[1].prioridad" {
			t.Errorf("malformed item problem = %+v", p)
		}
	})
}

func TestATestKeysBatchStaysInTheSandbox(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := e.post("/api/v1/batches", e.test, map[string]any{"notifications": []any{note(e.citizens[0]), note(e.citizens[1])}})
		wantStatus(t, r, 202)
		var b batchView
		r.json(t, &b)
		e.runJobs()
		got := e.batch(e.test, b.ID, "")
		if got.Mode != "test" || got.State != "completed" || got.Deposited != 2 {
			t.Errorf("sandbox batch = %+v", got)
		}
		if n := e.countJobs(notification.AlertKind); n != 0 {
			t.Errorf("a sandbox batch queued %d alerts", n)
		}
		wantProblem(t, e.get("/api/v1/batches/"+b.ID, e.live), 404, "not_found")
	})
}

// TestABatchOfTenThousand deposits 10 000 notifications from one request,
// looking at the progress while it runs.
func TestABatchOfTenThousand(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.write(func(tx *store.Tx) error { return tx.SetInstitutionQuota(e.ctx, e.inst.ID, 20000, e.clock.Now()) })
		const n = 10_000
		items := make([]any, n)
		for i := range items {
			body := note(e.citizens[i%len(e.citizens)])
			body["reference"] = fmt.Sprintf("LOTE-%05d", i)
			items[i] = body
		}
		began := time.Now()
		r := e.post("/api/v1/batches", e.live, map[string]any{"notifications": items})
		wantStatus(t, r, 202)
		var b batchView
		r.json(t, &b)
		if b.Total != n {
			t.Fatalf("total = %d", b.Total)
		}
		if _, _, err := e.api.ProcessBatch(e.ctx, b.ID, 1000); err != nil {
			t.Fatal(err)
		}
		mid := e.batch(e.live, b.ID, "?after=999&limit=2")
		if mid.State != "processing" || mid.Processed != 1000 || mid.Deposited != 1000 ||
			mid.Items[0].Status != "succeeded" || mid.Items[1].Status != "pending" {
			t.Errorf("progress while running = %+v", mid)
		}
		// The rest as the job does it (the job kind itself is exercised by the
		// smaller batches: here the runner would also run 10 000 alerts).
		for {
			_, finished, err := e.api.ProcessBatch(e.ctx, b.ID, 500)
			if err != nil {
				t.Fatal(err)
			}
			if finished {
				break
			}
		}
		done := e.batch(e.live, b.ID, "?after=9998")
		if done.State != "completed" || done.Processed != n || done.Deposited != n || done.Failed != 0 ||
			len(done.Items) != 2 || !strings.HasPrefix(done.Items[1].Result.Results[0].Status, "deposited") {
			t.Errorf("completed batch = %+v", done)
		}
		if got := e.countJobs(notification.AlertKind); got != n {
			t.Errorf("alert jobs queued = %d, want %d", got, n)
		}
		rows, err := db.Reader().APINotifications(e.ctx, store.APINotificationQuery{InstitutionID: e.inst.ID, Reference: "LOTE-09999"})
		if err != nil || len(rows) != 1 {
			t.Errorf("the last item's notification: %v, %v", rows, err)
		}
		t.Logf("10 000 notifications deposited in %v", time.Since(began).Round(time.Second))
	})
}
