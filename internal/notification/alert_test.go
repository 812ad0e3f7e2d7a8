package notification

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/mail/mailtest"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func smtpSender(t *testing.T, srv *mailtest.Server) mail.Sender {
	t.Helper()
	cfg, err := mail.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	s, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func (f *fixture) runner(sender mail.Sender) *jobs.Runner {
	r := &jobs.Runner{DB: f.db, Now: f.clock.Now, ID: "worker-b", Concurrency: 1}
	r.Register(f.svc.AlertJob(sender))
	return r
}

// A crash between deposit and alert still sends the alert: the job was
// committed with the notification, and a worker that dies holding it loses
// its lease. When the first worker had already handed the mail over, the
// resend carries the same Message-ID (derived from the notification id), and
// the alert is recorded as sent once.
func TestAlertSurvivesACrash(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		srv := mailtest.NewServer(t)
		sender := smtpSender(t, srv)
		ana, luis := f.citizen(), f.citizen()
		beforeSend := f.send(f.submission(ana)).Deposited[0]
		afterSend := f.send(f.submission(luis)).Deposited[0]

		// Worker A claims both alerts; it sends Luis's and dies before
		// recording anything, and never gets to Ana's.
		var claimed []store.Job
		f.write(func(tx *store.Tx) error {
			var err error
			claimed, err = tx.ClaimJobs(f.ctx, "worker-a", f.clock.Now(), 5*time.Minute, 10)
			return err
		})
		if len(claimed) != 2 {
			t.Fatalf("worker A claimed %d jobs, want 2", len(claimed))
		}
		for i := range claimed {
			var p alertPayload
			if err := jobs.Decode(&claimed[i], &p); err != nil {
				t.Fatal(err)
			}
			if p.NotificationID == afterSend.NotificationID {
				if err := sender.Send(f.ctx, &p.Message); err != nil {
					t.Fatal(err)
				}
			}
		}

		// Worker B, after the lease ran out, sends both.
		f.clock.Add(6 * time.Minute)
		if n, err := f.runner(sender).RunDue(f.ctx); err != nil || n != 2 {
			t.Fatalf("worker B ran %d jobs, %v; want 2", n, err)
		}
		msgs := srv.Messages()
		got := map[string]int{}
		for _, m := range msgs {
			got[m.MessageID]++
		}
		want := map[string]int{"<" + beforeSend.NotificationID + "@buzon.example>": 1, "<" + afterSend.NotificationID + "@buzon.example>": 2}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Message-IDs received (-want +got):\n%s", diff)
		}
		for _, d := range []Delivered{beforeSend, afterSend} {
			if diff := cmp.Diff([]string{"submitted", "deposited", "alert_sent"}, f.events(d.NotificationID)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			n, _ := db.Reader().Notification(f.ctx, d.NotificationID)
			if n.AlertState != store.AlertSent {
				t.Errorf("alert state %q, want sent", n.AlertState)
			}
		}
		// The alert says who, which reference, when and the code, and
		// nothing of the content; it carries no link with a token.
		var m mailtest.Received
		for _, r := range msgs {
			if r.MessageID == "<"+beforeSend.NotificationID+"@buzon.example>" {
				m = r
			}
		}
		for _, s := range []string{"Servicio de Rentas Internas", "SRI-2026-00123", beforeSend.VerificationCode, "https://buzon.example"} {
			if !strings.Contains(m.Text, s) {
				t.Errorf("the alert does not mention %q:\n%s", s, m.Text)
			}
		}
		for _, m := range msgs {
			if strings.Contains(m.Text, "Se ha resuelto") || strings.Contains(m.HTML, "Se ha resuelto") {
				t.Error("the alert carries the body")
			}
			if strings.Contains(m.Text, "token") || strings.Contains(m.Text, "/notificaciones/") {
				t.Errorf("the alert carries a link into the site:\n%s", m.Text)
			}
		}
	})
}

func TestAlertOutcomesAreVisible(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		srv := mailtest.NewServer(t)
		sender := smtpSender(t, srv)
		ana, luis := f.citizen(), f.citizen()
		srv.RejectRecipient(luis.Email)
		srv.SetFailing(451)
		res := f.send(Submission{InstitutionID: f.inst.ID, Subject: "Aviso", Body: "Texto.",
			Recipients: []string{ana.NUI.String(), luis.NUI.String()}})
		r := f.runner(sender)
		if _, err := r.RunDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		state := func(id string) string {
			n, err := db.Reader().Notification(f.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return n.AlertState
		}
		anaID, luisID := res.Deposited[0].NotificationID, res.Deposited[1].NotificationID
		if s := state(anaID); s != store.AlertRetrying {
			t.Errorf("Ana's alert after a 451: %q, want retrying", s)
		}
		srv.SetFailing(0)
		f.clock.Add(2 * time.Hour)
		if _, err := r.RunDue(f.ctx); err != nil {
			t.Fatal(err)
		}
		if s := state(anaID); s != store.AlertSent {
			t.Errorf("Ana's alert after the outage: %q, want sent", s)
		}
		if s := state(luisID); s != store.AlertBounced {
			t.Errorf("Luis's rejected address: %q, want bounced", s)
		}
		if diff := cmp.Diff([]string{"submitted", "deposited", "alert_failed"}, f.events(luisID)); diff != "" {
			t.Errorf("Luis's events (-want +got):\n%s", diff)
		}
		page, err := f.svc.Tracking(f.ctx, f.notifier, f.inst.ID, TrackFilter{Alert: "failed"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Rows) != 1 || page.Rows[0].ID != luisID || !page.Rows[0].Alert.Failed() {
			t.Errorf("tracking of failed alerts: %+v", page.Rows)
		}
	})
}
