package evidence

import (
	"bytes"
	"crypto"
	"crypto/md5"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
)

// JSONAttachmentName is the file name of the JSON twin inside the PDF.
const JSONAttachmentName = "constancia.json"

// ecuador is mainland Ecuador's time (UTC−5, no daylight saving), in which
// a constancia states times; the JSON twin keeps them in UTC.
var ecuador = time.FixedZone("UTC-5", -5*3600)

// pdfLine is one piece of a constancia's text. The PDF is laid out from
// these lines, and the golden test compares them, so what the PDF says is
// reviewable as text.
type pdfLine struct {
	Style string // title, subtitle, heading, label, text, para, mono, small
	Text  string
}

var monthsES = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}

// fechaHora writes an instant as a person in Ecuador reads it.
func fechaHora(t time.Time) string {
	t = t.In(ecuador)
	return fmt.Sprintf("%d de %s de %d, %02d:%02d:%02d", t.Day(), monthsES[t.Month()-1], t.Year(), t.Hour(), t.Minute(), t.Second())
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// constanciaLines is the whole text of a constancia's PDF.
func constanciaLines(doc *Document, jsonSHA256 string, cert *x509.Certificate) ([]pdfLine, error) {
	var ls []pdfLine
	add := func(style, format string, args ...any) { ls = append(ls, pdfLine{style, fmt.Sprintf(format, args...)}) }
	field := func(label, value string) { add("label", "%s", label); add("text", "%s", orDash(value)) }
	issued, err := time.Parse(TimeLayout, doc.IssuedAt)
	if err != nil {
		return nil, fmt.Errorf("issued_at: %w", err)
	}
	n := doc.Notification

	add("title", "Constancia de notificación")
	add("subtitle", "Buzón — Sistema único de notificaciones electrónicas del Estado")
	add("text", "Emitida el %s (hora de Ecuador continental, UTC−05:00).", fechaHora(issued))

	add("heading", "Institución remitente")
	field("Nombre", n.Institution.Name)
	field("RUC", n.Institution.RUC)

	add("heading", "Destinatario")
	field("N.U.I.", n.Recipient.NUI)
	field("Nombres y apellidos", n.Recipient.Name)

	add("heading", "Notificación")
	field("Asunto", n.Subject)
	field("Referencia", n.Reference)
	field("Identificador", n.ID)
	add("label", "Hash del contenido (SHA-256)")
	add("mono", "%s", orDash(n.ContentSHA256))

	add("heading", "Anexos")
	if len(n.Attachments) == 0 {
		add("text", "La notificación no tiene anexos.")
	}
	for i, a := range n.Attachments {
		add("label", "%d. %s (%s bytes)", i+1, a.Name, strconv.FormatInt(a.Size, 10))
		add("mono", "SHA-256 %s", a.SHA256)
	}

	add("heading", "Cronología de eventos")
	for _, pe := range doc.Events {
		ev, err := ParseRecord([]byte(pe.Record))
		if err != nil {
			return nil, err
		}
		add("label", "%s — %s", fechaHora(ev.Time), ev.Type.Label())
		add("text", "Por %s. Registro n.º %d del registro de evidencias.", ev.Actor.Label(), pe.LeafIndex)
		keys := make([]string, 0, len(ev.Details))
		for k := range ev.Details {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for _, k := range keys {
			add("small", "%s: %s", k, ev.Details[k])
		}
	}

	cp, err := checkpointFromNote(doc.Checkpoint)
	if err != nil {
		return nil, err
	}
	add("heading", "Verificación")
	add("text", "Cada evento consta en el registro de evidencias de la plataforma: un árbol de Merkle al que solo se añaden "+
		"registros y cuyo estado la plataforma firma (punto de control). Un cambio en cualquier registro anterior cambiaría la raíz "+
		"del árbol. El gemelo JSON adjunto a este PDF (%s) contiene el texto de cada registro, su prueba de inclusión, el punto "+
		"de control firmado y las claves públicas.", JSONAttachmentName)
	field("Punto de control", fmt.Sprintf("%s, %d registros", cp.Origin, cp.Size))
	add("label", "Raíz del árbol (SHA-256, base64)")
	add("mono", "%s", cp.Root)
	add("label", "Clave pública de firma de los puntos de control")
	for _, k := range doc.Keys.Note {
		add("mono", "%s", k)
	}
	sum := sha256.Sum256(cert.Raw)
	add("label", "Certificado que firma este PDF")
	add("text", "%s", cert.Subject.CommonName)
	add("mono", "SHA-256 %s", hex.EncodeToString(sum[:]))
	add("label", "Gemelo JSON (%s), SHA-256", JSONAttachmentName)
	add("mono", "%s", jsonSHA256)
	add("para", "Para verificar esta constancia sin conexión: buzon verify constancia.pdf [anexos…]. La plataforma publica sus "+
		"claves en %s/keys y su último punto de control en %s/checkpoint; con ellos, cualquiera puede comprobar que el registro "+
		"no fue reescrito.", cp.Origin, cp.Origin)
	return ls, nil
}

func checkpointFromNote(msg string) (*Checkpoint, error) {
	origin, size, root, err := ParseCheckpointText(checkpointText(msg))
	if err != nil {
		return nil, err
	}
	return &Checkpoint{Origin: origin, Size: size, Root: root, Note: []byte(msg)}, nil
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Page geometry, in points (A4).
const (
	pageW       = 595.28
	pageH       = 841.89
	marginX     = 56.0
	marginTop   = 56.0
	marginBot   = 64.0
	columnWidth = pageW - 2*marginX
)

var pdfStyles = map[string]struct {
	font        string
	size, space float64 // font size, extra space above
}{
	"title":    {"bold", 20, 0},
	"subtitle": {"regular", 11, 2},
	"heading":  {"bold", 13, 14},
	"label":    {"bold", 10, 6},
	"text":     {"regular", 10, 1},
	"mono":     {"mono", 8.5, 1},
	"small":    {"regular", 8.5, 1},
	"para":     {"regular", 10, 10},
}

// RenderPDF lays out a constancia, attaches its JSON twin and signs the
// whole with the platform's certificate.
func RenderPDF(doc *Document, jsonTwin []byte, keys *Keys, now time.Time) ([]byte, error) {
	lines, err := constanciaLines(doc, JSONSHA256(jsonTwin), keys.Certificate)
	if err != nil {
		return nil, fmt.Errorf("constancia PDF: %w", err)
	}
	unsigned, err := layout(lines, doc.Notification.ID, now)
	if err != nil {
		return nil, fmt.Errorf("constancia PDF: %w", err)
	}
	withJSON, err := attachFile(unsigned, JSONAttachmentName, "application/json",
		"Gemelo JSON de la constancia: eventos, pruebas de inclusión, punto de control y claves", jsonTwin, now)
	if err != nil {
		return nil, fmt.Errorf("constancia PDF: attach JSON twin: %w", err)
	}
	signed, err := signPDF(withJSON, keys, now)
	if err != nil {
		return nil, fmt.Errorf("constancia PDF: sign: %w", err)
	}
	return signed, nil
}

func layout(lines []pdfLine, notificationID string, now time.Time) ([]byte, error) {
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	for name, ttf := range map[string][]byte{"regular": goregular.TTF, "bold": gobold.TTF, "mono": gomono.TTF} {
		if err := gp.AddTTFFontData(name, ttf); err != nil {
			return nil, fmt.Errorf("font %s: %w", name, err)
		}
	}
	gp.SetInfo(gopdf.PdfInfo{
		Title:        "Constancia de notificación",
		Subject:      "Notificación " + notificationID,
		Author:       "Buzón",
		Creator:      "Buzón",
		Producer:     "Buzón",
		CreationDate: now,
	})
	page := 0
	y := 0.0
	newPage := func() error {
		gp.AddPage()
		page++
		y = marginTop
		if err := gp.SetFont("regular", "", 8); err != nil {
			return err
		}
		gp.SetTextColor(90, 90, 90)
		gp.SetXY(marginX, pageH-marginBot+24)
		if err := gp.Cell(nil, fmt.Sprintf("Constancia de notificación · %s · página %d", notificationID, page)); err != nil {
			return err
		}
		gp.SetTextColor(0, 0, 0)
		return nil
	}
	if err := newPage(); err != nil {
		return nil, err
	}
	for _, l := range lines {
		st, ok := pdfStyles[l.Style]
		if !ok {
			return nil, fmt.Errorf("unknown style %q", l.Style)
		}
		if err := gp.SetFont(st.font, "", st.size); err != nil {
			return nil, err
		}
		var parts []string
		var err error
		if l.Style == "mono" {
			parts, err = gp.SplitText(l.Text, columnWidth)
		} else {
			parts, err = gp.SplitTextWithWordWrap(l.Text, columnWidth)
		}
		if err != nil {
			return nil, fmt.Errorf("split %q: %w", l.Text, err)
		}
		lh := st.size * 1.35
		y += st.space
		// A heading or label is never left alone at the foot of a page.
		need := lh * float64(len(parts))
		if l.Style == "heading" || l.Style == "label" {
			need += 3 * 14
		}
		if y+need > pageH-marginBot && y > marginTop {
			if err := newPage(); err != nil {
				return nil, err
			}
			if err := gp.SetFont(st.font, "", st.size); err != nil {
				return nil, err
			}
		}
		for _, p := range parts {
			if y+lh > pageH-marginBot {
				if err := newPage(); err != nil {
					return nil, err
				}
				if err := gp.SetFont(st.font, "", st.size); err != nil {
					return nil, err
				}
			}
			gp.SetXY(marginX, y)
			if err := gp.Cell(nil, p); err != nil {
				return nil, err
			}
			y += lh
		}
		if l.Style == "heading" {
			gp.SetLineWidth(0.5)
			gp.Line(marginX, y, pageW-marginX, y)
			y += 4
		}
	}
	return gp.GetBytesPdfReturnErr()
}

var (
	startxrefRE = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	trailerRE   = regexp.MustCompile(`(?s)trailer\s*<<(.*?)>>\s*startxref\s+\d+\s+%%EOF\s*$`)
	sizeRE      = regexp.MustCompile(`/Size\s+(\d+)`)
	rootRE      = regexp.MustCompile(`/Root\s+(\d+)\s+(\d+)\s+R`)
	infoRE      = regexp.MustCompile(`/Info\s+(\d+)\s+(\d+)\s+R`)
)

// attachFile adds a file attachment to a PDF as an incremental update: the
// embedded file stream, its file specification (PDF/A-3 style, with
// /AFRelationship /Data), and a new catalog naming it in /Names and /AF. It
// handles the classic cross-reference table gopdf writes.
func attachFile(in []byte, name, mime, desc string, data []byte, now time.Time) ([]byte, error) {
	m := startxrefRE.FindSubmatch(in)
	t := trailerRE.FindSubmatch(in)
	if m == nil || t == nil {
		return nil, fmt.Errorf("no classic trailer at the end of the PDF")
	}
	prev := string(m[1])
	sm, rm := sizeRE.FindSubmatch(t[1]), rootRE.FindSubmatch(t[1])
	if sm == nil || rm == nil {
		return nil, fmt.Errorf("trailer without /Size or /Root")
	}
	size, _ := strconv.Atoi(string(sm[1]))
	rootID, rootGen := string(rm[1]), string(rm[2])
	objRE := regexp.MustCompile(`(?s)(?:^|\n)` + rootID + `\s+` + rootGen + `\s+obj\s*<<(.*?)>>\s*endobj`)
	cm := objRE.FindAllSubmatch(in, -1)
	if cm == nil {
		return nil, fmt.Errorf("catalog %s %s not found", rootID, rootGen)
	}
	catalog := cm[len(cm)-1][1]
	if bytes.Contains(catalog, []byte("/Names")) || bytes.Contains(catalog, []byte("/AF")) || bytes.Contains(catalog, []byte("<<")) {
		return nil, fmt.Errorf("the catalog already has /Names, /AF or nested dictionaries")
	}

	out := bytes.NewBuffer(bytes.Clone(in))
	if !bytes.HasSuffix(in, []byte("\n")) {
		out.WriteByte('\n')
	}
	offsets := map[int]int{}
	obj := func(id int, body string) {
		offsets[id] = out.Len()
		fmt.Fprintf(out, "%d 0 obj\n%s\nendobj\n", id, body)
	}
	file, spec, names, af := size, size+1, size+2, size+3
	sum := md5.Sum(data) // the /CheckSum of an embedded file is MD5 by definition (ISO 32000 7.11.4)
	offsets[file] = out.Len()
	fmt.Fprintf(out, "%d 0 obj\n<< /Type /EmbeddedFile /Subtype /%s /Length %d /Params << /Size %d /ModDate %s /CheckSum <%x> >> >>\nstream\n",
		file, pdfName(mime), len(data), len(data), pdfDate(now), sum)
	out.Write(data)
	out.WriteString("\nendstream\nendobj\n")
	obj(spec, fmt.Sprintf("<< /Type /Filespec /F %s /UF %s /Desc %s /AFRelationship /Data /EF << /F %d 0 R /UF %d 0 R >> >>",
		pdfText(name), pdfText(name), pdfText(desc), file, file))
	obj(names, fmt.Sprintf("<< /EmbeddedFiles << /Names [%s %d 0 R] >> >>", pdfText(name), spec))
	obj(af, fmt.Sprintf("[%d 0 R]", spec))
	root, _ := strconv.Atoi(rootID)
	offsets[root] = out.Len()
	fmt.Fprintf(out, "%s %s obj\n<<%s /Names %d 0 R /AF %d 0 R /PageMode /UseAttachments >>\nendobj\n", rootID, rootGen, catalog, names, af)

	xref := out.Len()
	out.WriteString("xref\n0 1\n0000000000 65535 f \n")
	fmt.Fprintf(out, "%d 1\n%010d %05s n \n", root, offsets[root], rootGen)
	fmt.Fprintf(out, "%d 4\n", file)
	for id := file; id <= af; id++ {
		fmt.Fprintf(out, "%010d 00000 n \n", offsets[id])
	}
	info := ""
	if im := infoRE.FindSubmatch(t[1]); im != nil {
		info = fmt.Sprintf(" /Info %s %s R", im[1], im[2])
	}
	fmt.Fprintf(out, "trailer\n<< /Size %d /Root %s %s R%s /Prev %s >>\nstartxref\n%d\n%%%%EOF\n", af+1, rootID, rootGen, info, prev, xref)
	return out.Bytes(), nil
}

// pdfName writes s as a PDF name body, escaping every byte outside
// letters and digits as #XX.
func pdfName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "#%02X", c)
		}
	}
	return b.String()
}

