package filetype

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// HeadSize is how many leading bytes Detect looks at; pass at least this many
// (or the whole file, if shorter).
const HeadSize = 8 << 10

// polyglotWindow is how far into a binary file markup is looked for: browsers
// sniff about this much, and no genuine PDF or image carries a script tag there.
const polyglotWindow = 1024

type magic struct {
	offset int
	sig    string
	t      Type
}

var magics = []magic{
	{0, "%PDF-", PDF},
	{0, "\x89PNG\r\n\x1a\n", PNG},
	{0, "\xff\xd8\xff", JPEG},
	{0, "GIF87a", GIF},
	{0, "GIF89a", GIF},
	{0, "II*\x00", TIFF},
	{0, "MM\x00*", TIFF},
	{0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE},
	{0, "\x7fELF", Executable},
	{0, "\xfe\xed\xfa\xce", Executable},
	{0, "\xfe\xed\xfa\xcf", Executable},
	{0, "\xce\xfa\xed\xfe", Executable},
	{0, "\xcf\xfa\xed\xfe", Executable},
	{0, "\xca\xfe\xba\xbe", Executable}, // Mach-O universal, Java class
	{0, "\x00asm", Executable},
	{0, "dex\n", Executable},
	{0, "#!", Script},
	{0, "\x1f\x8b", Archive},
	{0, "BZh", Archive},
	{0, "\xfd7zXZ\x00", Archive},
	{0, "7z\xbc\xaf\x27\x1c", Archive},
	{0, "Rar!\x1a\x07", Archive},
	{0, "\x28\xb5\x2f\xfd", Archive},
	{0, "MSCF\x00\x00\x00\x00", Archive},
	{0, "LZIP", Archive},
	{257, "ustar", Archive},
}

// Detect names the type of a file from its first bytes (HeadSize of them, or the
// whole file). For ZIP- and OLE-based formats (DOCX, XLSX, DOC…) the head cannot
// tell the whole story: Detect answers ZIP or OLE, both refused, except where the
// format puts its name up front (OpenDocument's mimetype entry) or the head shows
// it plainly; use DetectReader to decide from the archive's directory.
func Detect(head []byte) Type {
	if len(head) == 0 {
		return Empty
	}
	if len(head) > HeadSize {
		head = head[:HeadSize]
	}
	t := detectBinary(head)
	if t == Unknown {
		return detectText(head)
	}
	switch t {
	case PDF, PNG, JPEG, GIF, WebP, TIFF, BMP, OLE:
		// ZIP-based formats are left out: their first entry may legitimately be
		// stored XML, and their content is compressed anyway.
		if hasMarkup(head[:min(len(head), polyglotWindow)]) {
			return Polyglot
		}
	}
	return t
}

func detectBinary(head []byte) Type {
	for _, m := range magics {
		if len(head) >= m.offset+len(m.sig) && string(head[m.offset:m.offset+len(m.sig)]) == m.sig {
			return m.t
		}
	}
	switch {
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return WebP
	case len(head) >= 26 && string(head[:2]) == "BM" && string(head[6:10]) == "\x00\x00\x00\x00":
		return BMP
	case len(head) >= 64 && string(head[:2]) == "MZ" && bytes.IndexByte(head[:64], 0) >= 0:
		return Executable
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return zipHead(head)
	case bytes.HasPrefix(head, []byte("PK\x05\x06")), bytes.HasPrefix(head, []byte("PK\x07\x08")):
		return ZIP
	}
	// A PDF reader finds "%PDF-" anywhere in the first KiB; a file whose PDF part
	// starts later is trying to be two things at once.
	if i := bytes.Index(head[:min(len(head), polyglotWindow)], []byte("%PDF-")); i > 0 {
		return Polyglot
	}
	return Unknown
}

// zipHead reads the first local file header: OpenDocument stores an
// uncompressed "mimetype" entry first precisely so that this works.
func zipHead(head []byte) Type {
	if len(head) < 30 {
		return ZIP
	}
	nameLen := int(head[26]) | int(head[27])<<8
	extraLen := int(head[28]) | int(head[29])<<8
	if 30+nameLen > len(head) {
		return ZIP
	}
	name := string(head[30 : 30+nameLen])
	if name == "mimetype" && head[8] == 0 && head[9] == 0 { // stored, not deflated
		body := head[min(len(head), 30+nameLen+extraLen):]
		if t, ok := odfType(string(body[:min(len(body), 80)]), true); ok {
			return t
		}
	}
	if bytes.Contains(head, []byte("[Content_Types].xml")) {
		for _, o := range ooxmlDirs {
			if bytes.Contains(head, []byte(o.dir)) {
				if bytes.Contains(head, []byte("vbaProject.bin")) {
					return Macro
				}
				return o.t
			}
		}
	}
	return ZIP
}

