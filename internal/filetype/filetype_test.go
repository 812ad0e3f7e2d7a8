package filetype

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

func img(t *testing.T, enc func(*bytes.Buffer, image.Image) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type entry struct {
	name   string
	body   string
	stored bool
}

func zipOf(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.stored {
			h.Method = zip.Store
		}
		f, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(e.body))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`

func ooxml(t *testing.T, dir string, extra ...entry) []byte {
	return zipOf(t, append([]entry{
		{name: "[Content_Types].xml", body: contentTypes},
		{name: "_rels/.rels", body: "<Relationships/>"},
		{name: dir + "document.xml", body: "<doc/>"},
	}, extra...)...)
}

func odf(t *testing.T, mime string, extra ...entry) []byte {
	return zipOf(t, append([]entry{
		{name: "mimetype", body: mime, stored: true},
		{name: "content.xml", body: "<office:document-content/>"},
	}, extra...)...)
}

// oleFile builds a minimal compound file: the 512-byte header, then one
// directory sector holding a root entry and the given streams (or storages,
// names ending in "/").
func oleFile(names ...string) []byte {
	out := make([]byte, 512, 1024)
	copy(out, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
	out[0x1e] = 9 // 512-byte sectors
	dir := make([]byte, 512)
	put := func(i int, name string, typ byte) {
		e := dir[i*128 : (i+1)*128]
		units := utf16.Encode([]rune(name + "\x00"))
		for j, u := range units {
			binary.LittleEndian.PutUint16(e[2*j:], u)
		}
		binary.LittleEndian.PutUint16(e[0x40:], uint16(2*len(units)))
		e[0x42] = typ
	}
	put(0, "Root Entry", 5)
	for i, n := range names {
		if strings.HasSuffix(n, "/") {
			put(i+1, strings.TrimSuffix(n, "/"), 1)
		} else {
			put(i+1, n, 2)
		}
	}
	return append(out, dir...)
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestDetectFile(t *testing.T) {
	pngB := img(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })
	jpgB := img(t, func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) })
	gifB := img(t, func(b *bytes.Buffer, m image.Image) error { return gif.Encode(b, m, nil) })
	pdfB := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\ntrailer\n<</Root 1 0 R>>\n%%EOF\n")
	webpB := []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00\x30\x01\x00\x9d\x01\x2a\x01\x00\x01\x00\x02\x00\x34\x25\xa4\x00\x03\x70\x00\xfe\xfb\x94\x00\x00")
	exe := cat([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 100))

	for _, tc := range []struct {
		desc, name string
		content    []byte
		want       Type
	}{
		{"PDF", "oficio.pdf", pdfB, PDF},
		{"PNG", "foto.png", pngB, PNG},
		{"JPEG", "foto.jpg", jpgB, JPEG},
		{"GIF", "logo.gif", gifB, GIF},
		{"WebP", "foto.webp", webpB, WebP},
		{"image named .pdf is an image", "resolucion.pdf", pngB, PNG},
		{"PDF named .exe is a PDF", "oficio.exe", pdfB, PDF},
		{"TIFF", "scan.tif", []byte("II*\x00\x08\x00\x00\x00\x00\x00"), TIFF},
		{"DOCX", "informe.docx", ooxml(t, "word/"), DOCX},
		{"DOCX named .zip", "informe.zip", ooxml(t, "word/"), DOCX},
		{"XLSX", "datos.xlsx", ooxml(t, "xl/"), XLSX},
		{"PPTX", "charla.pptx", ooxml(t, "ppt/"), PPTX},
		{"DOCX with an embedded workbook", "x.docx", ooxml(t, "word/", entry{name: "word/embeddings/Libro1.xlsx", body: "x"}), DOCX},
		{"DOCM: macros", "informe.docx", ooxml(t, "word/", entry{name: "word/vbaProject.bin", body: "x"}), Macro},
		{"DOCM renamed: declared macro-enabled", "informe.docx", zipOf(t,
			entry{name: "[Content_Types].xml", body: `<Types><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`},
			entry{name: "word/document.xml", body: "<w/>"}), Macro},
		{"XLSM: Excel 4 macro sheet", "datos.xlsx", ooxml(t, "xl/", entry{name: "xl/macrosheets/sheet1.xml", body: "x"}), Macro},
		{"OOXML with two main parts", "x.docx", ooxml(t, "word/", entry{name: "xl/workbook.xml", body: "x"}), Unknown},
		{"OOXML without a known part (XPS)", "x.xps", zipOf(t, entry{name: "[Content_Types].xml", body: contentTypes}, entry{name: "Documents/1/x", body: "x"}), Unknown},
		{"ODT", "acta.odt", odf(t, ODT.MIME), ODT},
		{"ODS", "datos.ods", odf(t, ODS.MIME), ODS},
		{"ODP", "charla.odp", odf(t, ODP.MIME), ODP},
		{"ODT with Basic macros", "acta.odt", odf(t, ODT.MIME, entry{name: "Basic/Standard/Module1.xml", body: "x"}), Macro},
		{"ODF drawing", "x.odg", odf(t, "application/vnd.oasis.opendocument.graphics"), ZIP},
		{"DOC", "oficio.doc", oleFile("WordDocument", "1Table", "\x05SummaryInformation"), DOC},
		{"XLS", "datos.xls", oleFile("Workbook"), XLS},
		{"XLS (Excel 5)", "datos.xls", oleFile("Book"), XLS},
		{"PPT", "charla.ppt", oleFile("PowerPoint Document", "Current User"), PPT},
		{"DOC embedding a workbook", "oficio.doc", oleFile("WordDocument", "ObjectPool/", "Workbook"), DOC},
		{"DOC with macros", "oficio.doc", oleFile("WordDocument", "Macros/", "VBA/"), Macro},
		{"XLS with macros", "datos.xls", oleFile("Workbook", "_VBA_PROJECT_CUR/"), Macro},
		{"other OLE (MSI, MSG)", "instalar.doc", oleFile("\u4840\u3b3f\u4577"), OLE},
		{"plain text", "nota.txt", []byte("Estimado ciudadano: su trámite Nº 12 está listo.\n"), Text},
		{"text without a name", "", []byte("hola\n"), Text},
		{"Windows-1252 text", "nota.txt", []byte("Resoluci\xf3n n\xfamero 5, se\xf1or Pe\xf1a\r\n"), Text},
		{"CSV", "lista.csv", []byte("cedula;nombres\n1714307103;Ana\n"), CSV},
		{"CSV named in capitals", "LISTA.CSV", []byte("a,b\n"), CSV},
		{"text named .js", "factura.js", []byte("var x = 1;\n"), JavaScript},
		{"text named .pdf.js", "factura.pdf.js", []byte("alert(1)\n"), JavaScript},
		{"text named .vbs", "factura.vbs", []byte("MsgBox 1\n"), Script},
		{"text named .bat with trailing dot", "factura.bat.", []byte("echo 1\n"), Script},
		{"text named .html", "x.html", []byte("hola"), HTML},
		{"HTML", "x.txt", []byte("<!DOCTYPE html><html><body>hola</body></html>"), HTML},
		{"HTML with leading space and BOM", "x.txt", []byte("\xef\xbb\xbf  \n<HTML>"), HTML},
		{"HTML fragment", "x.txt", []byte("<p>hola</p>"), HTML},
		{"text with a script tag", "x.txt", []byte("Estimado:\n<script>alert(1)</script>"), HTML},
		{"text with an img onerror", "x.txt", []byte("ver <img src=x onerror=alert(1)>"), HTML},
		{"text with a javascript: URL", "x.txt", []byte("clic JavaScript:alert(1)"), HTML},
		{"text with a less-than sign", "x.txt", []byte("si a <b y b < c entonces a < c"), Text},
		{"SVG", "logo.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), SVG},
		{"SVG with XML prolog", "logo.svg", []byte(`<?xml version="1.0"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg"/>`), SVG},
		{"XML", "factura.xml", []byte(`<?xml version="1.0"?><factura/>`), XML},
		{"XHTML", "x.xml", []byte(`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>`), HTML},
		{"Windows program", "oficio.pdf", exe, Executable},
		{"ELF program", "oficio.pdf", []byte("\x7fELF\x02\x01\x01\x00"), Executable},
		{"shell script", "oficio.txt", []byte("#!/bin/sh\nrm -rf /\n"), Script},
		{"JAR", "oficio.pdf", zipOf(t, entry{name: "META-INF/MANIFEST.MF", body: "Main-Class: X"}, entry{name: "X.class", body: "x"}), Executable},
		{"ZIP", "anexos.zip", zipOf(t, entry{name: "a.pdf", body: "x"}), ZIP},
		{"ZIP with a program", "anexos.zip", zipOf(t, entry{name: "setup.exe", body: "x"}), Executable},
		{"empty ZIP", "x.zip", []byte("PK\x05\x06" + strings.Repeat("\x00", 18)), ZIP},
		{"damaged ZIP", "x.docx", []byte("PK\x03\x04garbage"), Unknown},
		{"gzip", "x.gz", gz("hola"), Archive},
		{"RAR", "x.rar", []byte("Rar!\x1a\x07\x01\x00"), Archive},
		{"7z", "x.7z", []byte("7z\xbc\xaf\x27\x1c\x00\x04"), Archive},
		{"tar", "x.tar", cat(make([]byte, 257), []byte("ustar\x0000"), make([]byte, 250)), Archive},
		{"empty", "x.pdf", nil, Empty},
		{"binary garbage", "x.pdf", []byte{0, 1, 2, 3, 0xff, 0xfe, 0}, Unknown},
		{"UTF-16 text", "x.txt", []byte("\xff\xfeh\x00o\x00l\x00a\x00"), Unknown},

		{"polyglot: PDF with a script tag", "x.pdf", cat([]byte("%PDF-1.4\n"), []byte("<script>alert(1)</script>"), pdfB[9:]), Polyglot},
		{"polyglot: PDF with an html tag", "x.pdf", []byte("%PDF-1.4\n% <html><body onload=alert(1)>\n"), Polyglot},
		{"polyglot: HTML then PDF", "x.pdf", cat([]byte("<html><!-- "), pdfB), Polyglot},
		{"polyglot: junk then PDF", "x.pdf", cat([]byte{0x01, 0x02, 0x00, 'x'}, pdfB), Polyglot},
		{"polyglot: PNG with HTML in a chunk", "x.png", cat(pngB[:33], []byte("\x00\x00\x00\x20tEXtc\x00<html><script>alert(1)</script>"), pngB[33:]), Polyglot},
		{"polyglot: JPEG with a javascript: URL", "x.jpg", cat(jpgB[:20], []byte("javascript:alert(1)"), jpgB[20:]), Polyglot},
		{"polyglot: GIF with a ZIP appended (GIFAR)", "x.gif", cat(gifB, zipOf(t, entry{name: "META-INF/MANIFEST.MF", body: "x"})), Polyglot},
		{"polyglot: PDF with a ZIP appended", "x.pdf", cat(pdfB, zipOf(t, entry{name: "a.txt", body: "x"})), Polyglot},
		{"polyglot: text with a ZIP appended", "x.txt", cat([]byte("hola\n"), zipOf(t, entry{name: "a.txt", body: "x"})), Polyglot},
		{"PDF with harmless XMP", "x.pdf", cat([]byte("%PDF-1.7\n1 0 obj <</Type/Metadata>> stream\n<?xpacket begin?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF/></x:xmpmeta>"), pdfB[9:]), PDF},
	} {
		got, err := DetectFile(tc.name, bytes.NewReader(tc.content), int64(len(tc.content)))
		if err != nil {
			t.Errorf("%s: %v", tc.desc, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: DetectFile = %s, want %s", tc.desc, got, tc.want)
		}
	}
}

