package esign

import (
	"bytes"
	"errors"
	"strconv"
)

// A pdfSignature is one signature dictionary found in the file: the entries
// the verifier needs, and where its /Contents hex string sits.
type pdfSignature struct {
	Type, Filter, SubFilter string
	// ByteRange holds the integers of /ByteRange as written; a well formed
	// one has four.
	ByteRange []int64
	// Contents is the decoded /Contents value: the CMS followed by padding.
	Contents []byte
	// ContentsStart is the offset of the '<' opening /Contents, ContentsEnd
	// the offset just after its '>'.
	ContentsStart, ContentsEnd int64
	// DictStart is the offset of the dictionary's "<<".
	DictStart int
	// M, Name, Reason, Location are informative entries (not proof of anything).
	M, Name, Reason, Location string
}

// isTimestamp reports whether the dictionary is a document time-stamp
// (PAdES-LTA), which no person signed.
func (s *pdfSignature) isTimestamp() bool {
	return s.Type == "DocTimeStamp" || s.SubFilter == "ETSI.RFC3161"
}

// coveredEnd is the offset just after the last byte the signature covers.
func (s *pdfSignature) coveredEnd() int64 {
	if len(s.ByteRange) != 4 {
		return -1
	}
	return s.ByteRange[2] + s.ByteRange[3]
}

// wellFormed reports whether the byte range starts at 0, excludes exactly the
// /Contents hex string, and stays inside a file of size n.
func (s *pdfSignature) wellFormed(n int64) bool {
	br := s.ByteRange
	if len(br) != 4 {
		return false
	}
	for _, v := range br {
		if v < 0 || v > n {
			return false
		}
	}
	return br[0] == 0 &&
		br[1] == s.ContentsStart &&
		br[2] == s.ContentsEnd &&
		br[2]+br[3] <= n
}

// Limits that keep the parser linear-ish on hostile input.
const (
	maxDictCandidates = 64      // "<<" tried backwards from one /ByteRange
	maxDictLookBack   = 8 << 20 // bytes searched backwards for the "<<"
	maxNesting        = 32
	maxSignatures     = 64
)

// parseSignatures finds signature dictionaries by scanning for /ByteRange
// keys and parsing the dictionary that holds each one. It needs no xref or
// trailer, so it also reads files whose cross-reference data is damaged or
// compressed. Dictionaries it cannot parse are skipped.
func parseSignatures(pdf []byte) []pdfSignature {
	var sigs []pdfSignature
	key := []byte("/ByteRange")
	for from := 0; len(sigs) < maxSignatures; {
		i := bytes.Index(pdf[from:], key)
		if i < 0 {
			break
		}
		at := from + i
		from = at + len(key)
		// "/ByteRangeX" is another name.
		if from < len(pdf) && !isDelimiter(pdf[from]) && !isSpace(pdf[from]) {
			continue
		}
		if sig, ok := signatureAt(pdf, at); ok {
			sigs = append(sigs, sig)
		}
	}
	return sigs
}

// signatureAt parses the dictionary whose /ByteRange key starts at keyAt,
// trying the nearest "<<" before it first.
func signatureAt(pdf []byte, keyAt int) (pdfSignature, bool) {
	hi := keyAt
	lo := max(0, keyAt-maxDictLookBack)
	for range maxDictCandidates {
		j := bytes.LastIndex(pdf[lo:hi], []byte("<<"))
		if j < 0 {
			break
		}
		start := lo + j
		hi = start + 1
		lx := &lexer{b: pdf, pos: start}
		v, err := lx.value(0)
		if err != nil || v.kind != kDict {
			continue
		}
		br, ok := v.dict["ByteRange"]
		if !ok || br.keyAt != keyAt {
			continue
		}
		return signatureFromDict(v, start), true
	}
	return pdfSignature{}, false
}

