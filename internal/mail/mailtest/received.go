package mailtest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Received is one message as the server got it: the envelope, the raw bytes
// and the parts a test checks, decoded.
type Received struct {
	// From and To are the envelope (MAIL FROM, RCPT TO).
	From string
	To   []string
	// Raw is the message exactly as transmitted after DATA.
	Raw []byte
	// Header is the parsed header; values are as on the wire (encoded words
	// not decoded).
	Header mail.Header
	// Subject is the decoded Subject.
	Subject string
	// MessageID is the Message-ID field, with its angle brackets.
	MessageID string
	// Text and HTML are the decoded text/plain and text/html bodies, with
	// CRLF turned into LF.
	Text, HTML string
	// Conn numbers the TCP connection that carried the message (1 is the
	// first the server accepted), to see connection reuse.
	Conn int
	// ParseErr is why the message could not be parsed, if it could not.
	ParseErr error
}

// parse decodes what a test wants to look at; a malformed message is still
// kept, with ParseErr set, so the test sees it.
func parse(from string, to []string, raw []byte, conn int) Received {
	r := Received{From: from, To: append([]string(nil), to...), Raw: raw, Conn: conn}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		r.ParseErr = err
		return r
	}
	r.Header = m.Header
	r.MessageID = m.Header.Get("Message-Id")
	dec := new(mime.WordDecoder)
	if r.Subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		r.ParseErr = fmt.Errorf("subject: %w", err)
	}
	if err := r.walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body); err != nil {
		r.ParseErr = errors.Join(r.ParseErr, err)
	}
	return r
}

// walk finds the first text/plain and text/html parts, descending into
// multiparts.
func (r *Received) walk(contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", mediaType, err)
			}
			if err := r.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, newlineStripper{body})
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	switch {
	case mediaType == "text/plain" && r.Text == "":
		r.Text = text
	case mediaType == "text/html" && r.HTML == "":
		r.HTML = text
	}
	return nil
}

// newlineStripper drops CR and LF, which base64 bodies contain every 76 characters.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != '\r' && c != '\n' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
