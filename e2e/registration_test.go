package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"buzon/internal/config"
	"buzon/internal/esign"
	"buzon/internal/esign/esigntest"
	"buzon/internal/registration/registrationtest"
)

const (
	regNUI      = "1714307103"
	regOtherNUI = "1700000001"
	regEmail    = "maria.guaman@example.com"
	regPassword = "caballo correcto batería grapa"
)

// regServer starts the server with a civil registry file, and a trust list
// holding one test CA, whose loopback responder answers CRL and OCSP.
func regServer(t *testing.T) (*Server, *esigntest.CA, *esigntest.Responder) {
	t.Helper()
	reg := filepath.Join(t.TempDir(), "registro.csv")
	csv := "nui,given_names,surnames,birth_date,nationality,status\n" +
		regNUI + ",María José,Guamán Ortiz,1990-05-17,ECUATORIANA,vigente\n" +
		regOtherNUI + ",Luis Alberto,Paredes Mora,1980-01-10,ECUATORIANA,vigente\n"
	if err := os.WriteFile(reg, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	ca := esigntest.NewCA(t, "Entidad de Certificación de Prueba", time.Now())
	resp := ca.NewResponder(t)
	trust := registrationtest.WriteTrustDir(t, ca)
	srv := StartServer(t, func(c *config.Config) {
		c.RegistryFile = reg
		c.TrustDir = trust
		c.Revocation = "required"
	})
	return srv, ca, resp
}

// regFill types into the control with this id, as a person would.
func regFill(b *Browser, id, value string) {
	b.t.Helper()
	b.do("fill #"+id, chromedp.Clear(chromedp.CSS("#"+id)), chromedp.SendKeys(chromedp.CSS("#"+id), value))
}

// regPress clicks the button with this text and checks the page it leads
// to, which must answer want (a refused form answers 422, which the
// browser also reports in its console).
func regPress(b *Browser, step, button string, want int64) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(xpathText("button", button)))
	if err != nil {
		b.t.Fatalf("press %q: %v", button, err)
	}
	if resp.Status != want {
		b.t.Fatalf("press %q: %s answered %d, want %d", button, resp.URL, resp.Status, want)
	}
	if want < 400 {
		b.Check(step)
		return
	}
	b.Screenshot(step)
	b.Axe()
	for _, e := range b.consoleErrors() {
		if !strings.Contains(e, fmt.Sprintf("status of %d", want)) {
			b.t.Errorf("browser console at step %q: %s", step, e)
		}
	}
}

// regUpload chooses a file for the upload field, written from pdf.
func regUpload(b *Browser, pdf []byte) {
	b.t.Helper()
	path := filepath.Join(b.t.TempDir(), "registro-signed.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		b.t.Fatal(err)
	}
	b.do("attach the signed document", chromedp.SetUploadFiles(chromedp.CSS("#document"), []string{path}))
}

// regFetch downloads a path with the page's cookies, as the download link
// does, and returns the bytes.
func regFetch(b *Browser, path string) []byte {
	b.t.Helper()
	enc := run(b, "download "+path, evaluateString(`fetch(`+fmt.Sprintf("%q", path)+`).then(r => {
		if (!r.ok) throw new Error('status ' + r.status);
		return r.arrayBuffer();
	}).then(buf => {
		let s = '';
		const bytes = new Uint8Array(buf);
		for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
		return btoa(s);
	})`))
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		b.t.Fatal(err)
	}
	return raw
}

// regFieldError returns the message shown next to a field.
func regFieldError(b *Browser, id string) string {
	b.t.Helper()
	return strings.TrimSpace(strings.TrimPrefix(b.Text("#"+id+"-error"), "Error:"))
}

