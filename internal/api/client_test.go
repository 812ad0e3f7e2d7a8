package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"buzon/internal/client"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// validating checks every answer the Go client receives against the
// OpenAPI document, like the other tests' answers.
type validating struct {
	t    *testing.T
	next http.Handler
}

func (v validating) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	v.next.ServeHTTP(rec, r)
	out := &res{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if err := validate(r, out); err != nil {
		v.t.Errorf("%s %s: %d does not match the document: %v", r.Method, r.URL.Path, rec.Code, err)
	}
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func TestTheGoClientAgainstTheAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		srv := httptest.NewServer(validating{t, e.site})
		defer srv.Close()
		c := client.New(srv.URL, e.live)
		ctx := context.Background()
		if ok, err := c.HasBuzon(ctx, e.citizens[0]); err != nil || !ok {
			t.Errorf("HasBuzon = %v, %v", ok, err)
		}
		f, err := c.UploadFile(ctx, "resolucion.pdf", bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		nobody := e.unregistered()
		res, err := c.SendNotification(ctx, client.NotificationRequest{Recipients: []string{e.citizens[0], nobody},
			Subject: "Multa de tránsito", Body: "Se le notifica la multa.", Category: "multa", Reference: "ANT-1",
			Deadline: &client.Deadline{Kind: "plazo_days", Count: 30}, FileIDs: []string{f.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Results[0].Deposited() || res.Results[1].Code != "recipient_not_registered" {
			t.Errorf("results = %+v", res.Results)
		}
		n, err := c.Notification(ctx, res.Results[0].NotificationID)
		if err != nil || len(n.Attachments) != 1 || n.Attachments[0].SHA256 != f.SHA256 || n.Deadline.Count != 30 {
			t.Errorf("Notification = %+v, %v", n, err)
		}
		page, err := c.Notifications(ctx, client.ListOptions{Reference: "ANT-1"})
		if err != nil || len(page.Notifications) != 1 {
			t.Errorf("Notifications = %+v, %v", page, err)
		}
		_, err = c.SendNotification(ctx, client.NotificationRequest{Recipients: []string{e.citizens[0]}, Subject: "", Body: "x"})
		var p *client.Problem
		if !client.IsCode(err, "validation_failed") || !errorsAs(err, &p) || len(p.Errors) == 0 || p.Errors[0].Field != "subject" {
			t.Errorf("refused send = %v", err)
		}
		b, err := c.SendBatch(ctx, []client.NotificationRequest{{Recipients: []string{e.citizens[1]}, Subject: "s", Body: "b"}})
		if err != nil {
			t.Fatal(err)
		}
		e.runJobs()
		if b, err = c.Batch(ctx, b.ID, 0, 0); err != nil || !b.Completed() || b.Deposited != 1 {
			t.Errorf("Batch = %+v, %v", b, err)
		}
		e.integrate()
		ev, err := c.Events(ctx, "", 0)
		if err != nil || len(ev.Events) != 2 || ev.Events[0].Type != "notification.deposited" {
			t.Errorf("Events = %+v, %v", ev, err)
		}
		w, err := c.CreateWebhook(ctx, client.WebhookRequest{URL: "https://erp.example/eventos"})
		if err != nil || w.Secret == "" {
			t.Fatalf("CreateWebhook = %+v, %v", w, err)
		}
		if _, err := c.TestWebhook(ctx, w.ID); err != nil {
			t.Error(err)
		}
		if ws, err := c.Webhooks(ctx); err != nil || len(ws) != 1 {
			t.Errorf("Webhooks = %+v, %v", ws, err)
		}
		if err := c.DeleteWebhook(ctx, w.ID); err != nil {
			t.Error(err)
		}
		if _, err := c.Webhook(ctx, w.ID); !client.IsCode(err, "not_found") {
			t.Errorf("deleted webhook = %v", err)
		}
		revoked := client.New(srv.URL, "bzn_live_"+"abcdefghijklmnopqrstuvwxyz234567")
		if _, err := revoked.HasBuzon(ctx, e.citizens[0]); !client.IsCode(err, "api_key_invalid") {
			t.Errorf("unknown key = %v", err)
		}
	})
}

func errorsAs(err error, p **client.Problem) bool {
	pp, ok := err.(*client.Problem)
	*p = pp
	return ok
}
