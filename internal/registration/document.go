package registration

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"buzon/internal/eligibility"
	"buzon/internal/esign"
)

// Obligations are the users' obligations from the platform's terms of use,
// as the seed states them; the registration document lists them and the
// citizen accepts them by signing it.
var Obligations = []string{
	"Acceder a la plataforma y verificar continuamente las notificaciones en su buzón.",
	"No compartir su clave con terceros.",
	"Utilizar la plataforma únicamente para la recepción y lectura de notificaciones.",
	"Descargar y salvaguardar los anexos de las notificaciones recibidas, si los hubiera.",
}

// DocumentData is what a registration document states.
type DocumentData struct {
	Code       string
	NUI        string
	GivenNames string
	Surnames   string
	Email      string
	IssuedAt   time.Time
}

// docLine is one piece of the document's text: the PDF is laid out from
// these lines and the golden test compares them, so what the citizen signs
// is reviewable as text.
type docLine struct {
	Style string // title, subtitle, heading, label, text, para, item, small
	Text  string
}

var monthsES = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
	"septiembre", "octubre", "noviembre", "diciembre"}

// fechaHora writes an instant as a person in Ecuador reads it.
func fechaHora(t time.Time) string {
	t = t.In(eligibility.Ecuador)
	return fmt.Sprintf("%d de %s de %d, %02d:%02d:%02d", t.Day(), monthsES[t.Month()-1], t.Year(), t.Hour(), t.Minute(), t.Second())
}

// documentLines is the whole text of a registration document.
func documentLines(d DocumentData) []docLine {
	var ls []docLine
	add := func(style, format string, args ...any) { ls = append(ls, docLine{style, fmt.Sprintf(format, args...)}) }
	field := func(label, value string) { add("label", "%s", label); add("text", "%s", value) }
	name := strings.TrimSpace(d.GivenNames + " " + d.Surnames)

	add("title", "Documento de registro en Buzón")
	add("subtitle", "Sistema Único de Notificación y Gestión de Trámites del Estado — canal virtual")
	field("Código de registro", d.Code)
	field("Fecha de emisión", fechaHora(d.IssuedAt)+" (hora de Ecuador continental, UTC−05:00)")

	add("heading", "Datos del titular")
	field("Nombres", d.GivenNames)
	field("Apellidos", d.Surnames)
	field("N.U.I. (número de cédula)", d.NUI)
	field("Correo electrónico habitual", d.Email)

	add("heading", "Solicitud")
	add("para", "Yo, %s, con N.U.I. %s, solicito la activación de mi cuenta ciudadana en Buzón, el Sistema Único de "+
		"Notificación y Gestión de Trámites del Estado, y declaro que %s es mi correo electrónico habitual, al que "+
		"la plataforma enviará los avisos de las notificaciones que las instituciones públicas depositen en mi buzón.", name, d.NUI, d.Email)

	add("heading", "Términos de uso: obligaciones de los usuarios")
	add("para", "Al firmar este documento acepto las siguientes obligaciones:")
	for i, o := range Obligations {
		add("item", "%d. %s", i+1, o)
	}
	add("para", "Entiendo que una notificación queda realizada cuando está disponible en mi buzón, por lo que debo "+
		"revisarlo continuamente, y que para responder o enviar información debo dirigirme directamente a la "+
		"institución que me notificó. La Dirección General de Registro Civil, Identificación y Cedulación (DIGERCIC) "+
		"administra las cuentas ciudadanas; mis datos personales se tratan conforme a la Ley Orgánica de Protección "+
		"de Datos Personales.")

	add("heading", "Firma electrónica")
	add("para", "Este documento debe ser firmado electrónicamente por el titular con su propio certificado de firma "+
		"electrónica vigente, emitido por una entidad de certificación acreditada en Ecuador (por ejemplo, con "+
		"FirmaEC). No lo imprima, no lo modifique y no lo firme a mano: súbalo a Buzón tal como lo guarde su "+
		"programa de firma. El documento solo sirve para la solicitud con el código %s.", d.Code)
	return ls
}

// layout sizes, in points (A4).
const (
	pageW, pageH = 595.28, 841.89
	marginX      = 56.0
	marginTop    = 56.0
	marginBot    = 64.0
	columnWidth  = pageW - 2*marginX
	lineHeight   = 1.35
)

type docStyle struct {
	font        string
	size, space float64
	indent      float64
}

var docStyles = map[string]docStyle{
	"title":    {"bold", 18, 0, 0},
	"subtitle": {"regular", 10.5, 4, 0},
	"heading":  {"bold", 12.5, 14, 0},
	"label":    {"bold", 9, 6, 0},
	"text":     {"regular", 11, 1, 0},
	"para":     {"regular", 10.5, 6, 0},
	"item":     {"regular", 10.5, 4, 14},
	"small":    {"regular", 8, 4, 0},
}

