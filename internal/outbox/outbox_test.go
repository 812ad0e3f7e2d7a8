package outbox_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/mail/mailtest"
	"buzon/internal/outbox"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func queue(t *testing.T, db *store.DB, m *mail.Message, now time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *store.Tx) error { return outbox.Enqueue(ctx, tx, m, now, jobs.Options{}) }); err != nil {
		t.Fatal(err)
	}
}

func smtpSender(t *testing.T, srv *mailtest.Server) *mail.SMTP {
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

func TestQueuedMailIsDeliveredOverSMTPAfterAnOutage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := mailtest.NewServer(t)
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		r := &jobs.Runner{DB: db, Now: clock}
		r.Register(outbox.Job(smtpSender(t, srv), nil, slog.New(slog.DiscardHandler)))

		srv.SetFailing(451) // the SMTP server answers "try again later"
		queue(t, db, &mail.Message{From: "Buzón <no-responder@buzon.test>", To: "maria@example.test", Subject: "Tiene una notificación", Text: "Código: K7Q-2M"}, now)
		r.RunDue(ctx)
		if n := len(srv.Messages()); n != 0 {
			t.Fatalf("%d messages arrived while the server refused", n)
		}
		js, _ := db.Reader().JobsByKind(ctx, outbox.Kind, 1)
		if js[0].State != store.JobQueued || js[0].LastError == "" {
			t.Fatalf("after a temporary failure the job is %s (%q), want queued with the error", js[0].State, js[0].LastError)
		}

		srv.SetFailing(0)
		now = now.Add(2 * time.Hour)
		r.RunDue(ctx)
		got := srv.Messages()
		if len(got) != 1 {
			t.Fatalf("%d messages after the outage, want 1", len(got))
		}
		var queued mail.Message
		jobs.Decode(&js[0], &queued)
		if got[0].MessageID != queued.MessageID || got[0].Subject != "Tiene una notificación" || !strings.Contains(got[0].Text, "K7Q-2M") {
			t.Errorf("delivered %+v; want the queued message with Message-ID %s", got[0], queued.MessageID)
		}
	})
}

func TestARefusedRecipientFailsAtOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := mailtest.NewServer(t)
		srv.RejectRecipient("nadie@example.test")
		r := &jobs.Runner{DB: db}
		r.Register(outbox.Job(smtpSender(t, srv), nil, slog.New(slog.DiscardHandler)))
		queue(t, db, &mail.Message{From: "no-responder@buzon.test", To: "nadie@example.test", Subject: "x", Text: "x"}, time.Now())
		r.RunDue(ctx)
		js, _ := db.Reader().JobsByKind(ctx, outbox.Kind, 1)
		if js[0].State != store.JobFailed || js[0].Attempts != 1 {
			t.Errorf("job = %s after %d attempts; a bounce must fail at once", js[0].State, js[0].Attempts)
		}
	})
}

func TestEnqueueRefusesAnInvalidMessageAndQueuesNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Write(ctx, func(tx *store.Tx) error {
			return outbox.Enqueue(ctx, tx, &mail.Message{From: "a@b.test", To: "x@y.test\r\nBcc: z@w.test", Subject: "s", Text: "t"}, time.Now(), jobs.Options{})
		})
		if err == nil {
			t.Fatal("a message with a header injection was queued")
		}
		if js, _ := db.Reader().JobsByKind(ctx, outbox.Kind, 10); len(js) != 0 {
			t.Errorf("%d jobs queued", len(js))
		}
	})
}

func TestDevMailboxKeepsMessages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := &jobs.Runner{DB: db}
		r.Register(outbox.Job(outbox.DevMailbox{DB: db}, nil, slog.New(slog.DiscardHandler)))
		queue(t, db, &mail.Message{From: "no-responder@buzon.test", To: "maria@example.test", Subject: "Active su cuenta", Text: "Hola", HTML: "<p>Hola</p>"}, time.Now())
		r.RunDue(ctx)
		ms, err := db.Reader().DevMails(ctx, 10)
		if err != nil || len(ms) != 1 || ms[0].Subject != "Active su cuenta" || ms[0].MessageID == "" || !strings.HasSuffix(ms[0].MessageID, "@buzon.test>") {
			t.Errorf("dev mailbox = %+v, %v", ms, err)
		}
	})
}
