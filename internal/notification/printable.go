package notification

import (
	"fmt"
	"strings"
	"time"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"buzon/internal/calendar"
	"buzon/internal/richtext"
)

// ecuador is the zone dates and times are shown in.
var ecuador = calendar.Zone

// FormatMoment writes an instant as the pages show it: "15 de diciembre de
// 2026, 10:32" in Ecuador's time.
func FormatMoment(t time.Time, lang string) string {
	if t.IsZero() {
		return ""
	}
	l := t.In(ecuador)
	return calendar.FormatLong(calendar.DateOf(t), lang) + ", " + l.Format("15:04")
}

type pdfLine struct {
	style string
	text  string
}

// PrintablePDF lays out a notification as a printable A4 PDF: sender,
// dates, verification code, deadline, body and the list of attachments
// with their SHA-256, so that the citizen's copy says what he received.
func PrintablePDF(d *Detail, now time.Time) ([]byte, error) {
	var lines []pdfLine
	add := func(style, text string) { lines = append(lines, pdfLine{style, text}) }
	add("title", d.Subject)
	add("text", "Notificación electrónica de "+d.Institution.Name)
	add("label", "Depositada en el buzón")
	add("text", FormatMoment(d.DepositedAt, "es")+" (hora de Ecuador)")
	add("label", "Destinatario")
	add("text", "Cédula "+d.RecipientNUI.String())
	if d.Reference != "" {
		add("label", "Referencia")
		add("text", d.Reference)
	}
	add("label", "Código de verificación")
	add("text", d.VerificationCode)
	if d.Tramite != nil {
		add("label", "Trámite")
		add("text", d.Tramite.Expediente+" — "+d.Tramite.Title)
	}
	if d.Deadline != nil {
		add("label", "Plazo")
		add("text", d.Deadline.Deadline.Format("es")+". Vence el "+calendar.FormatLong(d.Deadline.Due, "es")+".")
	}
	if d.Rectifies != nil {
		add("label", "Rectifica a")
		add("text", d.Rectifies.Subject+" ("+FormatMoment(d.Rectifies.DepositedAt, "es")+")")
	}
	if d.RectifiedBy != nil {
		add("label", "Rectificada por")
		add("text", d.RectifiedBy.Subject+" ("+FormatMoment(d.RectifiedBy.DepositedAt, "es")+")")
	}
	add("heading", "Contenido")
	for _, para := range strings.Split(PlainBody(d.Body), "\n") {
		add("text", para)
	}
	if len(d.Attachments) > 0 {
		add("heading", "Anexos")
		for _, a := range d.Attachments {
			add("label", fmt.Sprintf("%d. %s (%s, %s)", a.Position, a.Filename, a.Type.Label, SizeLabel(a.Size)))
			add("small", "SHA-256: "+a.SHA256)
		}
	}
	add("heading", "Institución")
	c := d.Institution
	for _, s := range []string{c.Name, c.Address, c.Phone, c.Email, c.Website, c.OfficeHours} {
		if s != "" {
			add("text", s)
		}
	}
	add("small", "Huella SHA-256 del contenido: "+d.BodySHA256)
	add("small", "Copia impresa desde Buzón el "+FormatMoment(now, "es")+". La constancia de notificación firmada se descarga aparte.")
	return layoutPDF(lines, d.ID, now)
}

const (
	pdfPageW   = 595.28
	pdfPageH   = 841.89
	pdfMarginX = 56.0
	pdfMarginY = 56.0
	pdfWidth   = pdfPageW - 2*pdfMarginX
)

var pdfStyles = map[string]struct {
	font        string
	size, space float64
}{
	"title":   {"bold", 16, 0},
	"heading": {"bold", 12, 14},
	"label":   {"bold", 10, 6},
	"text":    {"regular", 10, 1},
	"small":   {"regular", 8, 1},
}

func layoutPDF(lines []pdfLine, id string, now time.Time) ([]byte, error) {
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	if err := gp.AddTTFFontData("regular", goregular.TTF); err != nil {
		return nil, fmt.Errorf("printable PDF: %w", err)
	}
	if err := gp.AddTTFFontData("bold", gobold.TTF); err != nil {
		return nil, fmt.Errorf("printable PDF: %w", err)
	}
	gp.SetInfo(gopdf.PdfInfo{Title: "Notificación " + id, Author: "Buzón", Creator: "Buzón", Producer: "Buzón", CreationDate: now})
	y := 0.0
	page := 0
	newPage := func() error {
		gp.AddPage()
		page++
		y = pdfMarginY
		if err := gp.SetFont("regular", "", 7); err != nil {
			return err
		}
		gp.SetXY(pdfMarginX, pdfPageH-pdfMarginY+20)
		return gp.Cell(nil, fmt.Sprintf("Notificación %s · página %d", id, page))
	}
	if err := newPage(); err != nil {
		return nil, fmt.Errorf("printable PDF: %w", err)
	}
	for _, l := range lines {
		st := pdfStyles[l.style]
		if err := gp.SetFont(st.font, "", st.size); err != nil {
			return nil, fmt.Errorf("printable PDF: %w", err)
		}
		text := strings.Map(func(r rune) rune {
			if r == '\t' {
				return ' '
			}
			if r < 0x20 {
				return -1
			}
			return r
		}, l.text)
		parts := []string{""}
		if strings.TrimSpace(text) != "" {
			var err error
			if parts, err = gp.SplitTextWithWordWrap(text, pdfWidth); err != nil {
				if parts, err = gp.SplitText(text, pdfWidth); err != nil {
					return nil, fmt.Errorf("printable PDF: %w", err)
				}
			}
		}
		lh := st.size * 1.4
		y += st.space
		for _, p := range parts {
			if y+lh > pdfPageH-pdfMarginY {
				if err := newPage(); err != nil {
					return nil, fmt.Errorf("printable PDF: %w", err)
				}
				if err := gp.SetFont(st.font, "", st.size); err != nil {
					return nil, fmt.Errorf("printable PDF: %w", err)
				}
			}
			gp.SetXY(pdfMarginX, y)
			if p != "" {
				if err := gp.Cell(nil, p); err != nil {
					return nil, fmt.Errorf("printable PDF: %w", err)
				}
			}
			y += lh
		}
		if l.style == "heading" {
			gp.SetLineWidth(0.5)
			gp.Line(pdfMarginX, y, pdfPageW-pdfMarginX, y)
			y += 4
		}
	}
	return gp.GetBytesPdfReturnErr()
}

// PlainBody returns a body without its formatting marks.
func PlainBody(body string) string { return richtext.PlainText(body) }
