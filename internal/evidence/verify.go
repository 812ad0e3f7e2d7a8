package evidence

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Check is one line of a verification report.
type Check struct {
	OK     bool
	Name   string // what was checked, one line
	Detail string // why it failed, or what was found
}

// Report is the outcome of verifying a constancia: every check made, in
// order, and warnings that do not make it fail.
type Report struct {
	Checks   []Check
	Warnings []string
	// Document is the JSON twin, when it could be read.
	Document *Document
}

// OK reports whether every check passed (and at least one was made).
func (r *Report) OK() bool {
	if len(r.Checks) == 0 {
		return false
	}
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

func (r *Report) add(ok bool, name, detail string, args ...any) bool {
	r.Checks = append(r.Checks, Check{OK: ok, Name: name, Detail: fmt.Sprintf(detail, args...)})
	return ok
}

func (r *Report) fail(name string, err error) bool { return r.add(false, name, "%v", err) }

// VerifyOptions are what a verifier brings from outside the file.
type VerifyOptions struct {
	// NoteKeys pins the note verifier keys the checkpoint and the JSON twin
	// must be signed with (as published at /evidence/keys). Empty means
	// the keys the file carries are used, with a warning: a forger can put
	// his own key in a file.
	NoteKeys []string
	// Certificates pins the certificates a PDF must be signed with. Empty
	// means the certificate the JSON twin lists.
	Certificates []*x509.Certificate
	// Attachments are files that must each match an attachment's SHA-256.
	Attachments []AttachmentFile
}

// AttachmentFile is a file given to check against the recorded hashes.
type AttachmentFile struct {
	Name   string // as shown in the report
	SHA256 string // lowercase hex
}

// NewAttachmentFile hashes a file's content for VerifyOptions.
func NewAttachmentFile(name string, content []byte) AttachmentFile {
	sum := sha256.Sum256(content)
	return AttachmentFile{Name: name, SHA256: hex.EncodeToString(sum[:])}
}

// VerifyJSON checks a JSON twin offline: its form, its signature, the
// checkpoint's signature, each event's inclusion proof against the
// checkpoint, that the events are about the notification and recipient the
// constancia names with the hashes it lists, and the given attachment files.
func VerifyJSON(data []byte, opt VerifyOptions) *Report {
	r := &Report{}
	verifyJSON(r, data, opt)
	return r
}

func verifyJSON(r *Report, data []byte, opt VerifyOptions) {
	const form = "JSON twin is a well-formed " + ConstanciaFormat
	env, doc, err := parseEnvelope(data)
	if err != nil {
		r.fail(form, err)
		return
	}
	r.Document = doc
	canonical, err := marshalEnvelope(*env)
	if err != nil || !bytes.Equal(canonical, data) {
		r.add(false, form, "the file is not byte for byte as the platform wrote it (re-encoded or edited)")
		return
	}
	r.add(true, form, "issued %s", doc.IssuedAt)

	// Keys: pinned ones if given, else those in the file.
	keys := doc.Keys.Note
	if len(opt.NoteKeys) > 0 {
		keys = opt.NoteKeys
	} else {
		r.Warnings = append(r.Warnings, "the signing key was taken from the file itself: pin the platform's published key (--key) to rule out a forgery")
	}
	known, err := Verifiers(keys...)
	if err != nil {
		r.fail("signing keys", err)
		return
	}

	const sigName = "constancia signature (JSON twin)"
	n, err := openNote([]byte(env.Signature), known)
	switch {
	case err != nil:
		r.fail(sigName, err)
	case n.Text != statement(env.Constancia):
		r.add(false, sigName, "the signature is for other content: the constancia was changed after signing")
	default:
		r.add(true, sigName, "signed by %s", signerNames(n))
	}

	cpName := "checkpoint signature"
	cp, err := OpenCheckpoint([]byte(doc.Checkpoint), known)
	if err != nil {
		r.fail(cpName, err)
		return
	}
	r.add(true, cpName, "log %s, %d records, root %s", cp.Origin, cp.Size, cp.Root)

	info := doc.Notification
	var contentSeen bool
	var attachmentsSeen bool
	var deposited bool
	for i, pe := range doc.Events {
		name := fmt.Sprintf("event %d (leaf %d): inclusion proof", i+1, pe.LeafIndex)
		ev, err := ParseRecord([]byte(pe.Record))
		if err != nil {
			r.fail(name, err)
			continue
		}
		name = fmt.Sprintf("event %d, %s at %s (leaf %d): inclusion proof", i+1, ev.Type, ev.Time.Format(TimeLayout), pe.LeafIndex)
		proof, err := DecodeHashes(pe.InclusionProof)
		if err == nil {
			err = CheckInclusion(cp, pe.LeafIndex, []byte(pe.Record), proof)
		}
		if err != nil {
			r.fail(name, err)
		} else {
			r.add(true, name, "in the tree of %d records", cp.Size)
		}
		about := fmt.Sprintf("event %d is about notification %s to %s", i+1, info.ID, info.Recipient.NUI)
		if ev.NotificationID != info.ID || ev.RecipientNUI.String() != info.Recipient.NUI || ev.InstitutionID != info.Institution.ID {
			r.add(false, about, "it names notification %q, institution %q, recipient %q", ev.NotificationID, ev.InstitutionID, ev.RecipientNUI)
		}
		if ev.ContentSHA256 != "" {
			contentSeen = true
			if ev.ContentSHA256 != info.ContentSHA256 {
				r.add(false, fmt.Sprintf("event %d: content SHA-256", i+1), "the event records %s, the constancia states %s", ev.ContentSHA256, info.ContentSHA256)
			}
		}
		if len(ev.AttachmentSHA256) > 0 {
			attachmentsSeen = true
			var stated []string
			for _, a := range info.Attachments {
				stated = append(stated, a.SHA256)
			}
			if !sameStrings(ev.AttachmentSHA256, stated) {
				r.add(false, fmt.Sprintf("event %d: attachment SHA-256s", i+1), "the event records %s, the constancia states %s",
					strings.Join(ev.AttachmentSHA256, ", "), strings.Join(stated, ", "))
			}
		}
		if ev.Type == Deposited {
			deposited = true
		}
	}
	if len(doc.Events) == 0 {
		r.add(false, "events", "the constancia lists no event")
	}
	switch {
	case contentSeen:
		r.add(true, "content SHA-256 (hash del contenido) matches the recorded events", "%s", info.ContentSHA256)
	default:
		r.Warnings = append(r.Warnings, "no event records the content's SHA-256")
	}
	if attachmentsSeen {
		r.add(true, "attachment SHA-256s (anexos) match the recorded events", "%d anexo(s)", len(info.Attachments))
	} else if len(info.Attachments) > 0 {
		r.add(false, "attachment SHA-256s (anexos) match the recorded events", "the constancia lists attachments no event records")
	}
	if !deposited {
		r.Warnings = append(r.Warnings, "no deposited event: the notification is not shown as delivered to the buzón")
	}
	for _, f := range opt.Attachments {
		name := fmt.Sprintf("file %s matches a recorded anexo", f.Name)
		i := slices.IndexFunc(info.Attachments, func(a Attachment) bool { return a.SHA256 == f.SHA256 })
		if i < 0 {
			r.add(false, name, "its SHA-256 %s is not among the constancia's attachments", f.SHA256)
			continue
		}
		r.add(true, name, "«%s», SHA-256 %s", info.Attachments[i].Name, f.SHA256)
	}
}

func signerNames(n *note.Note) string {
	var names []string
	for _, s := range n.Sigs {
		names = append(names, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
	}
	return strings.Join(names, ", ")
}

// parseCertificates reads the PEM certificates a JSON twin lists.
func parseCertificates(pems []string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, p := range pems {
		rest := []byte(p)
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("certificate: %w", err)
			}
			out = append(out, c)
		}
	}
	return out, nil
}