func signatureFromDict(d pdfValue, start int) pdfSignature {
	s := pdfSignature{DictStart: start, ContentsStart: -1, ContentsEnd: -1}
	s.Type = d.dict["Type"].name()
	s.Filter = d.dict["Filter"].name()
	s.SubFilter = d.dict["SubFilter"].name()
	s.M = d.dict["M"].text()
	s.Name = d.dict["Name"].text()
	s.Reason = d.dict["Reason"].text()
	s.Location = d.dict["Location"].text()
	if br := d.dict["ByteRange"]; br.kind == kArray {
		for _, e := range br.arr {
			if e.kind != kInt {
				s.ByteRange = nil
				break
			}
			s.ByteRange = append(s.ByteRange, e.num)
		}
	}
	if c := d.dict["Contents"]; c.kind == kHex {
		s.Contents = c.bytes
		s.ContentsStart, s.ContentsEnd = int64(c.start), int64(c.end)
	}
	return s
}

// The value kinds the lexer distinguishes.
const (
	kNone = iota
	kDict
	kArray
	kName
	kInt
	kReal
	kString
	kHex
	kRef
	kKeyword
)

// pdfValue is a parsed PDF object; only what signature dictionaries use.
type pdfValue struct {
	kind       int
	num        int64
	str        string // name, keyword, or literal string bytes
	bytes      []byte // hex string bytes
	arr        []pdfValue
	dict       map[string]pdfValue
	start, end int // offsets of the value in the file
	keyAt      int // for a dictionary entry: offset of its key's '/'
}

func (v pdfValue) name() string {
	if v.kind == kName {
		return v.str
	}
	return ""
}

func (v pdfValue) text() string {
	switch v.kind {
	case kString:
		return v.str
	case kHex:
		return string(v.bytes)
	}
	return ""
}

var errSyntax = errors.New("pdf syntax")