// Document renders the registration document: a PDF whose Info dictionary
// carries /Keywords (BUZON-REG:<code>) as the verifier expects
// (esign.RegistrationMarker), ending with "%%EOF\n". The bytes returned are
// the ones to store and serve unchanged.
func Document(d DocumentData) ([]byte, error) {
	if !validCode(d.Code) {
		return nil, fmt.Errorf("registration document: code %q is not a registration code", d.Code)
	}
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	if err := gp.AddTTFFontData("regular", goregular.TTF); err != nil {
		return nil, fmt.Errorf("registration document: font: %w", err)
	}
	if err := gp.AddTTFFontData("bold", gobold.TTF); err != nil {
		return nil, fmt.Errorf("registration document: font: %w", err)
	}
	page, y := 0, 0.0
	newPage := func() error {
		gp.AddPage()
		page++
		y = marginTop
		if err := gp.SetFont("regular", "", 8); err != nil {
			return err
		}
		gp.SetTextColor(90, 90, 90)
		gp.SetXY(marginX, pageH-marginBot+24)
		if err := gp.Cell(nil, fmt.Sprintf("Documento de registro en Buzón · código %s · página %d", d.Code, page)); err != nil {
			return err
		}
		gp.SetTextColor(0, 0, 0)
		return nil
	}
	if err := newPage(); err != nil {
		return nil, fmt.Errorf("registration document: %w", err)
	}
	// Split every line first, so a heading can be kept with what follows it.
	lines := documentLines(d)
	split := make([][]string, len(lines))
	for i, l := range lines {
		st := docStyles[l.Style]
		if err := gp.SetFont(st.font, "", st.size); err != nil {
			return nil, fmt.Errorf("registration document: %w", err)
		}
		parts, err := gp.SplitTextWithWordWrap(l.Text, columnWidth-st.indent)
		if err != nil {
			return nil, fmt.Errorf("registration document: split %q: %w", l.Text, err)
		}
		split[i] = parts
	}
	height := func(i int) float64 {
		st := docStyles[lines[i].Style]
		return st.space + st.size*lineHeight*float64(len(split[i]))
	}
	for i, l := range lines {
		st := docStyles[l.Style]
		need := height(i)
		if (l.Style == "heading" || l.Style == "label") && i+1 < len(lines) {
			need += height(i + 1) // never alone at the foot of a page
		}
		if y+need > pageH-marginBot && y > marginTop {
			if err := newPage(); err != nil {
				return nil, fmt.Errorf("registration document: %w", err)
			}
		}
		if err := gp.SetFont(st.font, "", st.size); err != nil {
			return nil, fmt.Errorf("registration document: %w", err)
		}
		y += st.space
		for _, p := range split[i] {
			gp.SetXY(marginX+st.indent, y)
			if err := gp.Cell(nil, p); err != nil {
				return nil, fmt.Errorf("registration document: %w", err)
			}
			y += st.size * lineHeight
		}
		if l.Style == "heading" {
			gp.SetLineWidth(0.5)
			gp.Line(marginX, y, pageW-marginX, y)
			y += 4
		}
	}
	raw, err := gp.GetBytesPdfReturnErr()
	if err != nil {
		return nil, fmt.Errorf("registration document: %w", err)
	}
	out, err := withInfo(raw, []infoEntry{
		{"Title", "Documento de registro en Buzón"},
		{"Subject", "Registro virtual de la cuenta ciudadana, código " + d.Code},
		{"Author", "Buzón"},
		{"Creator", "Buzón"},
		{"Producer", "Buzón"},
		{"Keywords", esign.RegistrationMarker + d.Code},
		{"CreationDate", pdfDate(d.IssuedAt)},
	})
	if err != nil {
		return nil, fmt.Errorf("registration document: %w", err)
	}
	return out, nil
}

type infoEntry struct{ key, value string }

var (
	startxrefRE = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	sizeRE      = regexp.MustCompile(`/Size\s+(\d+)`)
	rootRE      = regexp.MustCompile(`/Root\s+(\d+)\s+(\d+)\s+R`)
)

// withInfo appends an incremental update holding a new document Info
// dictionary, as an indirect object the trailer names. gopdf writes its
// Info inline in the trailer and has no /Keywords; the update replaces it
// and keeps every earlier byte, so the document stays a valid classic-xref
// PDF that signers extend in turn.
func withInfo(in []byte, entries []infoEntry) ([]byte, error) {
	m := startxrefRE.FindSubmatch(in)
	at := bytes.LastIndex(in, []byte("trailer"))
	if m == nil || at < 0 {
		return nil, fmt.Errorf("no classic trailer at the end of the PDF")
	}
	trailer := in[at:]
	sm, rm := sizeRE.FindSubmatch(trailer), rootRE.FindSubmatch(trailer)
	if sm == nil || rm == nil {
		return nil, fmt.Errorf("trailer without /Size or /Root")
	}
	size, err := strconv.Atoi(string(sm[1]))
	if err != nil {
		return nil, fmt.Errorf("trailer /Size: %w", err)
	}
	var b bytes.Buffer
	b.Write(in)
	if !bytes.HasSuffix(in, []byte("\n")) {
		b.WriteByte('\n')
	}
	infoAt := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<<", size)
	for _, e := range entries {
		fmt.Fprintf(&b, "\n/%s %s", e.key, pdfString(e.value))
	}
	b.WriteString("\n>>\nendobj\n")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n", size, infoAt)
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %s %s R /Info %d 0 R /Prev %s >>\nstartxref\n%d\n%%%%EOF\n",
		size+1, rm[1], rm[2], size, m[1], xref)
	return b.Bytes(), nil
}

// pdfString writes s as a PDF literal string when it is plain printable
// ASCII (as the registration marker must be), and as UTF-16BE hex with a
// byte order mark otherwise.
func pdfString(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
		return "(" + r.Replace(s) + ")"
	}
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// pdfDate writes a PDF date string (ISO 32000 §7.9.4) in UTC.
func pdfDate(t time.Time) string {
	return t.UTC().Format("D:20060102150405") + "Z"
}

// codeEncoding writes registration codes: base32 without padding, upper case
// letters and digits 2–7, which survive being read aloud and retyped.
var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// CodeLength is the length of a registration code.
const CodeLength = 16

// newCode draws a random registration code of CodeLength characters (80 bits).
func newCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	return codeEncoding.EncodeToString(b)
}

// validCode reports whether s can be a registration code under esign's
// contract: ASCII letters, digits, '-' and '_', at least 8 characters.
func validCode(s string) bool {
	if len(s) < 8 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