var ooxmlDirs = []struct {
	dir string
	t   Type
}{{"word/", DOCX}, {"xl/", XLSX}, {"ppt/", PPTX}}

// odfType maps an OpenDocument mimetype. prefix allows trailing bytes (the next
// ZIP header) after the value, as when it is read from the file's head.
func odfType(mt string, prefix bool) (Type, bool) {
	for _, o := range []struct {
		mime string
		t    Type
	}{{ODT.MIME, ODT}, {ODS.MIME, ODS}, {ODP.MIME, ODP}} {
		if mt == o.mime || prefix && strings.HasPrefix(mt, o.mime) && !strings.HasPrefix(mt[len(o.mime):], "-") {
			return o.t, true
		}
	}
	return Unknown, false
}

// markupTags betray HTML or script inside a file that claims another type.
var markupTags = []string{
	"!doctype html", "html", "head", "body", "script", "iframe", "frame", "frameset", "object",
	"embed", "applet", "svg", "meta", "link", "style", "img", "a", "form", "base", "math",
}

// hasMarkup looks for one of markupTags as a tag (followed by a space, "/" or
// ">", so that PDF's "<<" or XML's "<style:name" do not count) or a script URL.
func hasMarkup(b []byte) bool {
	low := asciiLower(b)
	if bytes.Contains(low, []byte("javascript:")) || bytes.Contains(low, []byte("vbscript:")) {
		return true
	}
	for i := bytes.IndexByte(low, '<'); i >= 0; {
		rest := bytes.TrimPrefix(low[i+1:], []byte("/"))
		for _, tag := range markupTags {
			if bytes.HasPrefix(rest, []byte(tag)) && (len(rest) == len(tag) || tagEnd(rest[len(tag)])) {
				return true
			}
		}
		j := bytes.IndexByte(low[i+1:], '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

func tagEnd(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '>' || c == '/'
}

func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func detectText(head []byte) Type {
	if bytes.IndexByte(head, 0) >= 0 {
		return Unknown
	}
	body := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if !isText(body) {
		return Unknown
	}
	start := bytes.ToLower(bytes.TrimLeft(body[:min(len(body), 512)], " \t\r\n\f"))
	switch {
	case bytes.HasPrefix(start, []byte("<?xml")):
		low := bytes.ToLower(body)
		switch {
		case bytes.Contains(low, []byte("<svg")):
			return SVG
		case bytes.Contains(low, []byte("<html")), bytes.Contains(low, []byte("xhtml")), bytes.Contains(low, []byte("<script")):
			return HTML
		}
		return XML
	case bytes.HasPrefix(start, []byte("<svg")):
		return SVG
	case bytes.HasPrefix(start, []byte("<")) && startsLikeHTML(start):
		return HTML
	}
	if hasMarkup(body[:min(len(body), polyglotWindow)]) {
		// Harmless as text/plain, but a browser or mail client that sniffs would
		// run it: refuse rather than guess who opens it how.
		return HTML
	}
	return Text
}

// startsLikeHTML follows the WHATWG sniffing list: a tag browsers treat as HTML.
func startsLikeHTML(b []byte) bool {
	for _, tag := range []string{"<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div",
		"<font", "<table", "<a", "<style", "<title", "<b", "<body", "<br", "<p", "<!--"} {
		if bytes.HasPrefix(b, []byte(tag)) {
			if len(b) == len(tag) || tag == "<!--" {
				return true
			}
			if c := b[len(tag)]; c == ' ' || c == '>' || c == '\t' || c == '\n' || c == '\r' || c == '/' {
				return true
			}
		}
	}
	return false
}

// isText accepts UTF-8 (a rune cut by the end of the head is fine) or, failing
// that, the Windows-1252 text older Windows tools write; neither may carry
// control characters other than tab, line and page breaks (and the old DOS
// end-of-file mark).
func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1a || c == 0x7f {
			return false
		}
	}
	valid := utf8.Valid(b)
	if !valid {
		// Tolerate a rune cut in half by the end of the head.
		for cut := 1; cut <= 3 && cut <= len(b); cut++ {
			if utf8.Valid(b[:len(b)-cut]) && !utf8.FullRune(b[len(b)-cut:]) {
				valid = true
				break
			}
		}
	}
	if valid {
		for _, r := range string(b) {
			if r >= 0x80 && r <= 0x9f { // C1 controls
				return false
			}
		}
		return true
	}
	for _, c := range b {
		switch c {
		case 0x81, 0x8d, 0x8f, 0x90, 0x9d: // undefined in Windows-1252
			return false
		}
	}
	return true
}

// DetectReader names the type of a whole file, reading only what it needs: the
// head, a ZIP's central directory, an OLE file's directory entries. Beyond
// Detect, it tells DOCX, XLSX and PPTX (and ODF) from other ZIPs, DOC, XLS and
// PPT from other OLE files (installers, e-mails), and refuses documents with
// macros and files that are two formats at once (an image or PDF with a ZIP or
// Java archive appended). Errors are I/O errors of r only.
func DetectReader(r io.ReaderAt, size int64) (Type, error) {
	if size <= 0 {
		return Empty, nil
	}
	head := make([]byte, min(size, HeadSize))
	if n, err := r.ReadAt(head, 0); n < len(head) {
		return Unknown, fmt.Errorf("filetype: read head: %w", err)
	}
	t := Detect(head)
	switch {
	case t == Polyglot || t == Executable || t == Script:
		return t, nil
	case bytes.HasPrefix(head, []byte("PK")):
		return zipType(r, size)
	case t == OLE:
		return oleType(r, size)
	}
	// Anything else that also opens as a ZIP (the "GIFAR" trick) is two files in one.
	rr := &recordingReader{r: r}
	if zr, err := zip.NewReader(rr, size); err == nil && len(zr.File) > 0 {
		return Polyglot, nil
	}
	if rr.err != nil {
		return Unknown, fmt.Errorf("filetype: read tail: %w", rr.err)
	}
	return t, nil
}

// recordingReader remembers a genuine read failure, so that it is told apart
// from a file that is simply not a valid ZIP.
type recordingReader struct {
	r   io.ReaderAt
	err error
}

func (rr *recordingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := rr.r.ReadAt(p, off)
	if err != nil && err != io.EOF && rr.err == nil {
		rr.err = err
	}
	return n, err
}

func zipType(r io.ReaderAt, size int64) (Type, error) {
	rr := &recordingReader{r: r}
	zr, err := zip.NewReader(rr, size)
	if err != nil {
		if rr.err != nil {
			return Unknown, fmt.Errorf("filetype: read ZIP: %w", rr.err)
		}
		return Unknown, nil // a damaged ZIP, or one with "../" names: nothing we accept
	}
	var contentTypes, mimetype *zip.File
	dirs := map[Type]bool{}
	for _, f := range zr.File {
		low := strings.ToLower(f.Name)
		switch {
		case strings.HasSuffix(low, "vbaproject.bin"), strings.HasSuffix(low, "vbadata.xml"),
			strings.Contains(low, "/macrosheets/"), strings.HasPrefix(low, "basic/"), strings.HasPrefix(low, "scripts/"):
			return Macro, nil
		case low == "meta-inf/manifest.mf", strings.HasSuffix(low, ".class"), low == "classes.dex",
			strings.HasSuffix(low, ".exe"), strings.HasSuffix(low, ".dll"):
			return Executable, nil
		case f.Name == "[Content_Types].xml":
			contentTypes = f
		case f.Name == "mimetype":
			mimetype = f
		}
		for _, o := range ooxmlDirs {
			if strings.HasPrefix(f.Name, o.dir) {
				dirs[o.t] = true
			}
		}
	}
	if mimetype != nil && mimetype.UncompressedSize64 < 100 {
		rc, err := mimetype.Open()
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, 100))
			rc.Close()
			if t, ok := odfType(strings.TrimSpace(string(b)), false); ok {
				return t, nil
			}
		}
	}
	if contentTypes != nil {
		// A macro-enabled document renamed to .docx still declares itself here.
		if rc, err := contentTypes.Open(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, 1<<20))
			rc.Close()
			if bytes.Contains(bytes.ToLower(b), []byte("macroenabled")) {
				return Macro, nil
			}
		}
		// One main part: a DOCX has word/, and no xl/ or ppt/ beside it (an
		// embedded workbook lives under word/embeddings/, not at the top).
		for _, o := range ooxmlDirs {
			if dirs[o.t] && len(dirs) == 1 {
				return o.t, nil
			}
		}
		return Unknown, nil
	}
	return ZIP, nil
}

