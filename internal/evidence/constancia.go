package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"buzon/internal/nui"
	"buzon/internal/store"
)

// ConstanciaFormat is the version line of a constancia's JSON twin and of
// the statement its signature covers.
const ConstanciaFormat = "buzon-constancia v1"

// Constancia is what the notifications feature knows about one notification
// to one recipient and the evidence log does not: names, subject, reference,
// attachment names. The log supplies the events.
type Constancia struct {
	NotificationID  string
	InstitutionID   string
	InstitutionName string
	InstitutionRUC  string
	RecipientNUI    nui.NUI
	RecipientName   string
	Subject         string
	Reference       string
	// ContentSHA256 is the lowercase hex SHA-256 of the body, as recorded in
	// the events.
	ContentSHA256 string
	Attachments   []Attachment
}

// Attachment is one anexo as a constancia lists it.
type Attachment struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Document is the JSON twin of a constancia: everything needed to check it
// offline. It travels inside a signed envelope (see MarshalDocument).
type Document struct {
	Format       string           `json:"format"`
	IssuedAt     string           `json:"issued_at"` // TimeLayout, UTC
	Notification NotificationInfo `json:"notification"`
	// Events are the notification's events in the order they happened,
	// each with its leaf index and its inclusion proof against Checkpoint.
	Events     []ProvenEvent `json:"events"`
	Checkpoint string        `json:"checkpoint"`
	Keys       DocumentKeys  `json:"keys"`
}

// NotificationInfo is the notification a constancia is about.
type NotificationInfo struct {
	ID            string       `json:"id"`
	Institution   Institution  `json:"institution"`
	Recipient     Recipient    `json:"recipient"`
	Subject       string       `json:"subject"`
	Reference     string       `json:"reference"`
	ContentSHA256 string       `json:"content_sha256"`
	Attachments   []Attachment `json:"attachments"`
}

// Institution is the sender of a notification.
type Institution struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	RUC  string `json:"ruc"`
}

// Recipient is the citizen a notification was addressed to.
type Recipient struct {
	NUI  string `json:"nui"`
	Name string `json:"name"`
}

// ProvenEvent is one event with the proof that it is in the log.
type ProvenEvent struct {
	LeafIndex      int64    `json:"leaf_index"`
	Record         string   `json:"record"`
	InclusionProof []string `json:"inclusion_proof"`
}

// DocumentKeys are the platform's public keys at issue: the note verifier
// key that signs checkpoints and the JSON twin, and the PDF certificate.
type DocumentKeys struct {
	Note         []string `json:"note"`
	Certificates []string `json:"certificates"`
}

// envelope is the file a JSON twin is: the document and, beside it, a
// signed note over its SHA-256.
type envelope struct {
	Constancia json.RawMessage `json:"constancia"`
	Signature  string          `json:"signature"`
}

// statement is the text the JSON twin's signature covers.
func statement(body []byte) string {
	var compact bytes.Buffer
	json.Compact(&compact, body)
	sum := sha256.Sum256(compact.Bytes())
	return ConstanciaFormat + "\nsha256 " + hex.EncodeToString(sum[:]) + "\n"
}

// MarshalDocument signs a document with the note key and returns the JSON
// twin file: indented, ending in a newline, byte for byte what
// VerifyJSON expects (any other spelling of the same data is refused).
func MarshalDocument(d *Document, signer note.Signer) ([]byte, error) {
	body, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode constancia: %w", err)
	}
	sig, err := note.Sign(&note.Note{Text: statement(body)}, signer)
	if err != nil {
		return nil, fmt.Errorf("sign constancia: %w", err)
	}
	return marshalEnvelope(envelope{Constancia: body, Signature: string(sig)})
}

func marshalEnvelope(e envelope) ([]byte, error) {
	out, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode constancia: %w", err)
	}
	return append(out, '\n'), nil
}

// Issued is a constancia ready to hand out.
type Issued struct {
	Document *Document
	JSON     []byte // the JSON twin file
	PDF      []byte // the signed PDF, carrying the JSON twin as an attachment
}

// IssueConstancia builds the constancia of a notification to one recipient:
// it integrates pending events first (so the latest deposit or opening is
// in it), proves each of the notification's events against the latest
// signed checkpoint and renders the signed JSON twin and PDF. It returns
// ErrNotFound when the log holds no event of that notification for that
// recipient.
func (l *Log) IssueConstancia(ctx context.Context, c Constancia) (*Issued, error) {
	doc, err := l.Document(ctx, c)
	if err != nil {
		return nil, err
	}
	js, err := MarshalDocument(doc, l.Keys.Note)
	if err != nil {
		return nil, err
	}
	pdf, err := RenderPDF(doc, js, l.Keys, l.now())
	if err != nil {
		return nil, err
	}
	return &Issued{Document: doc, JSON: js, PDF: pdf}, nil
}

