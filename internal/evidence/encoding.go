package evidence

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"

	"buzon/internal/nui"
)

// RecordHeader is the first line of every record: the encoding's name and
// version. A future encoding gets a new version line; old records keep
// theirs, and their hashes never change.
const RecordHeader = "buzon-evidence v1"

// TimeLayout is how a record writes its time: RFC 3339 in UTC with exactly
// six fractional digits, so one instant has one spelling.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Limits that keep a record small; Record refuses events beyond them.
const (
	MaxRecordSize  = 16 << 10
	MaxDetails     = 32
	MaxDetailValue = 2048
	MaxAttachments = 100
	maxIDLen       = 64
)

var (
	detailKeyRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	sha256RE    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	idRE        = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)
)

// Encode returns the canonical encoding of e (docs/EVIDENCE.md, "Records"):
//
//	buzon-evidence v1
//	id: 01963a…
//	type: deposited
//	time: 2026-03-02T15:04:05.123456Z
//	actor: system
//	notification: 01963a…
//	institution: 01963a…
//	recipient: 1714307103
//	content-sha256: 9f86d0…
//	attachment-sha256: 2c26b4…
//	detail.reason: …
//
// Lines appear in that fixed order; optional ones are left out when empty,
// attachment lines repeat in the attachments' order and detail lines are
// sorted by key. Values escape backslash as \\ and every control character
// as \xHH, so a record is always one line per field. The same event always
// encodes to the same bytes, and ParseRecord accepts nothing else.
func (e *Event) Encode() ([]byte, error) {
	if err := e.validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(RecordHeader + "\n")
	line := func(k, v string) {
		b.WriteString(k)
		b.WriteString(": ")
		b.WriteString(escape(v))
		b.WriteByte('\n')
	}
	line("id", e.ID)
	line("type", string(e.Type))
	line("time", e.Time.UTC().Format(TimeLayout))
	actor := string(e.Actor.Kind)
	if e.Actor.ID != "" {
		actor += " " + e.Actor.ID
	}
	line("actor", actor)
	opt := func(k, v string) {
		if v != "" {
			line(k, v)
		}
	}
	opt("notification", e.NotificationID)
	opt("institution", e.InstitutionID)
	opt("recipient", e.RecipientNUI.String())
	opt("content-sha256", e.ContentSHA256)
	for _, h := range e.AttachmentSHA256 {
		line("attachment-sha256", h)
	}
	keys := make([]string, 0, len(e.Details))
	for k := range e.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		line("detail."+k, e.Details[k])
	}
	if b.Len() > MaxRecordSize {
		return nil, fmt.Errorf("%w: encoding is %d bytes, more than %d", ErrInvalidEvent, b.Len(), MaxRecordSize)
	}
	return b.Bytes(), nil
}

// RecordHash is the tree leaf hash of an encoded record (tlog.RecordHash:
// SHA-256 of a zero byte and the record).
func RecordHash(record []byte) tlog.Hash { return tlog.RecordHash(record) }

func (e *Event) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidEvent, fmt.Sprintf(format, args...))
	}
	if !idRE.MatchString(e.ID) {
		return bad("id %q must be 1-64 letters, digits or ._:-", e.ID)
	}
	if !e.Type.Valid() {
		return bad("unknown type %q", e.Type)
	}
	if e.Time.IsZero() {
		return bad("time is missing")
	}
	if y := e.Time.UTC().Year(); y < 2000 || y > 9999 {
		return bad("time %s is out of range", e.Time)
	}
	if e.Time.Nanosecond()%1000 != 0 {
		return bad("time %s has more precision than microseconds", e.Time)
	}
	switch e.Actor.Kind {
	case ActorCitizen:
		if _, err := nui.Parse(e.Actor.ID); err != nil || len(e.Actor.ID) != 10 {
			return bad("citizen actor %q is not a N.U.I.", e.Actor.ID)
		}
	case ActorStaff, ActorAPI:
		if !idRE.MatchString(e.Actor.ID) {
			return bad("%s actor id %q must be 1-64 letters, digits or ._:-", e.Actor.Kind, e.Actor.ID)
		}
	case ActorSystem:
		if e.Actor.ID != "" && !idRE.MatchString(e.Actor.ID) {
			return bad("system actor id %q must be 1-64 letters, digits or ._:-", e.Actor.ID)
		}
	default:
		return bad("unknown actor kind %q", e.Actor.Kind)
	}
	for name, v := range map[string]string{"notification": e.NotificationID, "institution": e.InstitutionID} {
		if v != "" && !idRE.MatchString(v) {
			return bad("%s id %q must be 1-64 letters, digits or ._:-", name, v)
		}
	}
	if e.Type.aboutNotification() && (e.NotificationID == "" || e.InstitutionID == "" || e.RecipientNUI == "") {
		return bad("a %s event must name the notification, the institution and the recipient", e.Type)
	}
	if e.RecipientNUI != "" {
		if n, err := nui.Parse(string(e.RecipientNUI)); err != nil || n != e.RecipientNUI {
			return bad("recipient %q is not a N.U.I.", e.RecipientNUI)
		}
	}
	if e.ContentSHA256 != "" && !sha256RE.MatchString(e.ContentSHA256) {
		return bad("content SHA-256 %q must be 64 lowercase hex digits", e.ContentSHA256)
	}
	if len(e.AttachmentSHA256) > MaxAttachments {
		return bad("%d attachments, more than %d", len(e.AttachmentSHA256), MaxAttachments)
	}
	for _, h := range e.AttachmentSHA256 {
		if !sha256RE.MatchString(h) {
			return bad("attachment SHA-256 %q must be 64 lowercase hex digits", h)
		}
	}
	if len(e.Details) > MaxDetails {
		return bad("%d details, more than %d", len(e.Details), MaxDetails)
	}
	for k, v := range e.Details {
		if !detailKeyRE.MatchString(k) {
			return bad("detail key %q must be 1-32 of a-z, 0-9 and _", k)
		}
		if len(v) > MaxDetailValue {
			return bad("detail %s is %d bytes, more than %d", k, len(v), MaxDetailValue)
		}
		if !utf8.ValidString(v) {
			return bad("detail %s is not UTF-8", k)
		}
	}
	return nil
}

