// Package mailtest runs a real SMTP server in the test process, on
// 127.0.0.1 over TCP, and keeps what it receives, so that tests exercise the
// whole path of an email: the SMTP sender, the wire, the MIME structure.
//
// It can refuse mail on demand (SetFailing, SetFailingData, RejectRecipient),
// go down and come back on the same address (Stop, Start), require
// authentication (WithAuth) and speak TLS (WithSTARTTLS, WithImplicitTLS).
package mailtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is an SMTP server for one test. Create it with NewServer; it stops
// when the test ends.
type Server struct {
	t    testing.TB
	addr string // fixed at the first Start, reused on restart

	// configuration, fixed by the options
	user, pass  string
	tlsMode     tlsMode
	tlsConfig   *tls.Config
	roots       *x509.CertPool
	logProtocol bool

	mu         sync.Mutex
	running    *run
	logOff     bool
	messages   []Received
	changed    chan struct{} // closed and replaced whenever messages grows
	accepted   int
	rcptCode   int
	dataCode   int
	rejected   map[string]bool
	authFailed int
}

type tlsMode int

const (
	tlsNone tlsMode = iota
	tlsStartTLS
	tlsImplicit
)

// run is one period of listening, between Start and Stop.
type run struct {
	srv   *smtp.Server
	ln    *trackingListener
	serve chan struct{} // closed when Serve returns
}

// Option configures a Server.
type Option func(*Server)

// WithAuth requires AUTH PLAIN with these credentials before MAIL FROM. The
// server offers AUTH even without TLS (on 127.0.0.1 a client may use PLAIN).
func WithAuth(user, pass string) Option {
	return func(s *Server) { s.user, s.pass = user, pass }
}

// WithSTARTTLS offers STARTTLS with a self-signed certificate for 127.0.0.1
// (see RootCAs).
func WithSTARTTLS() Option { return func(s *Server) { s.tlsMode = tlsStartTLS } }

// WithImplicitTLS speaks TLS from the first byte, like port 465; URL then
// returns an smtps:// URL.
func WithImplicitTLS() Option { return func(s *Server) { s.tlsMode = tlsImplicit } }

// WithProtocolLog writes the SMTP dialogue to the test log.
func WithProtocolLog() Option { return func(s *Server) { s.logProtocol = true } }

// NewServer starts a server on 127.0.0.1 with a free port; t.Cleanup stops it.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{t: t, addr: "127.0.0.1:0", changed: make(chan struct{}), rejected: map[string]bool{}}
	for _, o := range opts {
		o(s)
	}
	if s.tlsMode != tlsNone {
		cert, roots, err := selfSigned()
		if err != nil {
			t.Fatalf("mailtest: certificate: %v", err)
		}
		s.tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.roots = roots
	}
	t.Cleanup(func() {
		s.Stop()
		s.mu.Lock()
		s.logOff = true // t.Log after the test has ended panics
		s.mu.Unlock()
	})
	s.Start()
	return s
}

// Addr is the server's "127.0.0.1:port"; it stays the same across Stop/Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL is the mail.ParseURL form that reaches this server: smtp:// with
// starttls=none (or starttls=require and insecure_skip_verify=true with
// WithSTARTTLS; smtps:// with WithImplicitTLS), the credentials of WithAuth,
// and from=buzon@example.test.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	q := url.Values{}
	switch s.tlsMode {
	case tlsNone:
		q.Set("starttls", "none")
	case tlsStartTLS:
		q.Set("starttls", "require")
		q.Set("insecure_skip_verify", "true")
	case tlsImplicit:
		u.Scheme = "smtps"
		q.Set("insecure_skip_verify", "true")
	}
	if s.user != "" {
		u.User = url.UserPassword(s.user, s.pass)
		if s.tlsMode == tlsNone {
			q.Set("auth", "plain") // autodiscover refuses PLAIN without TLS
		}
	}
	q.Set("from", "buzon@example.test")
	u.RawQuery = q.Encode()
	return u.String()
}

// RootCAs trusts the server's self-signed certificate, for a client that
// verifies it instead of skipping verification. Nil without TLS.
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// Start listens again after Stop, on the same address. Call it from the test
// goroutine; it fails the test if the address cannot be taken.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running != nil {
		return
	}
	tcp, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Fatalf("mailtest: listen on %s: %v", s.addr, err)
	}
	s.addr = tcp.Addr().String()
	ln := &trackingListener{Listener: tcp, conns: map[net.Conn]bool{}, onAccept: s.countAccept}
	var l net.Listener = ln
	srv := smtp.NewServer(backend{s})
	srv.Domain = "mailtest.example.test"
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.MaxMessageBytes = 10 << 20
	srv.AllowInsecureAuth = s.tlsMode == tlsNone
	srv.ErrorLog = log.New(logWriter{s}, "mailtest: ", 0)
	if s.logProtocol {
		srv.Debug = logWriter{s}
	}
	switch s.tlsMode {
	case tlsStartTLS:
		srv.TLSConfig = s.tlsConfig
	case tlsImplicit:
		l = tls.NewListener(ln, s.tlsConfig)
	}
	r := &run{srv: srv, ln: ln, serve: make(chan struct{})}
	go func() {
		defer close(r.serve)
		_ = srv.Serve(l)
	}()
	s.running = r
}