// Document gathers the JSON twin's content (see IssueConstancia).
func (l *Log) Document(ctx context.Context, c Constancia) (*Document, error) {
	events, err := l.eventsOf(ctx, c)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if e.LeafIndex < 0 {
			if _, err := l.Integrate(ctx); err != nil {
				return nil, err
			}
			if events, err = l.eventsOf(ctx, c); err != nil {
				return nil, err
			}
			break
		}
	}
	cp, err := l.Latest(ctx)
	if err != nil {
		return nil, err
	}
	doc := &Document{
		Format:   ConstanciaFormat,
		IssuedAt: l.now().UTC().Truncate(time.Microsecond).Format(TimeLayout),
		Notification: NotificationInfo{
			ID:            c.NotificationID,
			Institution:   Institution{ID: c.InstitutionID, Name: c.InstitutionName, RUC: c.InstitutionRUC},
			Recipient:     Recipient{NUI: c.RecipientNUI.String(), Name: c.RecipientName},
			Subject:       c.Subject,
			Reference:     c.Reference,
			ContentSHA256: c.ContentSHA256,
			Attachments:   append([]Attachment{}, c.Attachments...),
		},
		Events:     []ProvenEvent{},
		Checkpoint: string(cp.Note),
		Keys:       DocumentKeys{Note: []string{l.Keys.VerifierKey}, Certificates: []string{l.Keys.CertificatePEM()}},
	}
	for _, e := range events {
		if e.LeafIndex < 0 || e.LeafIndex >= cp.Size {
			// Recorded after the integration above: the next constancia has it.
			continue
		}
		p, err := l.InclusionProof(ctx, e.LeafIndex, cp.Size)
		if err != nil {
			return nil, err
		}
		doc.Events = append(doc.Events, ProvenEvent{LeafIndex: e.LeafIndex, Record: string(e.Record), InclusionProof: EncodeHashes(p)})
	}
	if len(doc.Events) == 0 {
		return nil, fmt.Errorf("constancia of notification %s: %w: no integrated event", c.NotificationID, ErrNotFound)
	}
	return doc, nil
}

func (l *Log) eventsOf(ctx context.Context, c Constancia) ([]store.EvidenceEvent, error) {
	all, err := l.DB.Reader().EvidenceEventsOfNotification(ctx, c.NotificationID)
	if err != nil {
		return nil, fmt.Errorf("constancia of notification %s: %w", c.NotificationID, err)
	}
	var out []store.EvidenceEvent
	for _, e := range all {
		if e.RecipientNUI == c.RecipientNUI.String() {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("constancia of notification %s: %w", c.NotificationID, ErrNotFound)
	}
	return out, nil
}

// ParseDocument reads a JSON twin file without verifying anything but its
// shape; VerifyJSON is what checks it.
func ParseDocument(data []byte) (*Document, error) {
	_, doc, err := parseEnvelope(data)
	return doc, err
}

// MaxConstanciaSize bounds a JSON twin or PDF read from outside.
const MaxConstanciaSize = 32 << 20

func parseEnvelope(data []byte) (*envelope, *Document, error) {
	if len(data) > MaxConstanciaSize {
		return nil, nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformedConstancia, len(data), MaxConstanciaSize)
	}
	var env envelope
	if err := strictUnmarshal(data, &env); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrMalformedConstancia, err)
	}
	if len(env.Constancia) == 0 || env.Signature == "" {
		return nil, nil, fmt.Errorf("%w: constancia or signature missing", ErrMalformedConstancia)
	}
	var doc Document
	if err := strictUnmarshal(env.Constancia, &doc); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrMalformedConstancia, err)
	}
	if doc.Format != ConstanciaFormat {
		return nil, nil, fmt.Errorf("%w: format %q, want %q", ErrMalformedConstancia, doc.Format, ConstanciaFormat)
	}
	return &env, &doc, nil
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

// JSONSHA256 is the SHA-256 of a JSON twin file in hex, as a PDF prints it.
func JSONSHA256(js []byte) string {
	sum := sha256.Sum256(js)
	return hex.EncodeToString(sum[:])
}

// sameStrings reports whether a and b hold the same strings in order.
func sameStrings(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n") && len(a) == len(b)
}
