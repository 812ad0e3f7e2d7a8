package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/notification"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// submissionResult mirrors the API's answer to a notification request.
type submissionResult struct {
	Mode         string `json:"mode"`
	SubmissionID string `json:"submission_id"`
	DueDate      string `json:"due_date"`
	Deposited    int    `json:"deposited"`
	Refused      int    `json:"refused"`
	Results      []struct {
		Position         int    `json:"position"`
		Recipient        string `json:"recipient"`
		Status           string `json:"status"`
		NotificationID   string `json:"notification_id"`
		VerificationCode string `json:"verification_code"`
		Code             string `json:"code"`
	} `json:"results"`
}

type notificationView struct {
	ID          string `json:"id"`
	Mode        string `json:"mode"`
	Recipient   string `json:"recipient"`
	Reference   string `json:"reference"`
	State       string `json:"state"`
	DueDate     string `json:"due_date"`
	Attachments []struct {
		Filename string `json:"filename"`
		SHA256   string `json:"sha256"`
	} `json:"attachments"`
	Events []struct {
		Type  string `json:"type"`
		Actor string `json:"actor"`
	} `json:"events"`
	Alert struct {
		State string `json:"state"`
	} `json:"alert"`
}

func TestValidatorCatchesAResponseThatBreaksTheContract(t *testing.T) {
	r := httptest.NewRequest("GET", "/api/v1/recipients/1714307103", nil)
	bad := &res{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"nui":"1714307103","active":"yes"}`)}
	if err := validate(r, bad); err == nil {
		t.Error("a wrong type passed validation")
	}
	extra := &res{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"nui":"1714307103","active":true,"name":"x"}`)}
	if err := validate(r, extra); err == nil {
		t.Error("an undocumented field passed validation")
	}
	undocumented := &res{Status: 418, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)}
	if err := validate(r, undocumented); err == nil {
		t.Error("an undocumented status passed validation")
	}
}

func TestSendingOneNotificationToSeveralRecipients(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		nobody := e.unregistered()
		body := note(e.citizens[0], nobody, "1714307104", e.citizens[1], e.citizens[0])
		body["deadline"] = map[string]any{"kind": "termino", "count": 10}
		body["tramite"] = map[string]any{"expediente": "EXP-2026-1", "title": "Devolución de IVA"}
		r := e.post("/api/v1/notifications", e.live, body)
		wantStatus(t, r, http.StatusCreated)
		var got submissionResult
		r.json(t, &got)
		var summary []string
		for _, x := range got.Results {
			summary = append(summary, fmt.Sprintf("%d %s %s", x.Position, x.Status, x.Code))
		}
		want := []string{"1 deposited ", "2 refused recipient_not_registered", "3 refused recipient_invalid", "4 deposited ",
			"5 refused recipient_repeated"}
		if diff := cmp.Diff(want, summary); diff != "" {
			t.Errorf("per-recipient results (-want +got):\n%s", diff)
		}
		if got.Mode != "live" || got.Deposited != 2 || got.Refused != 3 || got.SubmissionID == "" || got.DueDate != "2026-12-15" {
			t.Errorf("result = %+v", got)
		}
		if n := e.countJobs(notification.AlertKind); n != 2 {
			t.Errorf("alert jobs queued = %d, want 2", n)
		}
		id := got.Results[0].NotificationID
		var v notificationView
		r = e.get("/api/v1/notifications/"+id, e.live)
		wantStatus(t, r, 200)
		r.json(t, &v)
		var types []string
		for _, ev := range v.Events {
			types = append(types, ev.Type+"/"+ev.Actor)
		}
		if v.Recipient != e.citizens[0] || v.State != "deposited" || v.Alert.State != "pending" || v.DueDate != "2026-12-15" ||
			!cmp.Equal(types, []string{"submitted/api", "deposited/system"}) {
			t.Errorf("notification = %+v", v)
		}
		// Another institution's key, or the sandbox, cannot see it: 404, no data.
		for _, key := range []string{e.otherLive, e.test} {
			r := e.get("/api/v1/notifications/"+id, key)
			wantProblem(t, r, 404, "not_found")
			if strings.Contains(string(r.Body), e.citizens[0]) {
				t.Error("a 404 leaked data")
			}
		}
		// Everyone refused: 200, nothing deposited.
		r = e.post("/api/v1/notifications", e.live, note(nobody))
		wantStatus(t, r, http.StatusOK)
		got = submissionResult{}
		r.json(t, &got)
		if got.Deposited != 0 || got.SubmissionID != "" || got.Results[0].Code != "recipient_not_registered" {
			t.Errorf("all refused = %+v", got)
		}
	})
}

func TestInvalidContentIsRefusedWithEveryProblem(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		body := map[string]any{"recipients": []string{}, "subject": "", "body": "x", "category": "chisme",
			"deadline": map[string]any{"kind": "date", "date": "2020-01-01"}}
		p := wantProblem(t, e.post("/api/v1/notifications", e.live, body), 422, "validation_failed")
		var codes []string
		for _, x := range p.Errors {
			codes = append(codes, x.Code+"@"+x.Field)
		}
		want := []string{"recipients_required@recipients", "subject_required@subject", "category_unknown@category", "deadline_invalid@deadline"}
		if diff := cmp.Diff(want, codes); diff != "" {
			t.Errorf("problems (-want +got):\n%s", diff)
		}
		bad := note(e.citizens[0])
		bad["deadline"] = map[string]any{"kind": "semanas", "count": 2}
		wantProblem(t, e.post("/api/v1/notifications", e.live, bad), 422, "deadline_invalid")
		bad = note(e.citizens[0])
		bad["file_ids"] = []string{store.NewID()}
		wantProblem(t, e.post("/api/v1/notifications", e.live, bad), 422, "file_not_found")
		bad = note(e.citizens[0])
		bad["rectifies"] = store.NewID()
		wantProblem(t, e.post("/api/v1/notifications", e.live, bad), 422, "rectifies_unknown")
		if n := e.countJobs(notification.AlertKind); n != 0 {
			t.Errorf("a refused request queued %d alerts", n)
		}
	})
}

