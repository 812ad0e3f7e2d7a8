package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"buzon/internal/config"
	"buzon/internal/identity"
	"buzon/internal/mail/mailtest"
	"buzon/internal/store"
)

// The people of the in-person registration journey.
const (
	idOperatorNUI = "1700000001"
	idCitizenNUI  = "1714307103"
	idDeceasedNUI = "3000000004"
	idMinorNUI    = "0100000009"
	idPassword    = "caballo correcto batería grapa"
)

// idServer starts the server with a civil registry file holding the
// journey's people and an SMTP server (mailtest) receiving its mail.
func idServer(t *testing.T) (*Server, *mailtest.Server) {
	t.Helper()
	reg := filepath.Join(t.TempDir(), "registro.csv")
	csv := "nui,given_names,surnames,birth_date,nationality,status\n" +
		idOperatorNUI + ",Luis Alberto,Paredes Mora,1980-01-10,ECUATORIANA,vigente\n" +
		idCitizenNUI + ",María José,Guamán Ortiz,1990-05-17,ECUATORIANA,vigente\n" +
		idDeceasedNUI + ",Pedro,Salazar Vera,1960-01-01,ECUATORIANA,fallecido\n" +
		idMinorNUI + ",Ana,Quishpe Tituaña,2012-03-03,ECUATORIANA,vigente\n"
	if err := os.WriteFile(reg, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	smtp := mailtest.NewServer(t)
	srv := StartServer(t, func(c *config.Config) {
		c.RegistryFile = reg
		c.SMTPURL = smtp.URL()
		c.MailFrom = "Buzón <no-responder@buzon.example>"
	})
	return srv, smtp
}

// idFill types into the control with this id, as a person would.
func idFill(b *Browser, id, value string) {
	b.t.Helper()
	b.do("find #"+id, chromedp.WaitVisible(chromedp.CSS("#"+id)))
	run(b, "clear #"+id, chromedp.Evaluate[bool](`(() => { document.getElementById(`+strconvQuote(id)+`).value = ""; return true })()`))
	b.do("fill #"+id, chromedp.SendKeys(chromedp.CSS("#"+id), value))
}

// idPress clicks the button with this text and checks the page it leads to,
// which must answer want (a refused form answers 422, which the browser
// also reports in its console).
func idPress(b *Browser, step, button string, want int64) {
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

// idError returns the message shown next to a field.
func idError(b *Browser, id string) string {
	b.t.Helper()
	return strings.TrimSpace(strings.TrimPrefix(b.Text("#"+id+"-error"), "Error:"))
}

// idSignIn signs in through the form, with the TOTP code when asked.
func idSignIn(t *testing.T, b *Browser, step, nui, secret string) {
	t.Helper()
	b.Visit(step, "/ingresar")
	idFill(b, "nui", nui)
	idFill(b, "password", idPassword)
	idPress(b, step+"-password", "Ingresar", 200)
	if secret == "" {
		return
	}
	if got := b.Path(); got != "/ingresar/codigo" {
		t.Fatalf("after the password: %s, want the code page", got)
	}
	// The next period's code: the one that confirmed the setup may still be current.
	code, err := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	idFill(b, "code", code)
	idPress(b, step+"-code", "Continuar", 200)
}

var idActivationRE = regexp.MustCompile(`https?://\S+(/activar/[A-Za-z0-9_-]{43})`)

// TestInPersonRegistrationJourney: a DIGERCIC operator registers a citizen
// at the counter (after two refusals: a mistyped cédula and a deceased
// person); the activation email reaches the SMTP server; the citizen sets a
// password, signs in, turns on two-step verification, signs out and signs
// in again with a code from his authenticator app.
func TestInPersonRegistrationJourney(t *testing.T) {
	srv, smtp := idServer(t)
	ctx := context.Background()

	// The operator, bootstrapped as `buzon admin create-user` would.
	_, link, err := srv.Identity().CreateUser(ctx, identity.System("e2e"), identity.CreateUserRequest{
		NUI: idOperatorNUI, Email: "luis.paredes@registrocivil.example", Role: identity.RoleDIGERCIC})
	if err != nil {
		t.Fatal(err)
	}
	operator := NewBrowser(t, srv.URL, BrowserOptions{})
	operator.Visit("operator-activate", strings.TrimPrefix(link, srv.URL))
	idFill(operator, "password", idPassword)
	idFill(operator, "confirm", idPassword)
	idPress(operator, "operator-activated", "Activar mi cuenta", 200)
	idFill(operator, "nui", idOperatorNUI)
	idFill(operator, "password", idPassword)
	idPress(operator, "operator-totp-required", "Ingresar", 200)
	if got := operator.Path(); got != "/cuenta/verificacion" {
		t.Fatalf("a new operator landed on %s, want the two-step setup", got)
	}
	operatorSecret := idSetUpTOTP(t, operator, "operator")
	operator.ClickLink("operator-console", "Ya guardé mis códigos")
	if got := operator.Path(); got != "/digercic/" {
		t.Errorf("the operator landed on %s, want the DIGERCIC console", got)
	}
	_ = operatorSecret

	// In-person registration, with the refusals a counter sees.
	operator.ClickLink("register", "Registrar ciudadano")
	before := idIdentities(t, srv)
	for _, c := range []struct{ nui, want string }{
		{"1714307104", "El dígito verificador no corresponde."},
		{idDeceasedNUI, "El Registro Civil registra como fallecida a la persona titular de esta cédula."},
		{idMinorNUI, "Debe tener al menos 18 años para registrarse."},
	} {
		idFill(operator, "nui", c.nui)
		idPress(operator, "register-refused-"+c.nui, "Consultar el Registro Civil", 422)
		if got := idError(operator, "nui"); got != c.want {
			t.Errorf("cédula %s: the page says %q, want %q", c.nui, got, c.want)
		}
	}
	if after := idIdentities(t, srv); after != before {
		t.Errorf("refused registrations created identities: %d → %d", before, after)
	}
	idFill(operator, "nui", idCitizenNUI)
	idPress(operator, "register-registry-data", "Consultar el Registro Civil", 200)
	operator.MustSee("María José Guamán Ortiz", "ECUATORIANA")
	if got := operator.Text("dl.summary div:nth-child(3) dd"); !strings.HasPrefix(got, "17/05/1990 (") {
		t.Errorf("date of birth shown as %q", got)
	}
	idFill(operator, "email", "maria.guaman@")
	idPress(operator, "register-unchecked", "Registrar y enviar el enlace de activación", 422)
	if got := idError(operator, "compared"); got != "Confirme que comparó los datos con la cédula física." {
		t.Errorf("unchecked comparison: %q", got)
	}
	if got := idError(operator, "email"); !strings.HasPrefix(got, "Ingrese un correo electrónico válido") {
		t.Errorf("malformed email: %q", got)
	}
	operator.do("check the comparison", chromedp.Click(chromedp.CSS("#compared")))
	idFill(operator, "email", "maria.guaman@correo.example")
	idPress(operator, "register-done", "Registrar y enviar el enlace de activación", 200)
	operator.MustSee("Cuenta registrada")

	// The activation email arrives at the SMTP server.
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	msg, err := smtp.WaitFor(waitCtx, func(r mailtest.Received) bool { return slices.Contains(r.To, "maria.guaman@correo.example") })
	if err != nil {
		t.Fatalf("no activation email: %v", err)
	}
	m := idActivationRE.FindStringSubmatch(msg.Text)
	if m == nil {
		t.Fatalf("no activation link in %q:\n%s", msg.Subject, msg.Text)
	}

	// The citizen activates, signs in and turns on two-step verification.
	citizen := NewBrowser(t, srv.URL, BrowserOptions{})
	citizen.Visit("citizen-activate", m[1])
	citizen.MustSee("Bienvenido/a, María José Guamán Ortiz.")
	idFill(citizen, "password", "contraseña123")
	idFill(citizen, "confirm", "contraseña123")
	idPress(citizen, "citizen-common-password", "Activar mi cuenta", 422)
	if got := idError(citizen, "password"); !strings.HasPrefix(got, "Esa contraseña es demasiado común") {
		t.Errorf("common password: %q", got)
	}
	idFill(citizen, "password", idPassword)
	idFill(citizen, "confirm", idPassword)
	idPress(citizen, "citizen-activated", "Activar mi cuenta", 200)
	citizen.MustSee("Su cuenta está activa. Ingrese con su cédula y la contraseña que eligió.")
	idSignIn(t, citizen, "citizen-signin", idCitizenNUI, "")
	if got := citizen.Path(); got != "/buzon" {
		t.Fatalf("the citizen landed on %s, want his buzón", got)
	}
	citizen.Visit("citizen-account-first", "/cuenta")
	citizen.MustSee("Mi cuenta", "maria.guaman@correo.example", "Desactivada.")
	citizen.ClickLink("citizen-totp", "Administrar verificación en dos pasos")
	secret := idSetUpTOTP(t, citizen, "citizen")
	citizen.ClickLink("citizen-account", "Ya guardé mis códigos")
	citizen.MustSee("Activada; le quedan 10 códigos de recuperación.")

	// Sign out, then in again with a code.
	idPress(citizen, "citizen-signed-out", "Salir", 200)
	citizen.MustSee("Cerró su sesión.")
	idSignIn(t, citizen, "citizen-signin-totp", idCitizenNUI, secret)
	if got := citizen.Path(); got != "/buzon" {
		t.Fatalf("after the code the citizen is on %s, want his buzón", got)
	}
	citizen.Visit("citizen-account-again", "/cuenta")
	citizen.MustSee("Mi cuenta", "Esta sesión")

	// The operator finds the account and its history.
	operator.Visit("console", "/digercic/")
	idFill(operator, "nui", idCitizenNUI)
	idPress(operator, "account-record", "Buscar", 200)
	operator.MustSee("María José Guamán Ortiz", "Activa", "cuenta.registrar")
}

// idSetUpTOTP completes the two-step setup page with a code computed from
// the secret it shows, and returns the secret.
func idSetUpTOTP(t *testing.T, b *Browser, who string) string {
	t.Helper()
	secret := strings.ReplaceAll(b.Text("#totp-secret"), " ", "")
	if secret == "" {
		t.Fatalf("%s: the setup page shows no secret", who)
	}
	if !run(b, "QR code", chromedp.Evaluate[bool](`document.querySelector("img.qr").complete && document.querySelector("img.qr").naturalWidth > 0`)) {
		t.Errorf("%s: the QR code image does not load", who)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	idFill(b, "code", code)
	idPress(b, who+"-recovery-codes", "Activar la verificación en dos pasos", 200)
	b.MustSee("Sus códigos de recuperación")
	return secret
}

func idIdentities(t *testing.T, srv *Server) int {
	t.Helper()
	ids, err := srv.DB().Reader().ListIdentities(context.Background(), store.IdentityFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(ids)
}

// TestIdentityPagesTour visits every other page of the identity area with
// axe-core: the account's security pages, password reset, the DIGERCIC
// account actions (a suspension that signs the citizen out at once) and the
// platform console, in Spanish and in English.
func TestIdentityPagesTour(t *testing.T) {
	srv, smtp := idServer(t)
	ctx := context.Background()
	sys := identity.System("e2e")
	ids := srv.Identity()
	activate := func(link string) {
		t.Helper()
		if _, err := ids.Activate(ctx, link[strings.LastIndexByte(link, '/')+1:], idPassword, idPassword); err != nil {
			t.Fatal(err)
		}
	}
	_, link, err := ids.CreateUser(ctx, sys, identity.CreateUserRequest{NUI: idOperatorNUI, Email: "luis@registrocivil.example", Role: identity.RoleDIGERCIC})
	if err != nil {
		t.Fatal(err)
	}
	activate(link)
	if _, _, err = ids.CreateUser(ctx, sys, identity.CreateUserRequest{NUI: idOperatorNUI, Email: "luis@registrocivil.example", Role: identity.RolePlatformAdmin}); err != nil {
		t.Fatal(err)
	}
	acc, err := ids.RegisterInPerson(ctx, sys, idCitizenNUI, "maria@correo.example")
	if err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	msg, err := smtp.WaitFor(waitCtx, func(r mailtest.Received) bool { return slices.Contains(r.To, "maria@correo.example") })
	if err != nil {
		t.Fatal(err)
	}
	activate(idActivationRE.FindStringSubmatch(msg.Text)[1])

	// The citizen's security pages.
	citizen := NewBrowser(t, srv.URL, BrowserOptions{})
	idSignIn(t, citizen, "citizen-signin", idCitizenNUI, "")
	for _, link := range []string{"Cambiar contraseña", "Cambiar correo", "Administrar llaves de acceso", "Administrar verificación en dos pasos"} {
		citizen.Visit("account", "/cuenta")
		citizen.ClickLink("account-"+link, link)
	}
	citizen.Visit("password", "/cuenta/contrasena")
	idFill(citizen, "current", "no es la mía")
	idPress(citizen, "password-refused", "Cambiar contraseña", 422)
	citizen.Visit("email", "/cuenta/correo")
	idFill(citizen, "email", "maria.nueva@correo.example")
	idFill(citizen, "current", idPassword)
	idPress(citizen, "email-sent", "Enviar enlace de confirmación", 200)
	citizen.MustSee("Le enviamos un enlace al nuevo correo. El cambio se hará cuando lo abra.")

	// Password reset, as someone who forgot it.
	stranger := NewBrowser(t, srv.URL, BrowserOptions{Phone: true})
	stranger.Visit("signin-phone", "/ingresar")
	stranger.ClickLink("reset", "Olvidé mi contraseña")
	idFill(stranger, "nui", idMinorNUI)
	idPress(stranger, "reset-sent", "Enviar el enlace", 200)
	stranger.MustSee("Revise su correo")

	// The operator (also platform administrator) suspends the citizen.
	operator := NewBrowser(t, srv.URL, BrowserOptions{})
	idSignIn(t, operator, "operator-signin", idOperatorNUI, "")
	secret := idSetUpTOTP(t, operator, "operator")
	operator.Visit("record", "/digercic/cuentas/"+acc.ID)
	idPress(operator, "suspend-refused", "Suspender la cuenta", 422)
	if got := idError(operator, "suspender-reason"); got != "Indique el motivo." {
		t.Errorf("suspension without reason: %q", got)
	}
	idFill(operator, "suspender-reason", "Pedido de la titular, oficio 2026-114")
	idPress(operator, "suspended", "Suspender la cuenta", 200)
	operator.MustSee("La cuenta fue suspendida y sus sesiones se cerraron.")
	citizen.Visit("citizen-signed-out", "/cuenta")
	if got := citizen.Path(); got != "/ingresar" {
		t.Errorf("a suspended citizen still reaches %s", got)
	}
	idFill(operator, "reactivar-reason", "La titular lo pidió en persona")
	idPress(operator, "reactivated", "Reactivar la cuenta", 200)

	// The platform console, then the same pages in English.
	operator.Visit("staff", "/admin/personal")
	operator.Visit("audit", "/admin/auditoria")
	operator.MustSee("Pedido de la titular, oficio 2026-114")
	operator.ClickLink("english", "English")
	operator.MustSee("Audit log")
	operator.Visit("staff-en", "/admin/personal")
	operator.Visit("console-en", "/digercic/")
	operator.Visit("register-en", "/digercic/registro")
	operator.Visit("totp-en", "/cuenta/verificacion")
	idPress(operator, "signed-out-en", "Sign out", 200)
	operator.MustSee("You have signed out.")
	_ = secret
}