// OLE (Compound File Binary) directory entries are 128 bytes, aligned to 128
// inside sectors of 512 or 4096 bytes: a UTF-16LE name of up to 32 units, its
// length in bytes at 0x40, the entry type at 0x42.
const oleEntry = 128

func oleType(r io.ReaderAt, size int64) (Type, error) {
	names := map[string]bool{}
	buf := make([]byte, 64<<10)
	for off := int64(512); off < size; off += int64(len(buf)) {
		n, err := r.ReadAt(buf, off)
		for p := 0; p+oleEntry <= n; p += oleEntry {
			if name, ok := oleName(buf[p : p+oleEntry]); ok {
				names[strings.ToLower(name)] = true
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return Unknown, fmt.Errorf("filetype: read OLE: %w", err)
		}
	}
	for _, m := range []string{"_vba_project_cur", "_vba_project", "macros", "vba"} {
		if names[m] {
			return Macro, nil
		}
	}
	switch {
	case names["worddocument"]:
		return DOC, nil
	case names["powerpoint document"]:
		return PPT, nil
	case names["workbook"], names["book"]:
		return XLS, nil
	}
	return OLE, nil
}

func oleName(e []byte) (string, bool) {
	nl := int(e[0x40]) | int(e[0x41])<<8
	typ := e[0x42]
	if nl < 4 || nl > 64 || nl%2 != 0 || (typ != 1 && typ != 2) {
		return "", false
	}
	units := make([]uint16, nl/2)
	for i := range units {
		units[i] = uint16(e[2*i]) | uint16(e[2*i+1])<<8
	}
	if units[len(units)-1] != 0 {
		return "", false
	}
	return string(utf16.Decode(units[:len(units)-1])), true
}

// scriptExts are extensions under which a text file is run, not read, when
// double-clicked on common systems.
var scriptExts = map[string]Type{
	".js": JavaScript, ".mjs": JavaScript, ".cjs": JavaScript, ".jse": JavaScript,
	".html": HTML, ".htm": HTML, ".xhtml": HTML, ".shtml": HTML, ".hta": HTML, ".mht": HTML, ".mhtml": HTML,
	".svg": SVG, ".xml": XML, ".xsl": XML, ".xslt": XML,
	".bat": Script, ".cmd": Script, ".ps1": Script, ".psm1": Script, ".vbs": Script, ".vbe": Script,
	".wsf": Script, ".wsh": Script, ".sh": Script, ".bash": Script, ".command": Script, ".py": Script,
	".pl": Script, ".rb": Script, ".php": Script, ".reg": Script, ".scr": Script, ".url": Script,
	".desktop": Script, ".lnk": Script, ".inf": Script, ".scf": Script, ".jar": Executable,
	".exe": Executable, ".com": Executable, ".msi": Executable, ".dll": Executable, ".pif": Executable,
}

// DetectFile is DetectReader with the sender's file name as a hint where the
// content cannot decide: text named .csv is CSV, and text named like a script or
// web page (.js, .html, .bat…) is refused as such, since that is how the
// citizen's computer would treat it. The name never overrides binary content.
func DetectFile(name string, r io.ReaderAt, size int64) (Type, error) {
	t, err := DetectReader(r, size)
	if err != nil || t != Text {
		return t, err
	}
	ext := strings.ToLower(path.Ext(strings.TrimRight(SafeName(name), " .")))
	if s, ok := scriptExts[ext]; ok {
		return s, nil
	}
	if ext == ".csv" {
		return CSV, nil
	}
	return Text, nil
}

// aliases are the extensions a type may keep; anything else is replaced by the
// type's canonical one.
var aliases = map[Type][]string{
	JPEG: {".jpg", ".jpeg", ".jpe", ".jfif"},
	TIFF: {".tif", ".tiff"},
	Text: {".txt", ".text", ".log"},
	HTML: {".html", ".htm"},
}

// WithExt returns SafeName(name) with an extension that matches t, so that what
// the citizen downloads opens as what it is: "foto.pdf" holding a PNG becomes
// "foto.png"; "Oficio No. 12" holding a PDF becomes "Oficio No. 12.pdf".
func WithExt(name string, t Type) string {
	name = SafeName(name)
	if t.Ext == "" {
		return name
	}
	ext := extOf(name)
	low := strings.ToLower(ext)
	if low == t.Ext {
		return name
	}
	for _, a := range aliases[t] {
		if low == a {
			return name
		}
	}
	base := name
	if knownExt(low) {
		base = name[:len(name)-len(ext)]
	}
	return SafeName(base + t.Ext)
}

// knownExt reports whether ext names a file format (so it is replaced, not kept
// as part of the name, when it is the wrong one).
func knownExt(ext string) bool {
	if _, ok := scriptExts[ext]; ok {
		return true
	}
	for _, t := range []Type{PDF, PNG, JPEG, GIF, WebP, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT,
		Text, CSV, TIFF, BMP, HTML, SVG, XML, ZIP} {
		if ext == t.Ext {
			return true
		}
		for _, a := range aliases[t] {
			if ext == a {
				return true
			}
		}
	}
	switch ext {
	case ".rtf", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".docm", ".xlsm", ".pptm", ".bin", ".dat", ".tmp":
		return true
	}
	return false
}
