package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"buzon/internal/config"
	"buzon/internal/identity"
	"buzon/internal/store"
)

// The people of the institutions' journeys, all in the test's civil registry.
const (
	instMINTELNUI    = "0102030400"
	instRequesterNUI = "1714307103"
	instAdminNUI     = "1700000001"
	instNewAdminNUI  = "0962467429"
	instNotifierNUI  = "3000000004"
	instPassword     = "una frase larga para el buzón del estado"
)

// instServer starts the server with a civil registry holding the journeys'
// people and no background worker: the test delivers mail itself
// (RunDue), so reading the development mailbox never races a send.
func instServer(t *testing.T) *Server {
	t.Helper()
	dir := t.TempDir()
	reg := filepath.Join(dir, "registro.csv")
	csv := "nui,given_names,surnames,birth_date,nationality,status\n" +
		instMINTELNUI + ",Patricia,Vásconez Ruiz,1980-04-12,ECUATORIANA,vigente\n" +
		instRequesterNUI + ",Ana María,Pérez Salazar,1975-01-30,ECUATORIANA,vigente\n" +
		instAdminNUI + ",Luis Alberto,Mora Vera,1985-06-01,ECUATORIANA,vigente\n" +
		instNewAdminNUI + ",Rosa Elena,Guamán Ortiz,1990-09-15,ECUATORIANA,vigente\n" +
		instNotifierNUI + ",Jorge,Andrade Loor,1992-11-03,ECUATORIANA,vigente\n"
	if err := os.WriteFile(reg, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	return StartServer(t, func(c *config.Config) {
		c.RegistryFile = reg
		c.Workers = 0
	})
}

// instMail delivers the queued mail and returns the text of the newest
// email to addr whose subject contains subject.
func instMail(t *testing.T, srv *Server, addr, subject string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := srv.Jobs().RunDue(ctx); err != nil {
		t.Fatalf("deliver mail: %v", err)
	}
	ms, err := srv.DB().Reader().DevMails(ctx, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if strings.Contains(m.To, addr) && strings.Contains(m.Subject, subject) {
			return m.Text
		}
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.To+": "+m.Subject)
	}
	t.Fatalf("no email to %s about %q; the mailbox holds:\n%s", addr, subject, strings.Join(got, "\n"))
	return ""
}

var instLinkRE = regexp.MustCompile(`https?://\S+/activar/[A-Za-z0-9_-]+`)

// instLink returns the path of the activation link in an email.
func instLink(t *testing.T, srv *Server, text string) string {
	t.Helper()
	link := instLinkRE.FindString(text)
	if link == "" {
		t.Fatalf("no activation link in:\n%s", text)
	}
	return strings.TrimPrefix(link, srv.URL)
}

// instFill types value into the form control with the given id.
func instFill(b *Browser, id, value string) {
	b.t.Helper()
	b.do("fill #"+id, chromedp.SetValue(chromedp.CSS("#"+id), value))
}

// instChoose clicks a radio button or checkbox.
func instChoose(b *Browser, id string) {
	b.t.Helper()
	b.do("choose #"+id, chromedp.Click(chromedp.CSS("#"+id)))
}

// instAttach chooses a file for a file input.
func instAttach(b *Browser, id, path string) {
	b.t.Helper()
	b.do("attach to #"+id, chromedp.SetUploadFiles(chromedp.CSS("#"+id), []string{path}))
}

// instPress clicks the button with the given text, which posts a form, and
// checks the page it leads to: want is its HTTP status (after redirects).
func instPress(b *Browser, step, button string, want int64) {
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
	// A refused form comes back with its status (422), which the browser
	// reports in the console; any other console error still fails.
	b.Screenshot(step)
	b.Axe()
	for _, e := range b.consoleErrors() {
		if !strings.Contains(e, fmt.Sprintf("status of %d", want)) {
			b.t.Errorf("browser console at step %q: %s", step, e)
		}
	}
}

// instFieldError returns the message shown next to a field.
func instFieldError(b *Browser, id string) string {
	b.t.Helper()
	return strings.TrimSpace(strings.TrimPrefix(b.Text("#"+id+"-error"), "Error:"))
}

