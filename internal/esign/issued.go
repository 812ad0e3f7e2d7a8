package esign

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"crypto/subtle"
	"io"
	"time"
	"unicode/utf16"
)

// RegistrationMarker prefixes the registration code in the issued document.
// The contract for the issuer of registration documents:
//
//  1. Put the code in the document Info dictionary as
//     /Keywords (BUZON-REG:<code>) — a literal string, with <code> made only
//     of ASCII letters, digits, '-' and '_', at least 8 characters long and
//     unique per application (e.g. 16 random base32 characters). Writing the
//     same text in an uncompressed page content stream too is welcome.
//  2. Keep the exact bytes served to the applicant, and give the verifier
//     their SHA-256 and length (Expected.IssuedSHA256, Expected.IssuedSize),
//     the code, the N.U.I. and the issue time.
//  3. End the file with "%%EOF" and a newline, and do not sign it with an
//     approval signature whose /Contents would sit in the issued bytes.
//
// The verifier relies first on the prefix hash: signing software that appends
// an incremental update (FirmaEC, Acrobat, JSignPdf, pdfsign...) keeps the
// issued bytes as a prefix of the signed file. Only if that fails does it
// search the signed bytes for the marker (as written, hex-encoded, UTF-16, or
// inside Flate streams), which covers signers that rewrite the whole file.
const RegistrationMarker = "BUZON-REG:"

// How the issued document was recognised, recorded in Report.IssuedMatch.
const (
	IssuedByPrefix = "prefix-sha256"
	IssuedByCode   = "registration-code"
)

// Expected describes the registration document the platform issued for one
// application; see RegistrationMarker for the contract.
type Expected struct {
	// IssuedSHA256 and IssuedSize identify the exact bytes served.
	IssuedSHA256 [32]byte
	IssuedSize   int64
	// Code is the application's registration code, written in the document
	// after RegistrationMarker.
	Code string
	// NUI is the 10-digit cédula being registered.
	NUI string
	// IssuedAt, when set, bounds a signer-asserted signing time: a claim
	// earlier than the document itself is not believed.
	IssuedAt time.Time
}

// Bounds on the marker search in rewritten files.
const (
	minCodeLen      = 8
	maxInflateTotal = 64 << 20
)

// matchIssued decides whether the signed bytes hold the issued document.
// signed is the list of byte ranges the signature covers.
func matchIssued(pdf []byte, firstRangeEnd int64, signed [][]byte, want Expected) (string, bool) {
	if want.IssuedSize <= firstRangeEnd && isPrefix(pdf, want) {
		return IssuedByPrefix, true
	}
	if !validCode(want.Code) {
		return "", false
	}
	marker := []byte(RegistrationMarker + want.Code)
	forms := [][]byte{marker, utf16BE(marker)}
	budget := maxInflateTotal
	for _, part := range signed {
		if containsMarker(part, forms) || hexStringsContain(part, forms) || streamsContain(part, forms, &budget) {
			return IssuedByCode, true
		}
	}
	return "", false
}

// isPrefix reports whether pdf starts with the issued bytes.
func isPrefix(pdf []byte, want Expected) bool {
	if want.IssuedSize <= 0 || want.IssuedSize > int64(len(pdf)) {
		return false
	}
	sum := sha256.Sum256(pdf[:want.IssuedSize])
	return subtle.ConstantTimeCompare(sum[:], want.IssuedSHA256[:]) == 1
}

func validCode(code string) bool {
	if len(code) < minCodeLen || len(code) > 128 {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !isCodeChar(c) {
			return false
		}
	}
	return true
}

func isCodeChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_'
}

func utf16BE(b []byte) []byte {
	out := make([]byte, 0, 2*len(b))
	for _, u := range utf16.Encode([]rune(string(b))) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// containsMarker finds one of forms in b not followed by another code
// character (so code ABCDEFGH does not match ABCDEFGHI).
func containsMarker(b []byte, forms [][]byte) bool {
	for fi, f := range forms {
		for from := 0; ; {
			i := bytes.Index(b[from:], f)
			if i < 0 {
				break
			}
			end := from + i + len(f)
			next := end
			if fi == 1 { // UTF-16: the low byte of the next unit
				next++
			}
			if next >= len(b) || !isCodeChar(b[next]) || (fi == 1 && b[end] != 0) {
				return true
			}
			from = from + i + 1
		}
	}
	return false
}

// hexStringsContain decodes every <hex> string of b and looks inside.
func hexStringsContain(b []byte, forms [][]byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '<' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '<' {
			i++
			continue
		}
		lx := &lexer{b: b, pos: i}
		v, err := lx.hexString()
		if err != nil {
			continue
		}
		if len(v.bytes) >= len(forms[0]) && containsMarker(v.bytes, forms) {
			return true
		}
		i = v.end - 1
	}
	return false
}

// streamsContain inflates every stream of b (whatever its filter says; non
// Flate data fails fast) and looks inside, within budget bytes in total.
func streamsContain(b []byte, forms [][]byte, budget *int) bool {
	kw := []byte("stream")
	for from := 0; *budget > 0; {
		i := bytes.Index(b[from:], kw)
		if i < 0 {
			return false
		}
		start := from + i + len(kw)
		from = start
		if start > len(kw) && b[start-len(kw)-1] == 'd' { // "endstream"
			continue
		}
		if start < len(b) && b[start] == '\r' {
			start++
		}
		if start < len(b) && b[start] == '\n' {
			start++
		}
		end := bytes.Index(b[start:], []byte("endstream"))
		if end < 0 {
			end = len(b) - start
		}
		data := b[start : start+end]
		if containsMarker(data, forms) {
			return true
		}
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			continue
		}
		out, _ := io.ReadAll(io.LimitReader(zr, int64(*budget)))
		*budget -= len(out)
		if containsMarker(out, forms) || hexStringsContain(out, forms) {
			return true
		}
	}
	return false
}