// pdfText writes s as a PDF text string: UTF-16BE with a byte order mark,
// in hex, so no character needs escaping.
func pdfText(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

func pdfDate(t time.Time) string {
	return "(D:" + t.UTC().Format("20060102150405") + "Z)"
}

// signPDF adds an invisible certification signature (no change allowed
// after it) by the platform's certificate.
func signPDF(in []byte, keys *Keys, now time.Time) ([]byte, error) {
	rdr, err := pdf.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		return nil, fmt.Errorf("read PDF: %w", err)
	}
	var chains [][]*x509.Certificate
	if len(keys.Chain) > 0 {
		chains = [][]*x509.Certificate{append([]*x509.Certificate{keys.Certificate}, keys.Chain...)}
	}
	var out bytes.Buffer
	err = sign.Sign(bytes.NewReader(in), &out, rdr, int64(len(in)), sign.SignData{
		Signature: sign.SignDataSignature{
			Info: sign.SignDataSignatureInfo{
				Name:     "Buzon - Constancias de notificacion",
				Location: "Ecuador",
				Reason:   "Constancia de notificacion emitida por la plataforma Buzon",
				Date:     now,
			},
			CertType:   sign.CertificationSignature,
			DocMDPPerm: sign.DoNotAllowAnyChangesPerms,
		},
		Signer:            keys.CertificateKey,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       keys.Certificate,
		CertificateChains: chains,
	})
	if err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