func TestMalformedRequests(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		post := func(body, ct string, h map[string]string) *res {
			return e.do(req{method: "POST", path: "/api/v1/notifications", key: e.live, idem: store.NewID(), body: body,
				contentType: ct, header: h})
		}
		wantProblem(t, post(`{"recipients": [`, "application/json", nil), 400, "malformed_json")
		wantProblem(t, post(`{"recipients": "1714307103", "subject": "a", "body": "b"}`, "application/json", nil), 400, "malformed_json")
		p := wantProblem(t, post(`{"recipients": ["1714307103"], "subject": "a", "body": "b", "priority": "alta"}`, "application/json", nil), 400, "unknown_field")
		if len(p.Errors) != 1 || p.Errors[0].Field != "priority" {
			t.Errorf("unknown field problem = %+v", p)
		}
		wantProblem(t, post(`{"recipients": ["1714307103"], "subject": "a", "body": "b", "tramite": {"numero": "1"}}`, "application/json", nil), 400, "unknown_field")
		wantProblem(t, post(`{"recipients": ["1714307103"], "subject": "a", "body": "b"} {}`, "application/json", nil), 400, "malformed_json")
		wantProblem(t, post(``, "application/json", nil), 400, "malformed_json")
		wantProblem(t, post(`[]`, "application/json", nil), 400, "malformed_json")
		wantProblem(t, post(`{}`, "text/plain", nil), 415, "unsupported_media_type")
		wantProblem(t, post(`{}`, "", nil), 415, "unsupported_media_type")
		huge := `{"recipients": ["1714307103"], "subject": "a", "body": "` + strings.Repeat("x", 2<<20) + `"}`
		wantProblem(t, post(huge, "application/json", nil), 413, "body_too_large")
		// Every POST needs an Idempotency-Key.
		r := e.do(req{method: "POST", path: "/api/v1/notifications", key: e.live, body: note(e.citizens[0])})
		wantProblem(t, r, 400, "idempotency_key_required")
		r = e.do(req{method: "POST", path: "/api/v1/notifications", key: e.live, idem: strings.Repeat("k", 256), body: note(e.citizens[0])})
		wantProblem(t, r, 400, "idempotency_key_invalid")
		// Unknown and repeated query parameters.
		wantProblem(t, e.get("/api/v1/notifications?referencia=x", e.live), 400, "unknown_parameter")
		wantProblem(t, e.get("/api/v1/notifications?state=opened&state=deposited", e.live), 400, "invalid_parameter")
		if n := e.countJobs(notification.AlertKind); n != 0 {
			t.Errorf("malformed requests queued %d alerts", n)
		}
	})
}

func TestListingNotifications(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var ids []string
		for i, c := range e.citizens {
			body := note(c)
			body["reference"] = fmt.Sprintf("REF-%d", i%2)
			r := e.post("/api/v1/notifications", e.live, body)
			wantStatus(t, r, 201)
			var got submissionResult
			r.json(t, &got)
			ids = append(ids, got.Results[0].NotificationID)
			e.clock.Advance(time.Minute)
		}
		e.post("/api/v1/notifications", e.otherLive, note(e.citizens[0])) // another institution's
		type page struct {
			Notifications []notificationView `json:"notifications"`
			NextCursor    string             `json:"next_cursor"`
		}
		var seen []string
		cursor := ""
		for range 5 {
			r := e.get("/api/v1/notifications?limit=1&cursor="+url.QueryEscape(cursor), e.live)
			wantStatus(t, r, 200)
			var p page
			r.json(t, &p)
			for _, n := range p.Notifications {
				seen = append(seen, n.ID)
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		if diff := cmp.Diff(ids, seen); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}
		list := func(q string) []string {
			t.Helper()
			r := e.get("/api/v1/notifications?"+q, e.live)
			wantStatus(t, r, 200)
			var p page
			r.json(t, &p)
			var out []string
			for _, n := range p.Notifications {
				out = append(out, n.ID)
			}
			return out
		}
		if got := list("reference=REF-1"); !cmp.Equal(got, []string{ids[1]}) {
			t.Errorf("by reference = %v", got)
		}
		since := start.Add(90 * time.Second).Format(time.RFC3339)
		if got := list("since=" + url.QueryEscape(since)); !cmp.Equal(got, ids[2:]) {
			t.Errorf("since = %v, want %v", got, ids[2:])
		}
		if got := list("state=opened"); len(got) != 0 {
			t.Errorf("opened = %v", got)
		}
		if got := list("state=deposited"); len(got) != 3 {
			t.Errorf("deposited = %v", got)
		}
		wantProblem(t, e.get("/api/v1/notifications?cursor=garbage", e.live), 400, "cursor_invalid")
		wantProblem(t, e.get("/api/v1/notifications?since=ayer", e.live), 400, "since_invalid")
		wantProblem(t, e.get("/api/v1/notifications?state=leida", e.live), 400, "state_invalid")
		wantProblem(t, e.get("/api/v1/notifications?limit=0", e.live), 400, "limit_invalid")
		if got := listWith(t, e, e.otherLive); len(got) != 1 {
			t.Errorf("the other institution sees %d notifications", len(got))
		}
	})
}

func listWith(t *testing.T, e *env, key string) []string {
	t.Helper()
	r := e.get("/api/v1/notifications", key)
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