// instFiles writes the documents a requester attaches: two real PDFs and an
// image renamed .pdf.
func instFiles(t *testing.T) (letter, delegation, fake string) {
	t.Helper()
	dir := t.TempDir()
	pdf := "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" +
		"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
	letter, delegation, fake = filepath.Join(dir, "oficio.pdf"), filepath.Join(dir, "delegacion.pdf"), filepath.Join(dir, "escaneo.pdf")
	for path, content := range map[string]string{letter: pdf, delegation: pdf,
		fake: "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return letter, delegation, fake
}

// instRequest fills in and sends the activation request of an institution,
// and returns its tracking number.
func instRequest(t *testing.T, b *Browser, name, ruc string) string {
	t.Helper()
	letter, delegation, _ := instFiles(t)
	b.Visit("solicitud", "/instituciones/solicitud")
	for id, v := range map[string]string{
		"name": name, "acronym": "MIPRU", "ruc": ruc, "sector": "ejecutiva",
		"address": "Av. Amazonas N34-451 y Av. Atahualpa, Quito", "website": "https://www.pruebas.gob.ec",
		"contact_phone": "02 396 3000", "contact_email": "atencion@pruebas.gob.ec",
		"requester_names": "Ana María Pérez Salazar", "requester_nui": instRequesterNUI, "requester_position": "Ministra",
		"requester_email": "ministra@pruebas.gob.ec",
		"admin_names":     "Luis Alberto Mora Vera", "admin_nui": instAdminNUI, "admin_position": "Director de TIC",
		"admin_email": "luis.mora@pruebas.gob.ec", "admin_phone": "02 396 3001",
	} {
		instFill(b, id, v)
	}
	instChoose(b, "modality")
	instAttach(b, "letter", letter)
	instAttach(b, "delegation", delegation)
	instPress(b, "solicitud-enviada", "Enviar la solicitud", 200)
	b.MustSee("Estado de la solicitud", "Pendiente de revisión")
	tracking := b.Text(".summary-value strong")
	if !regexp.MustCompile(`^SOL-\d{4}-[0-9A-Z]{8}$`).MatchString(tracking) {
		t.Fatalf("tracking number %q", tracking)
	}
	return tracking
}

// instStaffSignIn takes a person from the emailed activation link to a
// signed-in session with two-step verification on: password, sign-in, the
// authenticator's secret read from the page, the first code, the recovery
// codes.
func instStaffSignIn(t *testing.T, b *Browser, link, nui, who string) {
	t.Helper()
	b.Visit(who+"-activar", link)
	instFill(b, "password", instPassword)
	instFill(b, "confirm", instPassword)
	instPress(b, who+"-activada", "Activar mi cuenta", 200)
	if got := b.Path(); got != "/ingresar" {
		t.Fatalf("%s: activation led to %s", who, got)
	}
	instFill(b, "nui", nui)
	instFill(b, "password", instPassword)
	instPress(b, who+"-verificacion", "Ingresar", 200)
	if got := b.Path(); got != "/cuenta/verificacion" {
		t.Fatalf("%s: staff without two-step verification landed on %s", who, got)
	}
	secret := strings.ReplaceAll(b.Text("#totp-secret"), " ", "")
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatalf("%s: TOTP code from %q: %v", who, secret, err)
	}
	instFill(b, "code", code)
	instPress(b, who+"-codigos", "Activar la verificación en dos pasos", 200)
}

// instMINTEL creates a platform administrator the way `buzon admin
// create-user` does and signs him in.
func instMINTEL(t *testing.T, srv *Server) *Browser {
	t.Helper()
	_, link, err := srv.Identity().CreateUser(context.Background(), identity.System("e2e"), identity.CreateUserRequest{
		NUI: instMINTELNUI, Email: "patricia.vasconez@telecomunicaciones.gob.ec", Role: identity.RolePlatformAdmin})
	if err != nil {
		t.Fatal(err)
	}
	b := NewBrowser(t, srv.URL, BrowserOptions{})
	instStaffSignIn(t, b, strings.TrimPrefix(link, srv.URL), instMINTELNUI, "mintel")
	return b
}

// instDecide has MINTEL open a request from the queue and decide it.
func instDecide(t *testing.T, b *Browser, tracking string, approve bool, reason string) {
	t.Helper()
	b.Visit("cola", "/mintel/solicitudes")
	b.ClickLink("solicitud-"+tracking, tracking)
	b.MustSee("Solicitud " + tracking)
	if approve {
		instChoose(b, "decision")
	} else {
		instChoose(b, "decision-reject")
	}
	instFill(b, "reason", reason)
	instPress(b, "decidida", "Registrar la decisión", 200)
}