// lexer reads PDF objects from b starting at pos.
type lexer struct {
	b   []byte
	pos int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelimiter(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// skip passes whitespace and comments.
func (l *lexer) skip() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		switch {
		case isSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// value parses one object at the current position.
func (l *lexer) value(depth int) (pdfValue, error) {
	if depth > maxNesting {
		return pdfValue{}, errSyntax
	}
	l.skip()
	if l.pos >= len(l.b) {
		return pdfValue{}, errSyntax
	}
	start := l.pos
	c := l.b[l.pos]
	switch {
	case c == '<' && l.pos+1 < len(l.b) && l.b[l.pos+1] == '<':
		return l.dictionary(depth)
	case c == '<':
		return l.hexString()
	case c == '(':
		return l.literalString()
	case c == '[':
		l.pos++
		v := pdfValue{kind: kArray, start: start}
		for {
			l.skip()
			if l.pos >= len(l.b) {
				return pdfValue{}, errSyntax
			}
			if l.b[l.pos] == ']' {
				l.pos++
				v.end = l.pos
				return v, nil
			}
			e, err := l.value(depth + 1)
			if err != nil {
				return pdfValue{}, err
			}
			v.arr = append(v.arr, e)
		}
	case c == '/':
		return l.nameToken(), nil
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return l.number()
	case isDelimiter(c):
		return pdfValue{}, errSyntax
	default:
		for l.pos < len(l.b) && !isSpace(l.b[l.pos]) && !isDelimiter(l.b[l.pos]) {
			l.pos++
		}
		return pdfValue{kind: kKeyword, str: string(l.b[start:l.pos]), start: start, end: l.pos}, nil
	}
}

func (l *lexer) dictionary(depth int) (pdfValue, error) {
	v := pdfValue{kind: kDict, start: l.pos, dict: map[string]pdfValue{}}
	l.pos += 2
	for {
		l.skip()
		if l.pos >= len(l.b) {
			return pdfValue{}, errSyntax
		}
		if l.b[l.pos] == '>' {
			if l.pos+1 < len(l.b) && l.b[l.pos+1] == '>' {
				l.pos += 2
				v.end = l.pos
				return v, nil
			}
			return pdfValue{}, errSyntax
		}
		if l.b[l.pos] != '/' {
			return pdfValue{}, errSyntax
		}
		keyAt := l.pos
		k := l.nameToken()
		e, err := l.value(depth + 1)
		if err != nil {
			return pdfValue{}, err
		}
		if e.kind == kKeyword {
			// Only "N G R" references and true/false/null are values here.
			if e.str != "true" && e.str != "false" && e.str != "null" {
				return pdfValue{}, errSyntax
			}
		}
		e.keyAt = keyAt
		if _, dup := v.dict[k.str]; !dup {
			v.dict[k.str] = e
		}
	}
}

// nameToken reads a name, decoding #xx escapes.
func (l *lexer) nameToken() pdfValue {
	start := l.pos
	l.pos++ // '/'
	var name []byte
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		if isSpace(c) || isDelimiter(c) {
			break
		}
		if c == '#' && l.pos+2 < len(l.b) {
			if h, ok := unhex(l.b[l.pos+1]); ok {
				if lo, ok := unhex(l.b[l.pos+2]); ok {
					name = append(name, h<<4|lo)
					l.pos += 3
					continue
				}
			}
		}
		name = append(name, c)
		l.pos++
	}
	return pdfValue{kind: kName, str: string(name), start: start, end: l.pos}
}

// number reads an integer or real, and folds "N G R" into a reference.
func (l *lexer) number() (pdfValue, error) {
	start := l.pos
	for l.pos < len(l.b) && !isSpace(l.b[l.pos]) && !isDelimiter(l.b[l.pos]) {
		l.pos++
	}
	tok := string(l.b[start:l.pos])
	n, err := strconv.ParseInt(tok, 10, 64)
	if err != nil {
		if _, ferr := strconv.ParseFloat(tok, 64); ferr != nil {
			return pdfValue{}, errSyntax
		}
		return pdfValue{kind: kReal, str: tok, start: start, end: l.pos}, nil
	}
	v := pdfValue{kind: kInt, num: n, start: start, end: l.pos}
	// Look ahead for "G R" without consuming anything else.
	save := l.pos
	l.skip()
	gs := l.pos
	for l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '9' {
		l.pos++
	}
	if l.pos > gs && l.pos < len(l.b) && isSpace(l.b[l.pos]) {
		l.skip()
		if l.pos < len(l.b) && l.b[l.pos] == 'R' && (l.pos+1 == len(l.b) || isSpace(l.b[l.pos+1]) || isDelimiter(l.b[l.pos+1])) {
			l.pos++
			return pdfValue{kind: kRef, num: n, start: start, end: l.pos}, nil
		}
	}
	l.pos = save
	return v, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// hexString reads <...>; whitespace is ignored and an odd final digit is
// followed by an implied 0, as ISO 32000 says.
func (l *lexer) hexString() (pdfValue, error) {
	start := l.pos
	l.pos++
	out := make([]byte, 0, 256)
	var hi byte
	half := false
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		if c == '>' {
			if half {
				out = append(out, hi<<4)
			}
			return pdfValue{kind: kHex, bytes: out, start: start, end: l.pos}, nil
		}
		if isSpace(c) {
			continue
		}
		d, ok := unhex(c)
		if !ok {
			return pdfValue{}, errSyntax
		}
		if half {
			out = append(out, hi<<4|d)
		} else {
			hi = d
		}
		half = !half
	}
	return pdfValue{}, errSyntax
}

// literalString reads (...) with nested parentheses and escapes.
func (l *lexer) literalString() (pdfValue, error) {
	start := l.pos
	l.pos++
	var out []byte
	depth := 1
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '\\':
			if l.pos >= len(l.b) {
				return pdfValue{}, errSyntax
			}
			e := l.b[l.pos]
			l.pos++
			switch e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r':
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
			case '\n':
			default:
				if e >= '0' && e <= '7' {
					o := e - '0'
					for k := 0; k < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; k++ {
						o = o<<3 | (l.b[l.pos] - '0')
						l.pos++
					}
					out = append(out, o)
				} else {
					out = append(out, e)
				}
			}
		case '(':
			depth++
			out = append(out, c)
		case ')':
			depth--
			if depth == 0 {
				return pdfValue{kind: kString, str: string(out), start: start, end: l.pos}, nil
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return pdfValue{}, errSyntax
}
