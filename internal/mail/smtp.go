package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// SMTP sends messages through a mail server, keeping up to Connections
// connections open between sends and using them in parallel. A connection
// that fails is dropped and the next send dials again; one unused for
// IdleTimeout is closed. Safe for concurrent use; Close it on shutdown.
type SMTP struct {
	cfg      SMTPConfig
	client   *gomail.Client // holds the dial, TLS and AUTH settings; not its own connection
	envelope string         // bare address for MAIL FROM, may be empty
	from     *netmail.Address
	now      func() time.Time // the clock of idle expiry; tests replace it

	slots chan struct{} // one token per connection that may be open and busy

	mu     sync.Mutex
	idle   []*smtpConn // most recently used last
	closed bool
	reaper *time.Timer
}

// smtpConn is one open connection and its socket, kept to abort it when the
// caller's context ends (go-mail only knows per-step deadlines).
type smtpConn struct {
	client   *gosmtp.Client
	raw      net.Conn
	lastUsed time.Time
}

// NewSMTP prepares a sender; it does not connect until the first Send.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &SMTP{cfg: cfg, now: time.Now, slots: make(chan struct{}, cfg.Connections)}
	if cfg.From != "" {
		a, err := netmail.ParseAddress(cfg.From)
		if err != nil {
			return nil, fmt.Errorf("mail: SMTP from: %w", err)
		}
		s.from, s.envelope = a, a.Address
	}
	tlsConfig := &tls.Config{
		ServerName:         cfg.Host,
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: cfg.InsecureSkipVerify, //nolint:gosec // operator's explicit development setting
		RootCAs:            cfg.RootCAs,
	}
	policy := gomail.TLSOpportunistic
	switch cfg.Security {
	case StartTLSRequired:
		policy = gomail.TLSMandatory
	case NoTLS:
		policy = gomail.NoTLS
	case ImplicitTLS:
		// Our dialer does the TLS; "opportunistic" then makes go-mail see the
		// connection as encrypted (the server offers no STARTTLS inside TLS).
		policy = gomail.TLSOpportunistic
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(tlsConfig),
		gomail.WithDialContextFunc(s.dialContext(tlsConfig)),
		// A NOOP before each message and a RSET after it would double the
		// round trips; a dead connection shows at MAIL FROM, which Send retries.
		gomail.WithoutNoop(),
		gomail.WithoutRset(),
	}
	if cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(cfg.HELO))
	}
	if cfg.Username != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthType(strings.ToUpper(cfg.Auth))),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP client: %w", err)
	}
	s.client = c
	return s, nil
}

// dialKey carries the dialling state from dial to dialContext through go-mail.
type dialKey struct{}

type dialState struct {
	ctx  context.Context // the caller's: cancelling it aborts the handshake
	raw  net.Conn
	stop func() bool
}

func (s *SMTP) dialContext(tlsConfig *tls.Config) gomail.DialContextFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := &net.Dialer{}
		var conn net.Conn
		var err error
		if s.cfg.Security == ImplicitTLS {
			conn, err = (&tls.Dialer{NetDialer: d, Config: tlsConfig}).DialContext(ctx, network, addr)
		} else {
			conn, err = d.DialContext(ctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		if st, ok := ctx.Value(dialKey{}).(*dialState); ok {
			st.raw = conn
			st.stop = context.AfterFunc(st.ctx, func() { conn.Close() })
		}
		return conn, nil
	}
}

// dial opens, secures and authenticates a new connection.
func (s *SMTP) dial(ctx context.Context) (*smtpConn, error) {
	st := &dialState{ctx: ctx}
	c, err := s.client.DialToSMTPClientWithContext(context.WithValue(ctx, dialKey{}, st))
	if st.stop != nil {
		st.stop()
	}
	if err != nil {
		if st.raw != nil {
			st.raw.Close()
		}
		return nil, err
	}
	return &smtpConn{client: c, raw: st.raw}, nil
}

// Send delivers m, reusing an open connection when there is one. A reused
// connection that turns out to be dead before the message was handed over is
// replaced once, transparently. Errors are *SendError (or match
// ErrInvalidMessage or ErrClosed); see SendError.Permanent for the
// classification.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return &SendError{MessageID: m.MessageID, Stage: StageConnect, Err: ctx.Err()}
	}
	defer func() { <-s.slots }()

	for attempt := 0; ; attempt++ {
		c, reused, err := s.take(ctx)
		if err != nil {
			if errors.Is(err, ErrClosed) {
				return err
			}
			serr := &SendError{MessageID: m.MessageID, Stage: StageConnect, Err: err}
			var reply *textproto.Error
			if errors.As(err, &reply) {
				serr.Code = reply.Code
			}
			if ctx.Err() != nil {
				serr.Err = fmt.Errorf("%w (%v)", ctx.Err(), err)
			}
			return serr
		}
		stop := context.AfterFunc(ctx, func() { c.raw.Close() })
		err = s.client.SendWithSMTPClient(c.client, msg)
		aborted := !stop()
		if err == nil && !aborted {
			s.put(c)
			return nil
		}
		c.raw.Close()
		if err == nil {
			// The server accepted the message just as the context ended; the
			// connection is gone but the message went out.
			return nil
		}
		serr := s.sendError(m, err)
		if aborted {
			serr.Err = fmt.Errorf("%w (%v)", ctx.Err(), err)
			return serr
		}
		// A connection closed by the server while idle (421, EOF, reset)
		// fails at MAIL FROM, before any content was sent: retrying on a
		// fresh connection cannot duplicate the message.
		if reused && attempt == 0 && serr.Stage == StageMail && (serr.Code == 0 || serr.Code == 421) {
			continue
		}
		return serr
	}
}

