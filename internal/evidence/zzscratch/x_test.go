package zzscratch

import (
	"os"
	"testing"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/goregular"
)

func TestX(t *testing.T) {
	pdf := gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	if err := pdf.AddTTFFontData("r", goregular.TTF); err != nil { t.Fatal(err) }
	pdf.SetNoCompression()
	pdf.AddPage()
	pdf.SetFont("r", "", 12)
	pdf.SetXY(50, 50)
	pdf.Cell(nil, "Constancia de notificación — Buzón ñ ¿á?")
	b, err := pdf.GetBytesPdfReturnErr()
	if err != nil { t.Fatal(err) }
	os.WriteFile("/tmp/gp/out.pdf", b, 0o644)
}
