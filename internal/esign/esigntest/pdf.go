package esigntest

import (
	"bytes"
	"fmt"
	"strings"
)

// Document is the content of a test PDF.
type Document struct {
	Title string
	// Keywords goes in the Info dictionary, e.g. "BUZON-REG:<code>".
	Keywords string
	// Lines are written on the single page, in an uncompressed stream.
	Lines []string
}

// NewPDF writes a small valid one-page PDF 1.7 with a classic
// cross-reference table and an Info dictionary; text is Latin-1.
func NewPDF(d Document) []byte {
	var content bytes.Buffer
	content.WriteString("BT\n/F1 11 Tf\n14 TL\n72 770 Td\n")
	for _, l := range d.Lines {
		fmt.Fprintf(&content, "%s Tj T*\n", pdfString(l))
	}
	content.WriteString("ET\n")

	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		fmt.Sprintf("<< /Title %s /Keywords %s /Producer (Buzon esigntest) >>", pdfString(d.Title), pdfString(d.Keywords)),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// pdfString writes s as a literal string in Latin-1, escaping what must be.
func pdfString(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0xff:
			b.WriteByte('?')
		case r >= 0x80:
			fmt.Fprintf(&b, "\\%03o", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(')')
	return b.String()
}
