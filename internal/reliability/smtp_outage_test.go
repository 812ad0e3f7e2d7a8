package reliability_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"buzon/internal/config"
	"buzon/internal/mail/mailtest"
	"buzon/internal/store"
)

// fakeClock is the job runner's time in tests: it moves only when told, so
// retries with backoff come due without waiting.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestSMTPOutageDelaysButLosesNoAlert runs the assembled server's workers
// against a real SMTP server that is down for hours: the alerts and the
// account emails wait in the queue and are retried with backoff, nothing is
// sent while it is down and nothing is given up; once it is back every one
// of them arrives, each once.
func TestSMTPOutageDelaysButLosesNoAlert(t *testing.T) {
	engines(t, func(t *testing.T, e store.Engine) {
		dbURL := databaseURL(t, e)
		data := t.TempDir()
		seed(t, data, dbURL)
		db := rawDB(t, data, dbURL)
		const mailJobs = `SELECT COUNT(*) FROM jobs WHERE kind IN ('notification.alert', 'mail')`
		queued := count(t, db, mailJobs+` AND state = 'queued'`)
		alerts := count(t, db, `SELECT COUNT(*) FROM notifications WHERE alert_state = '`+store.AlertPending+`'`)
		if queued == 0 || alerts == 0 {
			t.Fatalf("the demo queued %d emails, %d alerts pending", queued, alerts)
		}

		smtp := mailtest.NewServer(t)
		smtp.Stop()
		srv := startInProcess(t, &config.Config{Data: data, DatabaseURL: dbURL, SMTPURL: smtp.URL(), Workers: 0})
		clock := &fakeClock{t: time.Now()}
		runner := srv.Srv.Jobs()
		runner.Now = clock.Now
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()

		// Down for three hours: every email is tried, refused, and kept.
		attempts := 0
		for range 6 {
			n, err := runner.RunDue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			attempts += n
			clock.Add(30 * time.Minute)
		}
		if got := len(smtp.Messages()); got != 0 {
			t.Fatalf("%d messages arrived while the server was down", got)
		}
		if n := count(t, db, mailJobs+` AND state = 'failed'`); n != 0 {
			t.Fatalf("%d emails given up during the outage", n)
		}
		if n := count(t, db, mailJobs+` AND state = 'queued' AND attempts > 0`); n != queued {
			t.Fatalf("%d emails waiting to be retried, want %d", n, queued)
		}

		// Back: the next retries deliver everything.
		smtp.Start()
		for range 10 {
			clock.Add(3 * time.Hour)
			if _, err := runner.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			if count(t, db, mailJobs+` AND state <> 'done'`) == 0 {
				break
			}
		}
		if n := count(t, db, mailJobs+` AND state <> 'done'`); n != 0 {
			t.Fatalf("%d emails not delivered after the outage", n)
		}
		ids := map[string]int{}
		for _, m := range smtp.Messages() {
			ids[m.MessageID]++
		}
		for id, n := range ids {
			if n != 1 {
				t.Errorf("Message-ID %s arrived %d times", id, n)
			}
		}
		if len(ids) != queued {
			t.Errorf("%d distinct messages arrived, want %d", len(ids), queued)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM notifications WHERE alert_state <> '`+store.AlertSent+`'`); n != 0 {
			t.Errorf("%d notifications whose alert is not recorded as sent", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM evidence_events WHERE type = 'alert_sent'`); n < alerts {
			t.Errorf("%d alert_sent evidence events, want at least %d", n, alerts)
		}
		t.Logf("FIGURE SMTP outage (%s): %d emails queued (%d alerts), %d failed attempts while down, %d delivered after, %d lost, %d duplicated",
			e, queued, alerts, attempts, len(ids), queued-len(ids), len(smtp.Messages())-len(ids))
	})
}