// TestVirtualRegistrationJourney: a citizen registers online. She mistypes
// her cédula, then gives it with her email, types the emailed code,
// downloads her registration document, first uploads it unsigned (refused,
// with what to do), then uploads it signed in the test with her
// certificate; she sets her password, signs in and finds the evidence of
// her registration. The guide to FirmaEC is read in both languages.
func TestVirtualRegistrationJourney(t *testing.T) {
	srv, ca, resp := regServer(t)
	b := NewBrowser(t, srv.URL, BrowserOptions{})

	b.Visit("how-to-create", "/como-crear-mi-cuenta")
	b.ClickLink("start", "Registrarme en línea")
	if got := b.Path(); got != "/registro" {
		t.Fatalf("the link led to %s", got)
	}
	b.MustSee("Regístrese en línea", "Escriba su cédula y su correo", "Firme su documento de registro")

	regFill(b, "nui", "1714307104")
	regFill(b, "email", regEmail)
	regPress(b, "start-refused", "Continuar", 422)
	if got := regFieldError(b, "nui"); got != "El dígito verificador no corresponde." {
		t.Errorf("cédula error = %q", got)
	}
	regFill(b, "nui", regNUI)
	regPress(b, "start", "Continuar", 200)
	if got := b.Path(); got != "/registro/solicitud" {
		t.Fatalf("after the first form: %s", got)
	}
	b.MustSee("Paso 2 de 4", "Confirme su correo electrónico")

	regFill(b, "code", "000000")
	code := registrationtest.LastCode(t, srv.DB(), regEmail)
	if code == "000000" {
		regFill(b, "code", "111111")
	}
	regPress(b, "code-refused", "Confirmar mi correo", 422)
	if got := regFieldError(b, "code"); !strings.HasPrefix(got, "El código no es correcto.") {
		t.Errorf("code error = %q", got)
	}
	regFill(b, "code", code)
	regPress(b, "code", "Confirmar mi correo", 200)
	b.MustSee("Paso 3 de 4", "Firme su documento de registro", "María José Guamán Ortiz", "Descargar el documento (PDF)")

	doc := regFetch(b, "/registro/solicitud/documento")
	if !strings.HasPrefix(string(doc), "%PDF-") {
		t.Fatalf("the download is not a PDF: %q", doc[:min(len(doc), 16)])
	}

	// The guide, in Spanish and in English.
	b.ClickLink("how-to-sign", "Cómo firmar con FirmaEC, paso a paso")
	b.MustSee("Abra FirmaEC", "Elija «Firmar documento»", "Elija su certificado", "Guarde el documento firmado")
	b.ClickLink("how-to-sign-en", "English")
	b.MustSee("Open FirmaEC", "Choose your certificate")
	b.ClickLink("back-es", "Español")
	b.ClickLink("back-to-application", "Volver a mi solicitud")

	// Unsigned: refused, with the reason and what to do.
	regUpload(b, doc)
	regPress(b, "upload-unsigned", "Subir y verificar", 422)
	if got := regFieldError(b, "document"); got != esign.ErrUnsigned.ES {
		t.Errorf("upload error = %q", got)
	}
	b.MustSee("Rechazado")
	if got := b.Text(".error-summary-advice"); !strings.Contains(got, "Parece que subió el documento sin firmar") {
		t.Errorf("advice = %q", got)
	}

	// Signed with her certificate (PAdES, as FirmaEC does).
	signer := ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileBancoCentral, Cedula: regNUI,
		Name: "MARIA JOSE GUAMAN ORTIZ", CRLURL: resp.CRLURL, OCSPURL: resp.OCSPURL})
	signed := esigntest.SignPDFSign(t, doc, signer, esigntest.PDFSignOptions{})
	regUpload(b, signed)
	regPress(b, "upload-signed", "Subir y verificar", 200)
	b.MustSee("Paso 4 de 4", "Cree su contraseña", "Su firma electrónica fue verificada y su cuenta fue creada. Solo falta su contraseña.")

	regFill(b, "password", regPassword)
	regFill(b, "confirm", regPassword)
	regPress(b, "password", "Activar mi cuenta", 200)
	if got := b.Path(); got != "/registro/listo" {
		t.Fatalf("after the password: %s", got)
	}
	b.MustSee("Su cuenta está activa")

	b.ClickLink("signin", "Ingresar a mi buzón")
	regFill(b, "nui", regNUI)
	regFill(b, "password", regPassword)
	regPress(b, "signed-in", "Ingresar", 200)
	b.Visit("evidence", "/cuenta/registro")
	b.MustSee("Mi registro", "Firma verificada", regNUI, "Aceptado", "Rechazado", "Válido: no revocado",
		"Documento firmado (PDF)", "Informe de verificación (JSON)")
	if got := b.Text("main"); !strings.Contains(got, "CN=MARIA JOSE GUAMAN ORTIZ") {
		t.Error("the evidence page does not name the signer")
	}
	if got := regFetch(b, "/cuenta/registro/documento-firmado.pdf"); string(got) != string(signed) {
		t.Error("the signed PDF kept with the account differs from the upload")
	}
}
