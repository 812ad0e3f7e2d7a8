package institution

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"buzon/internal/filetype"
)

// Upload is a file a person attached to a form. Content is nil when no
// file was chosen. The name is only shown to MINTEL (made safe first); the
// type is decided from the bytes.
type Upload struct {
	Name    string
	Size    int64
	Content io.ReaderAt
}

// Present reports whether a file was attached.
func (u Upload) Present() bool { return u.Content != nil && u.Size > 0 }

// DocumentKind names a request's document. The values are stored.
type DocumentKind string

// The documents of a request.
const (
	// DocumentLetter is the request letter (oficio) signed by the highest
	// authority or delegate.
	DocumentLetter DocumentKind = "oficio"
	// DocumentDelegation is the official document designating the
	// Administrador Institucional.
	DocumentDelegation DocumentKind = "delegacion"
)

// Spanish names the document as the console shows it.
func (k DocumentKind) Spanish() string {
	if k == DocumentLetter {
		return "Oficio de solicitud firmado"
	}
	return "Documento de delegación"
}

// English names the document in English.
func (k DocumentKind) English() string {
	if k == DocumentLetter {
		return "Signed request letter"
	}
	return "Delegation document"
}

// pdfTail is how far from the end a PDF's "%%EOF" marker is looked for:
// writers may append a few bytes of padding after it.
const pdfTail = 1024

// checkPDF refuses a missing file, one over max bytes, and one that is not
// a PDF by its content (whatever its name says): it must be detected as a
// PDF and end with the "%%EOF" marker every complete PDF ends with.
func checkPDF(field string, u Upload, max int64) error {
	if !u.Present() {
		return ErrDocumentMissing.at(field)
	}
	if u.Size > max {
		return tooLarge(ErrDocumentTooLarge, field, max)
	}
	t, err := filetype.DetectReader(u.Content, u.Size)
	if err != nil {
		return fmt.Errorf("read %s: %w", field, err)
	}
	if t != filetype.PDF {
		return ErrDocumentNotPDF.at(field)
	}
	n := min(u.Size, pdfTail)
	tail := make([]byte, n)
	if _, err := u.Content.ReadAt(tail, u.Size-n); err != nil && err != io.EOF {
		return fmt.Errorf("read %s: %w", field, err)
	}
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return ErrDocumentNotPDF.at(field)
	}
	return nil
}

// checkLogo refuses anything but a PNG or JPEG image of at most max bytes
// and returns its content, media type and SHA-256.
func checkLogo(u Upload, max int64) (content []byte, mediaType, sum string, err error) {
	if !u.Present() {
		return nil, "", "", ErrDocumentMissing.at("logo")
	}
	if u.Size > max {
		return nil, "", "", tooLarge(ErrLogoTooLarge, "logo", max)
	}
	t, err := filetype.DetectReader(u.Content, u.Size)
	if err != nil {
		return nil, "", "", fmt.Errorf("read logo: %w", err)
	}
	if t != filetype.PNG && t != filetype.JPEG {
		return nil, "", "", ErrLogoInvalid
	}
	content = make([]byte, u.Size)
	if _, err := u.Content.ReadAt(content, 0); err != nil && err != io.EOF {
		return nil, "", "", fmt.Errorf("read logo: %w", err)
	}
	h := sha256.Sum256(content)
	return content, t.MIME, hex.EncodeToString(h[:]), nil
}

// tooLarge is a size refusal naming the limit.
func tooLarge(base *Error, field string, max int64) *Error {
	return &Error{base.code, field,
		fmt.Sprintf("%s El tamaño máximo es %s.", base.spanish, sizeText(max, "es")),
		fmt.Sprintf("%s The maximum size is %s.", base.english, sizeText(max, "en"))}
}

// sizeText writes a byte count as people read it: "10 MB", "512 KB", "1,5 MB".
func sizeText(n int64, lang string) string {
	const kb, mb = 1 << 10, 1 << 20
	var s string
	switch {
	case n >= mb && n%mb == 0:
		s = fmt.Sprintf("%d MB", n/mb)
	case n >= mb:
		s = fmt.Sprintf("%.1f MB", float64(n)/mb)
	case n >= kb:
		s = fmt.Sprintf("%d KB", n/kb)
	default:
		s = fmt.Sprintf("%d bytes", n)
	}
	if lang == "es" {
		s = string(bytes.ReplaceAll([]byte(s), []byte("."), []byte(",")))
	}
	return s
}

// SizeText writes a byte count in Spanish ("10 MB"), for the forms' hints.
func SizeText(n int64) string { return sizeText(n, "es") }

// SizeTextEnglish writes a byte count in English.
func SizeTextEnglish(n int64) string { return sizeText(n, "en") }