// TestInstitutionActivationJourney is the whole activation: the request
// (first refused for a bad RUC and an image renamed .pdf), MINTEL's
// approval, the administrator's invitation and activation with two-step
// verification, his invitation of a notifier, and the notifier signing in.
func TestInstitutionActivationJourney(t *testing.T) {
	srv := instServer(t)
	ctx := context.Background()

	// The minister's delegate files the request; the first try is refused.
	requester := NewBrowser(t, srv.URL, BrowserOptions{})
	_, delegation, fake := instFiles(t)
	requester.Visit("solicitud", "/instituciones/solicitud")
	instFill(requester, "name", "Ministerio de Pruebas")
	instFill(requester, "ruc", "1760000000001")
	instAttach(requester, "letter", fake)
	instAttach(requester, "delegation", delegation)
	instPress(requester, "solicitud-rechazada", "Enviar la solicitud", 422)
	for id, want := range map[string]string{
		"ruc":     "El dígito verificador del RUC no corresponde.",
		"letter":  "El archivo no es un PDF válido. Adjunte el documento firmado en formato PDF.",
		"acronym": "Complete este campo.",
	} {
		if got := instFieldError(requester, id); got != want {
			t.Errorf("next to %s: %q, want %q", id, got, want)
		}
	}
	if rs, _ := srv.DB().Reader().ListInstitutionRequests(ctx, store.InstitutionRequestFilter{}); len(rs) != 0 {
		t.Fatalf("a refused request stored %d rows", len(rs))
	}
	tracking := instRequest(t, requester, "Ministerio de Pruebas", "1760000070001")
	if mail := instMail(t, srv, "ministra@pruebas.gob.ec", "Recibimos la solicitud"); !strings.Contains(mail, tracking) {
		t.Errorf("the acknowledgement lacks the tracking number:\n%s", mail)
	}

	// MINTEL approves it.
	mintel := instMINTEL(t, srv)
	instDecide(t, mintel, tracking, true, "Oficio y delegación verificados.")
	mintel.MustSee("Ministerio de Pruebas", "Activa", "Luis Alberto Mora Vera")
	if mail := instMail(t, srv, "ministra@pruebas.gob.ec", "aprobada"); !strings.Contains(mail, "ya está activa") {
		t.Errorf("approval email:\n%s", mail)
	}

	// The administrator's invitation, activation and two-step verification.
	invitation := instMail(t, srv, "luis.mora@pruebas.gob.ec", "Usted es Administrador/a")
	admin := NewBrowser(t, srv.URL, BrowserOptions{})
	instStaffSignIn(t, admin, instLink(t, srv, invitation), instAdminNUI, "administrador")
	admin.Visit("institucion", "/institucion/")
	admin.MustSee("Ministerio de Pruebas")

	// He invites a notifier: first with a wrong cédula, then right.
	admin.ClickLink("personal", "Personal")
	instFill(admin, "nui", "1714307104")
	instFill(admin, "email", "jorge.andrade@pruebas.gob.ec")
	instFill(admin, "position", "Analista de notificaciones")
	instPress(admin, "invitacion-rechazada", "Enviar la invitación", 422)
	if got := instFieldError(admin, "nui"); got != "El dígito verificador no corresponde." {
		t.Errorf("next to the cédula: %q", got)
	}
	instFill(admin, "nui", instNotifierNUI)
	instPress(admin, "invitacion-enviada", "Enviar la invitación", 200)
	admin.MustSee("Se envió la invitación por correo.", "Jorge Andrade Loor", "Pendiente de activación")

	// The notifier signs in.
	staffInvitation := instMail(t, srv, "jorge.andrade@pruebas.gob.ec", "Invitación a Buzón")
	notifier := NewBrowser(t, srv.URL, BrowserOptions{})
	instStaffSignIn(t, notifier, instLink(t, srv, staffInvitation), instNotifierNUI, "notificador")
	notifier.Visit("cuenta", "/cuenta")
	row, err := srv.DB().Reader().IdentityByNUI(ctx, instNotifierNUI)
	if err != nil {
		t.Fatal(err)
	}
	roles, _ := srv.DB().Reader().RolesOf(ctx, row.ID)
	if len(roles) != 1 || roles[0].Role != string(identity.RoleNotifier) || row.State != "activa" {
		t.Errorf("notifier: state %s, roles %+v", row.State, roles)
	}
	// MINTEL cannot use the institution's console, nor the notifier MINTEL's.
	for _, c := range []struct {
		b    *Browser
		path string
	}{{mintel, "/institucion/"}, {notifier, "/mintel/solicitudes"}, {notifier, "/institucion/"}} {
		resp := run(c.b, "visit "+c.path, chromedp.NavigateResponse(srv.URL+c.path))
		if resp.Status != 403 {
			t.Errorf("%s answered %d, want 403", c.path, resp.Status)
		}
	}
}