// Stop closes the listener and every open connection, as a server that goes
// down: clients see connections refused until Start. Messages stay.
func (s *Server) Stop() {
	s.mu.Lock()
	r := s.running
	s.running = nil
	s.mu.Unlock()
	if r == nil {
		return
	}
	_ = r.srv.Close()
	r.ln.closeAll()
	<-r.serve
	r.ln.wg.Wait() // every connection's handler has returned
}

// Connections is the number of TCP connections accepted since NewServer,
// across restarts: a sender that reuses its connections keeps it low.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// AuthFailures is the number of AUTH attempts refused.
func (s *Server) AuthFailures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authFailed
}

// SetFailing makes every RCPT TO fail with code (e.g. 451, temporary, or 550,
// permanent) until SetFailing(0).
func (s *Server) SetFailing(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcptCode = code
}

// SetFailingData makes the reply to the message content (after DATA's final
// dot) carry code (e.g. 451 or 554) until SetFailingData(0); the message is
// not kept.
func (s *Server) SetFailingData(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dataCode = code
}

// RejectRecipient answers 550 5.1.1 to RCPT TO for this address only, like a
// mailbox that does not exist.
func (s *Server) RejectRecipient(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected[strings.ToLower(addr)] = true
}

// Messages returns a copy of the messages received so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

// Wait blocks until at least n messages have been received, and returns them;
// the context bounds the wait.
func (s *Server) Wait(ctx context.Context, n int) ([]Received, error) {
	for {
		s.mu.Lock()
		msgs, changed := s.messages, s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return append([]Received(nil), msgs...), nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("mailtest: waiting for %d messages, have %d: %w", n, len(msgs), ctx.Err())
		}
	}
}

// WaitFor returns the first message, received before or during the call, that
// match accepts; the context bounds the wait.
func (s *Server) WaitFor(ctx context.Context, match func(Received) bool) (Received, error) {
	seen := 0
	for {
		s.mu.Lock()
		msgs, changed := s.messages, s.changed
		s.mu.Unlock()
		for ; seen < len(msgs); seen++ {
			if match(msgs[seen]) {
				return msgs[seen], nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Received{}, fmt.Errorf("mailtest: no matching message among %d: %w", len(msgs), ctx.Err())
		}
	}
}

func (s *Server) countAccept() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accepted++
	return s.accepted
}

func (s *Server) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

// logWriter sends the server's log lines to the test log while the test runs.
type logWriter struct{ s *Server }

func (w logWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	if !w.s.logOff {
		w.s.t.Logf("%s", bytes.TrimRight(p, "\n"))
	}
	return len(p), nil
}

// backend creates one session per connection (and again after STARTTLS).
type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	conn := 0
	if tc, ok := c.Conn().(*tls.Conn); ok {
		if n, ok := tc.NetConn().(*trackedConn); ok {
			conn = n.number
		}
	} else if n, ok := c.Conn().(*trackedConn); ok {
		conn = n.number
	}
	return &session{s: b.s, conn: conn}, nil
}

type session struct {
	s      *Server
	conn   int
	authed bool
	from   string
	to     []string
}

func (se *session) AuthMechanisms() []string {
	if se.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (se *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || se.s.user == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if (identity != "" && identity != user) || user != se.s.user || pass != se.s.pass {
			se.s.mu.Lock()
			se.s.authFailed++
			se.s.mu.Unlock()
			return smtp.ErrAuthFailed
		}
		se.authed = true
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.user != "" && !se.authed {
		return smtp.ErrAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.s.mu.Lock()
	code, rejected := se.s.rcptCode, se.s.rejected[strings.ToLower(to)]
	se.s.mu.Unlock()
	switch {
	case code != 0:
		return replyError(code, "recipient refused on request of the test")
	case rejected:
		return replyError(550, "no such mailbox")
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	se.s.mu.Lock()
	code := se.s.dataCode
	se.s.mu.Unlock()
	if code != 0 {
		return replyError(code, "message refused on request of the test")
	}
	se.s.add(parse(se.from, se.to, raw, se.conn))
	return nil
}

func (se *session) Reset() { se.from, se.to = "", nil }

func (se *session) Logout() error { return nil }

// replyError is an SMTP reply with an enhanced code of the same class.
func replyError(code int, msg string) error {
	class := code / 100
	detail := smtp.EnhancedCode{class, 0, 0}
	switch {
	case code == 550:
		detail = smtp.EnhancedCode{5, 1, 1}
	case class == 4:
		detail = smtp.EnhancedCode{4, 3, 0}
	case class == 5:
		detail = smtp.EnhancedCode{5, 7, 1}
	}
	return &smtp.SMTPError{Code: code, EnhancedCode: detail, Message: msg}
}

// trackingListener numbers and remembers its connections, so Stop can close
// them all and wait until their handlers are done.
type trackingListener struct {
	net.Listener
	onAccept func() int
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]bool
	closed   bool
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, l: l, number: l.onAccept()}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	l.conns[tc] = true
	l.wg.Add(1)
	return tc, nil
}

// closeAll closes the listener itself too: go-smtp's Close only knows the
// listeners its Serve has registered, which a Stop right after Start may precede.
func (l *trackingListener) closeAll() {
	_ = l.Listener.Close()
	l.mu.Lock()
	l.closed = true
	conns := make([]net.Conn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

type trackedConn struct {
	net.Conn
	l      *trackingListener
	number int
	once   sync.Once
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
		c.l.wg.Done()
	})
	return err
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots, nil
}
