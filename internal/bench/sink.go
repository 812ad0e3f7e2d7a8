package bench

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// Sink is a local SMTP server that accepts every message and discards it,
// counting. With Record it also keeps each message's Message-ID and the
// name the client announced (HELO), to prove that no alert went out twice
// and which process sent it.
type Sink struct {
	Record bool
	// senders, when above zero, holds every connection at its greeting
	// until clients announcing that many different names have connected:
	// a test's way to make sure every process takes part.
	senders int

	srv *smtp.Server
	ln  net.Listener

	count       atomic.Int64
	first, last atomic.Int64 // UnixNano of the first and latest message
	tick        chan struct{}

	mu     sync.Mutex
	ids    map[string]int // Message-ID → times received
	helos  map[string]int // HELO name → messages
	joined map[string]bool
	open   chan struct{} // closed once enough senders joined
	opened bool
}

// StartSink listens on 127.0.0.1 on a free port.
func StartSink(record bool) (*Sink, error) { return startSink(record, 0) }

// startSink with senders > 0 holds connections until that many clients,
// by HELO name, have connected.
func startSink(record bool, senders int) (*Sink, error) {
	s := &Sink{Record: record, senders: senders, tick: make(chan struct{}, 1), ids: map[string]int{}, helos: map[string]int{},
		joined: map[string]bool{}, open: make(chan struct{})}
	if senders <= 0 {
		s.release()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.ln = ln
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.join(c.Hostname())
		<-s.open
		return &sinkSession{s: s, helo: c.Hostname()}, nil
	}))
	s.srv.Domain = "sink.localhost"
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.MaxRecipients = 100
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	go s.srv.Serve(ln)
	return s, nil
}

// Addr is host:port.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// URL is the --smtp-url for a Buzón process sending here through conns
// connections, announcing itself as helo.
func (s *Sink) URL(conns int, helo string) string {
	u := "smtp://" + s.Addr() + "?starttls=none&connections=" + strconv.Itoa(conns)
	if helo != "" {
		u += "&helo=" + helo
	}
	return u
}

// Close stops the server.
func (s *Sink) Close() error {
	s.mu.Lock()
	s.release()
	s.mu.Unlock()
	return s.srv.Close()
}

// Count is how many messages were accepted.
func (s *Sink) Count() int64 { return s.count.Load() }

// Span is the time between the first and the latest message.
func (s *Sink) Span() time.Duration { return time.Duration(s.last.Load() - s.first.Load()) }

// ResetSpan forgets the first message's time, so that Span measures from
// the next message on.
func (s *Sink) ResetSpan() { s.first.Store(0) }

// WaitFor returns when at least n messages have been accepted, or ctx ends.
func (s *Sink) WaitFor(ctx context.Context, n int64) error {
	for s.count.Load() < n {
		select {
		case <-s.tick:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Duplicates lists the Message-IDs received more than once (Record only).
func (s *Sink) Duplicates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, n := range s.ids {
		if n > 1 {
			out = append(out, id)
		}
	}
	return out
}

// Senders counts messages by the HELO name of the client that sent them (Record only).
func (s *Sink) Senders() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.helos))
	for k, v := range s.helos {
		out[k] = v
	}
	return out
}

func (s *Sink) join(helo string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.senders <= 0 || s.joined[helo] {
		return
	}
	s.joined[helo] = true
	if len(s.joined) == s.senders {
		s.release()
	}
}

// release opens the gate; s.mu is held or s is not shared yet.
func (s *Sink) release() {
	if !s.opened {
		s.opened = true
		close(s.open)
	}
}

func (s *Sink) accepted(helo, messageID string) {
	now := time.Now().UnixNano()
	s.first.CompareAndSwap(0, now)
	s.last.Store(now)
	if s.Record {
		s.mu.Lock()
		s.ids[messageID]++
		s.helos[helo]++
		s.mu.Unlock()
	}
	s.count.Add(1)
	select {
	case s.tick <- struct{}{}:
	default:
	}
}

type sinkSession struct {
	s    *Sink
	helo string
}

func (x *sinkSession) Reset()        {}
func (x *sinkSession) Logout() error { return nil }

func (x *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }

func (x *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }

func (x *sinkSession) Data(r io.Reader) error {
	id := ""
	if x.s.Record {
		br := bufio.NewReader(r)
		for {
			line, err := br.ReadString('\n')
			if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "Message-Id") {
				id = strings.TrimSpace(v)
			}
			if err != nil || strings.TrimSpace(line) == "" {
				break
			}
		}
		r = br
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	if x.s.Record && id == "" {
		return errors.New("message without Message-ID")
	}
	x.s.accepted(x.helo, id)
	return nil
}