// TestInstitutionRejectionJourney is a request MINTEL rejects: the
// requester is emailed the reason and the follow-up page shows it.
func TestInstitutionRejectionJourney(t *testing.T) {
	srv := instServer(t)
	requester := NewBrowser(t, srv.URL, BrowserOptions{})
	tracking := instRequest(t, requester, "Ministerio de Pruebas", "1760000070001")
	mintel := instMINTEL(t, srv)
	instDecide(t, mintel, tracking, false, "El oficio no está firmado por la máxima autoridad.")
	mintel.MustSee("Rechazada")
	mail := instMail(t, srv, "ministra@pruebas.gob.ec", "rechazada")
	if !strings.Contains(mail, "El oficio no está firmado por la máxima autoridad.") {
		t.Errorf("rejection email:\n%s", mail)
	}
	requester.Visit("seguimiento", "/instituciones/solicitudes?numero="+strings.ToLower(tracking))
	requester.MustSee("Rechazada", "El oficio no está firmado por la máxima autoridad.")
	if _, err := srv.DB().Reader().IdentityByNUI(context.Background(), instAdminNUI); err == nil {
		t.Error("a rejected request created the administrator's account")
	}
}

// TestAdministratorChangeJourney is the seed's service-desk request: the new
// administrator asks, MINTEL approves, the old administrator is signed out
// and loses the console, the new one is invited; both are emailed.
func TestAdministratorChangeJourney(t *testing.T) {
	srv := instServer(t)
	requester := NewBrowser(t, srv.URL, BrowserOptions{})
	tracking := instRequest(t, requester, "Ministerio de Pruebas", "1760000070001")
	mintel := instMINTEL(t, srv)
	instDecide(t, mintel, tracking, true, "Verificado.")
	old := NewBrowser(t, srv.URL, BrowserOptions{})
	instStaffSignIn(t, old, instLink(t, srv, instMail(t, srv, "luis.mora@pruebas.gob.ec", "Usted es Administrador/a")), instAdminNUI, "anterior")
	old.Visit("consola-anterior", "/institucion/")

	// The new administrator files the change.
	_, delegation, _ := instFiles(t)
	newAdmin := NewBrowser(t, srv.URL, BrowserOptions{})
	newAdmin.Visit("cambio", "/instituciones/cambio-de-administrador")
	for id, v := range map[string]string{"ruc": "1760000070001", "admin_names": "Rosa Elena Guamán Ortiz",
		"admin_nui": instNewAdminNUI, "admin_position": "Coordinadora de TIC", "admin_email": "rosa.guaman@pruebas.gob.ec",
		"admin_phone": "02 396 3002"} {
		instFill(newAdmin, id, v)
	}
	instPress(newAdmin, "cambio-sin-documento", "Enviar la solicitud de cambio", 422)
	if got := instFieldError(newAdmin, "delegation"); got != "Adjunte el documento en formato PDF." {
		t.Errorf("next to the delegation: %q", got)
	}
	instAttach(newAdmin, "delegation", delegation)
	instPress(newAdmin, "cambio-enviado", "Enviar la solicitud de cambio", 200)
	newAdmin.MustSee("Cambio de administrador", "Pendiente de revisión")
	change := newAdmin.Text(".summary-value strong")

	instDecide(t, mintel, change, true, "Delegación oficial verificada.")

	// The old administrator's session is over; signing in again, the console is closed to him.
	resp := run(old, "visit the console", chromedp.NavigateResponse(srv.URL+"/institucion/"))
	if got := old.Path(); resp.Status != 200 || got != "/ingresar" {
		t.Errorf("old administrator after the change: %d on %s, want the sign-in page", resp.Status, got)
	}
	if mail := instMail(t, srv, "luis.mora@pruebas.gob.ec", "Ya no es"); !strings.Contains(mail, change) {
		t.Errorf("old administrator's email:\n%s", mail)
	}
	newAdmin2 := NewBrowser(t, srv.URL, BrowserOptions{})
	instStaffSignIn(t, newAdmin2, instLink(t, srv, instMail(t, srv, "rosa.guaman@pruebas.gob.ec", "Usted es Administrador/a")),
		instNewAdminNUI, "nueva")
	newAdmin2.Visit("consola-nueva", "/institucion/")
	newAdmin2.MustSee("Ministerio de Pruebas", "Rosa Elena Guamán Ortiz — Coordinadora de TIC (rosa.guaman@pruebas.gob.ec)")
	instMail(t, srv, "rosa.guaman@pruebas.gob.ec", "aprobada")
}