// escape writes a value on one line: \ becomes \\, and every control
// character (below 0x20, and 0x7f) becomes \xHH.
func escape(s string) string {
	if !strings.ContainsFunc(s, needsEscape) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func needsEscape(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f }

func unescape(s string) (string, bool) {
	if !strings.Contains(s, `\`) {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		case i+3 < len(s) && s[i+1] == 'x':
			var v byte
			for _, h := range s[i+2 : i+4] {
				switch {
				case h >= '0' && h <= '9':
					v = v<<4 | byte(h-'0')
				case h >= 'a' && h <= 'f':
					v = v<<4 | byte(h-'a'+10)
				default:
					return "", false
				}
			}
			b.WriteByte(v)
			i += 3
		default:
			return "", false
		}
	}
	return b.String(), true
}

// ParseRecord decodes a canonical encoding. It accepts only bytes that Encode
// would produce for the event it returns, so two different byte strings never
// stand for the same event.
func ParseRecord(record []byte) (*Event, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrMalformedRecord, fmt.Sprintf(format, args...))
	}
	if len(record) > MaxRecordSize {
		return nil, bad("%d bytes, more than %d", len(record), MaxRecordSize)
	}
	if !utf8.Valid(record) {
		return nil, bad("not UTF-8")
	}
	text, ok := strings.CutSuffix(string(record), "\n")
	if !ok {
		return nil, bad("does not end in a newline")
	}
	lines := strings.Split(text, "\n")
	if lines[0] != RecordHeader {
		return nil, bad("first line is not %q", RecordHeader)
	}
	e := &Event{}
	for _, l := range lines[1:] {
		k, raw, ok := strings.Cut(l, ": ")
		if !ok {
			return nil, bad("line %q has no \": \"", l)
		}
		v, ok := unescape(raw)
		if !ok {
			return nil, bad("line %q has a bad escape", l)
		}
		switch {
		case k == "id":
			e.ID = v
		case k == "type":
			e.Type = Type(v)
		case k == "time":
			t, err := time.Parse(TimeLayout, v)
			if err != nil {
				return nil, bad("time %q: %v", v, err)
			}
			e.Time = t
		case k == "actor":
			kind, id, _ := strings.Cut(v, " ")
			e.Actor = Actor{Kind: ActorKind(kind), ID: id}
		case k == "notification":
			e.NotificationID = v
		case k == "institution":
			e.InstitutionID = v
		case k == "recipient":
			e.RecipientNUI = nui.NUI(v)
		case k == "content-sha256":
			e.ContentSHA256 = v
		case k == "attachment-sha256":
			e.AttachmentSHA256 = append(e.AttachmentSHA256, v)
		case strings.HasPrefix(k, "detail."):
			if e.Details == nil {
				e.Details = map[string]string{}
			}
			key := strings.TrimPrefix(k, "detail.")
			if _, dup := e.Details[key]; dup {
				return nil, bad("detail %q repeated", key)
			}
			e.Details[key] = v
		default:
			return nil, bad("unknown field %q", k)
		}
	}
	again, err := e.Encode()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedRecord, err)
	}
	if !bytes.Equal(again, record) {
		return nil, bad("not in canonical form (fields out of order, repeated, or spelled differently)")
	}
	return e, nil
}