func TestDetectHeadAlone(t *testing.T) {
	for _, tc := range []struct {
		desc string
		head []byte
		want Type
	}{
		{"ODT from its mimetype entry", odf(t, ODT.MIME), ODT},
		{"ODS from its mimetype entry", odf(t, ODS.MIME), ODS},
		{"deflated mimetype is not trusted", zipOf(t, entry{name: "mimetype", body: ODT.MIME}), ZIP},
		{"DOCX whose head shows word/", zipOf(t, entry{name: "[Content_Types].xml", body: contentTypes, stored: true}, entry{name: "word/document.xml", body: "<w/>"}), DOCX},
		{"OLE needs DetectReader", oleFile("WordDocument"), OLE},
		{"UTF-8 rune cut by the head", []byte("Resoluci\xc3"), Text},
		{"C1 control", []byte("hola \xc2\x85 mundo"), Unknown},
		{"control character", []byte("hola\x07"), Unknown},
		{"undefined Windows-1252 byte", []byte("hola\x81"), Unknown},
		{"head longer than HeadSize", append(bytes.Repeat([]byte("a"), HeadSize), 0), Text},
	} {
		if got := Detect(tc.head); got != tc.want {
			t.Errorf("%s: Detect = %s, want %s", tc.desc, got, tc.want)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		t    Type
		want *Error
	}{
		{PDF, nil}, {PNG, nil}, {JPEG, nil}, {GIF, nil}, {WebP, nil}, {DOCX, nil}, {XLSX, nil},
		{PPTX, nil}, {ODT, nil}, {ODS, nil}, {DOC, nil}, {XLS, nil}, {Text, nil}, {CSV, nil},
		{Empty, ErrEmpty}, {Unknown, ErrUnknown}, {Executable, ErrExecutable}, {Script, ErrExecutable},
		{HTML, ErrScriptable}, {SVG, ErrScriptable}, {XML, ErrScriptable}, {JavaScript, ErrScriptable},
		{ZIP, ErrArchive}, {Archive, ErrArchive}, {Macro, ErrMacro}, {Polyglot, ErrPolyglot},
		{TIFF, ErrImageFormat}, {OLE, ErrOldOffice},
	} {
		err := Check(tc.t)
		if tc.want == nil {
			if err != nil || !Allowed(tc.t) {
				t.Errorf("Check(%s) = %v, Allowed = %v; want accepted", tc.t, err, Allowed(tc.t))
			}
			continue
		}
		if !errors.Is(err, tc.want) || Allowed(tc.t) {
			t.Errorf("Check(%s) = %v, want %v", tc.t, err, tc.want)
		}
		var fe *Error
		if !errors.As(err, &fe) || !strings.HasPrefix(fe.Code(), "filetype.") || fe.English() == "" || fe.Error() == fe.English() {
			t.Errorf("Check(%s): refusal lacks a code or a translation: %#v", tc.t, err)
		}
	}
	for _, at := range AllowedTypes() {
		if !Allowed(at) {
			t.Errorf("AllowedTypes lists %s, which Allowed refuses", at)
		}
	}
}

func TestSafeName(t *testing.T) {
	long := strings.Repeat("ñ", 100) // 200 bytes
	for _, tc := range []struct{ in, want string }{
		{"Resolución Nº 123.pdf", "Resolución Nº 123.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\ana\Escritorio\oficio final.docx`, "oficio final.docx"},
		{"..", "archivo"},
		{"", "archivo"},
		{"   ", "archivo"},
		{".pdf", "archivo.pdf"},
		{"...pdf", "archivo.pdf"},
		{".htaccess", "archivo.htaccess"},
		{". .x", "archivo.x"},
		{"oficio.pdf.", "oficio.pdf"},
		{"oficio.pdf   ", "oficio.pdf"},
		{"  muchos    espacios\tde\nmás.txt", "muchos espacios de más.txt"},
		{"factura\u202Efdp.exe", "facturafdp.exe"},
		{"nul\x00l\x07.txt", "null.txt"},
		{"a<b>c:d\"e|f?g*h.pdf", "a_b_c_d_e_f_g_h.pdf"},
		{"CON", "_CON"},
		{"con.txt", "_con.txt"},
		{"Lpt1.pdf", "_Lpt1.pdf"},
		{"COM10.pdf", "COM10.pdf"},
		{"console.pdf", "console.pdf"},
		{"Oficio No. 12", "Oficio No. 12"},
		{"ACTA.PDF", "ACTA.PDF"},
		{"ma\u0301s.pdf", "más.pdf"}, // decomposed (as macOS sends it) → composed
		{"caf\xe9.pdf", "caf_.pdf"},
		{long + ".pdf", strings.Repeat("ñ", 73) + ".pdf"},
		{long, strings.Repeat("ñ", 75)},
		{strings.Repeat("a", 149) + ".. .pdf", strings.Repeat("a", 146) + ".pdf"},
		{"x." + strings.Repeat("e", 20), "x." + strings.Repeat("e", 20)},
	} {
		got := SafeName(tc.in)
		if got != tc.want {
			t.Errorf("SafeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len(got) > MaxNameBytes {
			t.Errorf("SafeName(%q) is %d bytes", tc.in, len(got))
		}
	}
}

func TestContentDisposition(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"oficio.pdf", `attachment; filename="oficio.pdf"; filename*=UTF-8''oficio.pdf`},
		{"Resolución Nº 5 (señor Peña).pdf", `attachment; filename="Resolucion N_ 5 (senor Pena).pdf"; filename*=UTF-8''Resoluci%C3%B3n%20N%C2%BA%205%20%28se%C3%B1or%20Pe%C3%B1a%29.pdf`},
		{`a"b\c.pdf`, `attachment; filename="c.pdf"; filename*=UTF-8''c.pdf`},
		{`x"; filename=evil.exe`, `attachment; filename="x_; filename=evil.exe"; filename*=UTF-8''x_%3B%20filename%3Devil.exe`},
		{"100%.pdf", `attachment; filename="100_.pdf"; filename*=UTF-8''100%25.pdf`},
		{"", `attachment; filename="archivo"; filename*=UTF-8''archivo`},
	} {
		if got := ContentDisposition(tc.in); got != tc.want {
			t.Errorf("ContentDisposition(%q):\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestWithExt(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    Type
		want string
	}{
		{"foto.pdf", PNG, "foto.png"},
		{"foto.JPEG", JPEG, "foto.JPEG"},
		{"foto.jpg", JPEG, "foto.jpg"},
		{"Oficio No. 12", PDF, "Oficio No. 12.pdf"},
		{"informe.v2", PDF, "informe.v2.pdf"},
		{"informe", DOCX, "informe.docx"},
		{"factura.js", Text, "factura.txt"},
		{"datos.CSV", CSV, "datos.CSV"},
		{"acta.pdf", PDF, "acta.pdf"},
		{"../x.exe", PDF, "x.pdf"},
		{strings.Repeat("a", 150), PDF, strings.Repeat("a", 146) + ".pdf"},
	} {
		if got := WithExt(tc.name, tc.t); got != tc.want {
			t.Errorf("WithExt(%q, %s) = %q, want %q", tc.name, tc.t, got, tc.want)
		}
	}
}

func TestTypesAreDistinct(t *testing.T) {
	all := []Type{PDF, PNG, JPEG, GIF, WebP, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT, Text, CSV,
		Empty, Unknown, TIFF, BMP, HTML, SVG, XML, JavaScript, Script, Executable, ZIP, Archive, OLE, Macro, Polyglot}
	ids := map[string]bool{}
	for _, ty := range all {
		if ids[ty.ID] {
			t.Errorf("duplicate ID %s", ty.ID)
		}
		ids[ty.ID] = true
		if ty.Label == "" || ty.MIME == "" {
			t.Errorf("%s lacks a label or MIME type", ty.ID)
		}
	}
	if diff := cmp.Diff(len(all), len(ids)); diff != "" {
		t.Error(diff)
	}
}