// build validates m and turns it into go-mail's message.
func (s *SMTP) build(m *Message) (*gomail.Msg, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	from := s.from
	if m.From != "" {
		from, _ = netmail.ParseAddress(m.From) // Validate parsed it already
	}
	if from == nil {
		// Configuration, not the message: temporary, so the job waits for the fix.
		return nil, &SendError{MessageID: m.MessageID, Stage: StageConnect,
			Err: errors.New("no sender address: set Message.From or from= in the SMTP URL")}
	}
	to, _ := netmail.ParseAddress(m.To)
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	msg.ToMailAddress(to)
	envelope := s.envelope
	if envelope == "" {
		envelope = from.Address
	}
	if err := msg.EnvelopeFrom(envelope); err != nil {
		return nil, invalid(fmt.Sprintf("envelope from %q: %v", envelope, err))
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">"))
	if !m.Date.IsZero() {
		msg.SetDateWithValue(m.Date)
	}
	// Every email from Buzón is automatic: out-of-office replies and
	// auto-responders must stay quiet (RFC 3834), unless the caller says otherwise.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	for name, value := range m.Headers {
		msg.SetGenHeader(gomail.Header(name), value)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// sendError classifies go-mail's error.
func (s *SMTP) sendError(m *Message, err error) *SendError {
	e := &SendError{MessageID: m.MessageID, Stage: StageData, Err: err}
	var ge *gomail.SendError
	if errors.As(err, &ge) {
		e.Code = ge.ErrorCode()
		e.EnhancedCode = ge.EnhancedStatusCode()
		switch ge.Reason {
		case gomail.ErrConnCheck, gomail.ErrSMTPMailFrom:
			e.Stage = StageMail
		case gomail.ErrSMTPRcptTo:
			e.Stage = StageRcpt
		}
	}
	return e
}

// take returns an open connection, dialling if none is idle; reused says
// whether it had already carried a message.
func (s *SMTP) take(ctx context.Context) (c *smtpConn, reused bool, err error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, false, ErrClosed
	}
	now := s.now()
	for len(s.idle) > 0 {
		c = s.idle[len(s.idle)-1]
		s.idle = s.idle[:len(s.idle)-1]
		if now.Sub(c.lastUsed) < s.cfg.IdleTimeout {
			s.mu.Unlock()
			return c, true, nil
		}
		go s.quit(c) // expired, and the reaper has not run yet
	}
	s.mu.Unlock()
	c, err = s.dial(ctx)
	return c, false, err
}

// put returns a healthy connection to the idle list.
func (s *SMTP) put(c *smtpConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		go s.quit(c)
		return
	}
	c.lastUsed = s.now()
	s.idle = append(s.idle, c)
	if s.reaper == nil {
		s.reaper = time.AfterFunc(s.cfg.IdleTimeout, s.reap)
	}
}

// reap closes the connections idle for IdleTimeout, so that the server does
// not hold them for nothing (and does not close them on us first).
func (s *SMTP) reap() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	now := s.now()
	kept := s.idle[:0]
	for _, c := range s.idle {
		if now.Sub(c.lastUsed) >= s.cfg.IdleTimeout {
			go s.quit(c)
		} else {
			kept = append(kept, c)
		}
	}
	clear(s.idle[len(kept):])
	s.idle = kept
	switch {
	case len(s.idle) > 0 && s.reaper != nil:
		s.reaper.Reset(s.cfg.IdleTimeout - now.Sub(s.idle[0].lastUsed))
	case len(s.idle) == 0 && s.reaper != nil:
		s.reaper.Stop()
		s.reaper = nil
	}
}

// quitTimeout bounds the goodbye: a server that does not answer QUIT at once
// is not worth waiting for, least of all during shutdown.
const quitTimeout = 5 * time.Second

// quit says goodbye politely and closes the connection.
func (s *SMTP) quit(c *smtpConn) {
	_ = c.raw.SetDeadline(time.Now().Add(min(quitTimeout, s.cfg.Timeout)))
	_ = c.client.Quit()
	c.raw.Close()
}

// idleConns is the number of open connections waiting for a message.
func (s *SMTP) idleConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.idle)
}

// Close closes the idle connections and makes later sends fail with
// ErrClosed; sends in progress finish and close their connection.
func (s *SMTP) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	if s.reaper != nil {
		s.reaper.Stop()
		s.reaper = nil
	}
	idle := s.idle
	s.idle = nil
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range idle {
		wg.Go(func() { s.quit(c) })
	}
	wg.Wait()
	return nil
}
