package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/smtp"
	"strings"
	"sync/atomic"
	"time"

	"buzon/internal/store"
)

// Raw limits: what the engine and an SMTP client do on their own, measured
// in the same run as the platform so that the ratios compare like with
// like on the same machine at the same moment.

// rawInserts measures (a) one durable 1 KiB row per transaction from
// Clients goroutines and (b) the best batched insert: 1,000-row
// transactions of multi-row INSERTs on SQLite, COPY of 10,000 rows per
// transaction on PostgreSQL.
func (e *env) rawInserts(ctx context.Context) (single, batched Figure, err error) {
	conns := 8
	if e.db.Engine() == store.Postgres {
		conns = e.cfg.Clients // a connection per goroutine: the engine's own group commit at work
	}
	raw, err := store.Open(ctx, e.url, store.Options{MaxConns: conns, MaxBatch: 1})
	if err != nil {
		return Figure{}, Figure{}, err
	}
	defer raw.Close()
	if err := raw.CreateBenchTable(ctx); err != nil {
		return Figure{}, Figure{}, err
	}
	defer raw.DropBenchTable(context.WithoutCancel(ctx))
	payload := make([]byte, 1024)
	rand.Read(payload)
	var next atomic.Int64
	single, err = drive(e.cfg.Clients, e.cfg.warm(), e.cfg.Duration, func(int) error {
		id := next.Add(1)
		return raw.BenchInsertOne(ctx, store.BenchRow{ID: id, Recipient: fmt.Sprint("r", id%100_000), CreatedAt: id, Payload: payload})
	})
	if err != nil {
		return single, batched, fmt.Errorf("raw single-row inserts: %w", err)
	}
	chunk := 1000
	if e.db.Engine() == store.Postgres {
		chunk = 10_000
	}
	rows := make([]store.BenchRow, chunk)
	// At least three transactions, however long they take.
	start := time.Now()
	for n := 0; n < 3 || time.Since(start) < e.cfg.Duration; n++ {
		for i := range rows {
			id := next.Add(1)
			rows[i] = store.BenchRow{ID: id, Recipient: fmt.Sprint("r", id%100_000), CreatedAt: id, Payload: payload}
		}
		if err := raw.BenchInsertMany(ctx, rows); err != nil {
			return single, batched, fmt.Errorf("raw batched inserts: %w", err)
		}
		batched.Ops += int64(chunk)
	}
	batched.Elapsed = time.Since(start)
	return single, batched, nil
}

// rawLatest measures (c): the inbox's query — one recipient's newest 20
// notifications by the inbox index — from Readers goroutines, each on the
// recipient its inbox client will sign in as.
func (e *env) rawLatest(ctx context.Context) (Figure, error) {
	users := e.inboxUsers()
	f, err := drive(len(users), e.cfg.warm(), e.cfg.Duration, func(w int) error {
		n, err := e.db.BenchLatest(ctx, users[w].ID)
		if err == nil && n != 20 {
			err = fmt.Errorf("the latest-20 query read %d rows", n)
		}
		return err
	})
	if err != nil {
		return f, fmt.Errorf("raw latest-20 query: %w", err)
	}
	return f, nil
}

// rawSMTP measures (d): an SMTP client pushing alert-sized messages into
// the sink over SMTPConns reused connections.
func (e *env) rawSMTP(sink *Sink) (Figure, error) {
	msg := alertSizedMessage()
	clients := make([]*smtp.Client, e.cfg.SMTPConns)
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.Quit()
			}
		}
	}()
	for i := range clients {
		c, err := smtp.Dial(sink.Addr())
		if err != nil {
			return Figure{}, err
		}
		if err := c.Hello("bench.localhost"); err != nil {
			return Figure{}, err
		}
		clients[i] = c
	}
	f, err := drive(len(clients), e.cfg.warm(), e.cfg.Duration, func(w int) error {
		c := clients[w]
		if err := c.Mail("no-responder@buzon.localhost"); err != nil {
			return err
		}
		if err := c.Rcpt("ciudadano@correo.example"); err != nil {
			return err
		}
		wc, err := c.Data()
		if err != nil {
			return err
		}
		if _, err := wc.Write(msg); err != nil {
			return err
		}
		return wc.Close()
	})
	if err != nil {
		return f, fmt.Errorf("raw SMTP: %w", err)
	}
	return f, nil
}

// alertSizedMessage is a MIME message about the size of a rendered alert
// (text and HTML alternatives, some 6 KiB).
func alertSizedMessage() []byte {
	var b strings.Builder
	b.WriteString("From: Buzón <no-responder@buzon.localhost>\r\nTo: ciudadano@correo.example\r\n")
	b.WriteString("Subject: Tiene una nueva notificación en su buzón\r\nMessage-ID: <bench@buzon.localhost>\r\n")
	b.WriteString("Date: " + time.Now().UTC().Format(time.RFC1123Z) + "\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.Repeat("Tiene una nueva notificación de una institución del Estado en su buzón.\r\n", 20))
	b.WriteString("--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n")
	b.WriteString(strings.Repeat("<p>Tiene una nueva notificación de una institución del Estado en su buzón.</p>\r\n", 40))
	b.WriteString("--b--\r\n")
	return []byte(b.String())
}
