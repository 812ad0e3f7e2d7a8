package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"buzon/internal/config"
	"buzon/internal/identity"
	"buzon/internal/mail/mailtest"
	"buzon/internal/nui"
	"buzon/internal/registry"
	"buzon/internal/server"
	"buzon/internal/store"
)

const journeyPassword = "Cotopaxi-Chimborazo-2026"

// journeyAccount creates an active account with a role, as the command line
// would, and returns it.
func journeyAccount(t *testing.T, srv *Server, p registry.Person, role identity.Role, inst string) *identity.Account {
	t.Helper()
	ctx := context.Background()
	ids := srv.Identity()
	acc, link, err := ids.CreateUser(ctx, identity.System("e2e"), identity.CreateUserRequest{NUI: p.NUI.String(),
		Email: p.NUI.String() + "@correo.example", Role: role, InstitutionID: inst})
	if err != nil {
		t.Fatal(err)
	}
	if link != "" {
		if acc, err = ids.Activate(ctx, link[strings.LastIndexByte(link, '/')+1:], journeyPassword, journeyPassword); err != nil {
			t.Fatal(err)
		}
	}
	return acc
}

// enableTOTP turns on two-step verification for a staff account and
// returns its secret.
func enableTOTP(t *testing.T, srv *Server, acc *identity.Account) string {
	t.Helper()
	ctx := context.Background()
	p := &identity.Principal{Account: *acc}
	setup, err := srv.Identity().BeginTOTP(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.ReplaceAll(setup.Secret, " ", "")
	code, err := totp.GenerateCode(secret, time.Now().Add(-30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Identity().ConfirmTOTP(ctx, p, code); err != nil {
		t.Fatal(err)
	}
	return secret
}

// submit clicks the button with exactly this text and expects the page it
// leads to to load with status 200, then checks that page.
func (b *Browser) submit(step, button string) { b.t.Helper(); b.submitStatus(step, button, 200) }

// submitStatus is submit expecting another status, such as 422 for a form
// with mistakes.
func (b *Browser) submitStatus(step, button string, want int) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(xpathText("button", button)))
	if err != nil {
		b.t.Fatalf("press %q: %v", button, err)
	}
	if resp.Status != int64(want) {
		b.t.Fatalf("press %q: %s answered %d, want %d", button, resp.URL, resp.Status, want)
	}
	if want != 200 {
		// The browser logs the expected status as a console error; forget
		// it, and only it, before the page is checked.
		select {
		case <-b.logged:
		case <-time.After(actionTimeout):
		}
		for _, e := range b.consoleErrors() {
			if !strings.Contains(e, fmt.Sprintf("status of %d", want)) {
				b.t.Errorf("browser console at step %q: %s", step, e)
			}
		}
	}
	b.Check(step)
}

func (b *Browser) fill(css, value string) {
	b.t.Helper()
	b.do("fill "+css, chromedp.WaitVisible(chromedp.CSS(css)))
	run(b, "fill "+css, chromedp.Evaluate[bool](`(() => { const e = document.querySelector(`+strconvQuote(css)+`); e.value = `+strconvQuote(value)+`; return true })()`))
}

func (b *Browser) signIn(step string, nui, totpSecret string) {
	b.t.Helper()
	b.Visit(step, "/ingresar")
	b.fill("#nui", nui)
	b.fill("#password", journeyPassword)
	if totpSecret == "" {
		b.submit(step+"-done", "Ingresar")
		return
	}
	b.submit(step+"-code", "Ingresar")
	code, err := totp.GenerateCode(totpSecret, time.Now().Add(30*time.Second))
	if err != nil {
		b.t.Fatal(err)
	}
	b.fill("#code", code)
	b.submit(step+"-done", "Continuar")
}

// TestSendAndReceiveJourney: a notifier sends a notification with an
// attachment and a 10-business-day deadline; the alert reaches the SMTP
// server; the citizen signs in, sees it unread, opens it and downloads the
// attachment (same SHA-256); the notifier then sees it opened and downloaded.
func TestSendAndReceiveJourney(t *testing.T) {
	smtp := mailtest.NewServer(t)
	srv := StartServer(t, func(c *config.Config) {
		c.SMTPURL = smtp.URL()
		c.MailFrom = "Buzón <no-responder@buzon.example>"
	})
	ctx := context.Background()
	reg, err := registry.Open(filepath.Join(srv.Config.Data, server.DemoRegistryFile))
	if err != nil {
		t.Fatal(err)
	}
	var people []registry.Person
	for p := range reg.All() {
		if people = append(people, p); len(people) == 2 {
			break
		}
	}
	inst := &store.Institution{Name: "Servicio de Rentas Internas", Acronym: "SRI", RUC: "1760013210001", RUCKind: "public",
		Sector: "ejecutivo", Modality: "plataforma", State: "activa", DailyQuota: 1000, Address: "Av. Amazonas, Quito",
		Phone: "1700 774 774", Email: "atencion@sri.example", RequestID: store.NewID(), CreatedAt: time.Now()}
	if err := srv.DB().Write(ctx, func(tx *store.Tx) error { return tx.CreateInstitution(ctx, inst) }); err != nil {
		t.Fatal(err)
	}
	notifier := journeyAccount(t, srv, people[0], identity.RoleNotifier, inst.ID)
	secret := enableTOTP(t, srv, notifier)
	citizen := journeyAccount(t, srv, people[1], identity.RoleCitizen, "")

	attachment := filepath.Join(t.TempDir(), "Resolución 0311.pdf")
	content := append([]byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), bytes.Repeat([]byte("% anexo\n"), 4000)...)
	content = append(content, []byte("trailer\n<< /Root 1 0 R >>\n%%EOF\n")...)
	if err := os.WriteFile(attachment, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	wantSHA := hex.EncodeToString(sum[:])

	// The notifier composes, previews and sends.
	staff := NewBrowser(t, srv.URL, BrowserOptions{})
	staff.signIn("notifier-signin", notifier.NUI.String(), secret)
	staff.Visit("compose", "/institucion/"+inst.ID+"/redactar")
	staff.fill("#destinatarios", citizen.NUI.String())
	staff.fill("#asunto", "Requerimiento de información tributaria")
	staff.fill("#referencia", "SRI-DZ9-2026-0311")
	staff.fill("#cuerpo", "Estimado/a {{nombres}}:\n\nPresente las facturas de junio de 2026.")
	staff.do("choose 10 business days", chromedp.Click(chromedp.CSS("#plazo-termino")))
	staff.fill("#plazo_dias", "10")
	staff.do("attach the file", chromedp.SetUploadFiles(chromedp.CSS("#anexos"), []string{attachment}))
	staff.submit("preview", "Revisar antes de enviar")
	staff.MustSee("1 destinatarios recibirán la notificación en su buzón.")
	staff.submit("sent", "Enviar a 1 destinatarios")
	if p := staff.Path(); !strings.HasPrefix(p, "/institucion/"+inst.ID+"/notificaciones") {
		t.Fatalf("after sending the notifier is at %s", p)
	}

	// The alert reaches the SMTP server: institution, reference, code; no body.
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	alert, err := smtp.WaitFor(wctx, func(m mailtest.Received) bool { return strings.Contains(m.Text, "SRI-DZ9-2026-0311") })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(alert.Text, "Servicio de Rentas Internas") || strings.Contains(alert.Text, "facturas de junio") {
		t.Errorf("alert text:\n%s", alert.Text)
	}
	if len(alert.To) != 1 || alert.To[0] != citizen.Email {
		t.Errorf("alert sent to %v, want %s", alert.To, citizen.Email)
	}

	// The citizen signs in, sees it unread, opens it and downloads the attachment.
	cit := NewBrowser(t, srv.URL, BrowserOptions{})
	cit.signIn("citizen-signin", citizen.NUI.String(), "")
	cit.Visit("inbox", "/buzon")
	cit.MustSee("Nueva", "Requerimiento de información tributaria", "Tiene 1 notificaciones sin leer.")
	code := cit.Text(".inbox-item .code")
	if !strings.Contains(alert.Text, "Código de verificación: "+code) {
		t.Errorf("the inbox shows code %q, not the alert's:\n%s", code, alert.Text)
	}
	cit.ClickLink("open", "Requerimiento de información tributaria")
	if got := cit.Text(".panel .lead"); !strings.HasPrefix(got, "Vence el ") || !strings.HasSuffix(got, "quedan 10 días hábiles") {
		t.Errorf("deadline = %q, want “Vence el … — quedan 10 días hábiles”", got)
	}
	cit.MustSee("SHA-256: " + wantSHA)
	href := run(cit, "find the download link", chromedp.Evaluate[string](`document.querySelector('.attachment a[download]').getAttribute('href')`))
	got := run(cit, "download the attachment", chromedp.Evaluate[string](`fetch(`+strconvQuote(href)+`).then(r => r.arrayBuffer())
		.then(b => crypto.subtle.digest('SHA-256', b))
		.then(h => Array.from(new Uint8Array(h)).map(x => x.toString(16).padStart(2, '0')).join(''))`,
		chromedp.EvalAwaitPromise))
	if got != wantSHA {
		t.Errorf("downloaded SHA-256 %s, uploaded %s", got, wantSHA)
	}
	cit.Visit("inbox-read", "/buzon")
	cit.MustSee("No tiene notificaciones sin leer.")

	// The notifier sees it opened and downloaded.
	staff.Visit("tracking", "/institucion/"+inst.ID+"/notificaciones")
	row := staff.Text("tbody tr")
	for _, want := range []string{"Enviada", "Abierta el", "1 de 1", citizen.NUI.String()} {
		if !strings.Contains(row, want) {
			t.Errorf("tracking row %q does not say %q", row, want)
		}
	}
	staff.ClickLink("tracking-show", "Requerimiento de información tributaria")
	staff.MustSee("Abierta por el destinatario", "Anexo descargado por el destinatario", "Alerta enviada por correo electrónico")
}

// TestNotificationScreens visits the other screens of the feature — the
// reminder preferences, templates, tracking filters, dashboards and the
// calendar of decrees — so each is checked for accessibility, and uses the
// forms once.
func TestNotificationScreens(t *testing.T) {
	srv := StartServer(t, nil)
	ctx := context.Background()
	reg, err := registry.Open(filepath.Join(srv.Config.Data, server.DemoRegistryFile))
	if err != nil {
		t.Fatal(err)
	}
	var people []registry.Person
	for p := range reg.All() {
		if people = append(people, p); len(people) == 3 {
			break
		}
	}
	inst := &store.Institution{Name: "Agencia Nacional de Tránsito", Acronym: "ANT", RUC: "1768156470001", RUCKind: "public",
		Sector: "ejecutivo", Modality: "plataforma", State: "activa", DailyQuota: 1000, Address: "Quito",
		RequestID: store.NewID(), CreatedAt: time.Now()}
	if err := srv.DB().Write(ctx, func(tx *store.Tx) error { return tx.CreateInstitution(ctx, inst) }); err != nil {
		t.Fatal(err)
	}
	notifier := journeyAccount(t, srv, people[0], identity.RoleNotifier, inst.ID)
	journeyAccount(t, srv, people[0], identity.RoleCitizen, "")
	admin := journeyAccount(t, srv, people[1], identity.RolePlatformAdmin, "")

	staff := NewBrowser(t, srv.URL, BrowserOptions{})
	staff.signIn("notifier-signin", notifier.NUI.String(), enableTOTP(t, srv, notifier))
	staff.Visit("templates", "/institucion/"+inst.ID+"/plantillas")
	staff.fill("#nombre", "Citación")
	staff.fill("#t-asunto", "Citación para {{nombre_completo}}")
	staff.fill("#t-cuerpo", "Acérquese con su cédula {{cedula}}.")
	staff.submit("template-saved", "Guardar plantilla")
	staff.ClickLink("template-use", "Usar Citación")
	if v := run(staff, "read the subject", chromedp.Evaluate[string](`document.querySelector('#asunto').value`)); v != "Citación para {{nombre_completo}}" {
		t.Errorf("the template filled the subject with %q", v)
	}
	// A form with mistakes says what to fix next to each field.
	staff.fill("#asunto", "")
	staff.fill("#destinatarios", "1714307104")
	staff.submitStatus("compose-errors", "Revisar antes de enviar", 422)
	staff.MustSee("Escriba el asunto.")
	// Sending to oneself (the notifier is a citizen too), then reading it.
	staff.fill("#destinatarios", notifier.NUI.String())
	staff.fill("#asunto", "Citación")
	staff.do("choose a calendar-day deadline", chromedp.Click(chromedp.CSS("#plazo-dias")))
	staff.fill("#plazo_dias", "30")
	staff.submit("preview", "Revisar antes de enviar")
	staff.submit("sent", "Enviar a 1 destinatarios")
	staff.Visit("tracking-filtered", "/institucion/"+inst.ID+"/notificaciones?alerta=pending&abierta=no")
	staff.Visit("dashboard", "/institucion/"+inst.ID+"/tablero")
	staff.Visit("inbox", "/buzon")
	staff.ClickLink("open", "Citación")
	for _, path := range []string{"plazo.ics", "todo.zip"} {
		status := run(staff, "fetch "+path, chromedp.Evaluate[float64](`fetch(location.pathname + '/`+path+`').then(r => r.status)`, chromedp.EvalAwaitPromise))
		if status != 200 {
			t.Errorf("%s answered %v", path, status)
		}
	}
	staff.Visit("preferences", "/buzon/preferencias")
	staff.do("tick 5 days", chromedp.Click(chromedp.CSS("#dias-5")))
	staff.submit("preferences-saved", "Guardar")
	staff.MustSee("Sus recordatorios se guardaron.")
	// Another citizen's notification id is a 404.
	resp := run(staff, "guess an id", chromedp.Evaluate[float64](`fetch('/buzon/`+store.NewID()+`').then(r => r.status)`, chromedp.EvalAwaitPromise))
	if resp != 404 {
		t.Errorf("a made-up notification id answered %v, want 404", resp)
	}

	mintel := NewBrowser(t, srv.URL, BrowserOptions{})
	mintel.signIn("mintel-signin", admin.NUI.String(), enableTOTP(t, srv, admin))
	mintel.Visit("platform-dashboard", "/admin/tablero")
	mintel.Visit("calendar", "/admin/calendario")
	mintel.fill("#fecha", "2026-12-11")
	mintel.fill("#nombre", "Decreto Ejecutivo 123")
	mintel.submit("calendar-added", "Guardar")
	mintel.MustSee("Decreto Ejecutivo 123")
}

// TestThousandRecipientsCSV: a CSV of 1,000 recipients with 3 bad rows; the
// preview names the three rows and why, and confirming deposits 997.
func TestThousandRecipientsCSV(t *testing.T) {
	srv := StartServer(t, nil)
	ctx := context.Background()
	reg, err := registry.Open(filepath.Join(srv.Config.Data, server.DemoRegistryFile))
	if err != nil {
		t.Fatal(err)
	}
	var first registry.Person
	for p := range reg.All() {
		first = p
		break
	}
	inst := &store.Institution{Name: "Instituto Ecuatoriano de Seguridad Social", Acronym: "IESS", RUC: "1760004650001",
		RUCKind: "public", Sector: "ejecutivo", Modality: "plataforma", State: "activa", DailyQuota: 5000, Address: "Quito",
		RequestID: store.NewID(), CreatedAt: time.Now()}
	rnd := rand.New(rand.NewPCG(7, 7))
	var good []string
	err = srv.DB().Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateInstitution(ctx, inst); err != nil {
			return err
		}
		seen := map[string]bool{}
		for len(good) < 998 {
			n := nui.Generate(rnd, 1+rnd.IntN(24)).String()
			if seen[n] || n == first.NUI.String() {
				continue
			}
			seen[n] = true
			id := &store.Identity{NUI: n, GivenNames: "Afiliado", Surnames: strconv.Itoa(len(good)), Email: n + "@correo.example",
				State: "activa", Channel: "presencial", PasskeyHandle: []byte(n), CreatedAt: time.Now()}
			if len(good) < 997 { // the last one has no buzón
				if err := tx.CreateIdentity(ctx, id); err != nil {
					return err
				}
				if err := tx.GrantRole(ctx, &store.Role{IdentityID: id.ID, Role: "ciudadano", GrantedAt: time.Now()}); err != nil {
					return err
				}
			}
			good = append(good, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Line 1 is the header; line 102 has a wrong check digit, line 503
	// repeats line 5, line 1001 is a person without a buzón.
	var csv strings.Builder
	csv.WriteString("cedula;nombres\n")
	rows := append([]string{}, good[:100]...)
	rows = append(rows, "1714307104")
	rows = append(rows, good[100:500]...)
	rows = append(rows, good[3])
	rows = append(rows, good[500:997]...)
	rows = append(rows, good[997])
	for i, r := range rows {
		fmt.Fprintf(&csv, "%s;Persona %d\n", r, i)
	}
	file := filepath.Join(t.TempDir(), "afiliados.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	notifier := journeyAccount(t, srv, first, identity.RoleNotifier, inst.ID)

	b := NewBrowser(t, srv.URL, BrowserOptions{})
	b.signIn("signin", notifier.NUI.String(), enableTOTP(t, srv, notifier))
	b.Visit("compose", "/institucion/"+inst.ID+"/redactar")
	b.do("upload the list", chromedp.SetUploadFiles(chromedp.CSS("#archivo_destinatarios"), []string{file}))
	b.fill("#asunto", "Actualización de datos de afiliación")
	b.fill("#cuerpo", "Estimado/a {{nombres}}: actualice sus datos.")
	b.submit("preview", "Revisar antes de enviar")
	b.MustSee("997 destinatarios recibirán la notificación en su buzón. (archivo afiliados.csv)", "3 filas no se enviarán")
	lines := run(b, "read the report", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.panel-warning tbody tr td:first-child')).map(td => td.textContent)`))
	if strings.Join(lines, ",") != "102,503,1001" {
		t.Errorf("the report names lines %v, want 102, 503 and 1001", lines)
	}
	reasons := b.Text(".panel-warning tbody")
	for _, want := range []string{"buzón activo", good[3], "1714307104"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("the report does not say %q:\n%s", want, reasons)
		}
	}
	b.submit("sent", "Enviar a 997 destinatarios")
	b.MustSee("Se depositaron 997 notificaciones; 1 destinatarios no tienen buzón activo o tenían datos no válidos.")
}

// waitFor waits, while the page reloads itself, until text is the whole
// text of a visible element of <main>, then checks the page.
func (b *Browser) waitFor(step, text string, limit time.Duration) {
	b.t.Helper()
	xpath := `//main//*[normalize-space(.)=` + xpathLiteral(text) + ` and not(*[normalize-space(.)=` + xpathLiteral(text) + `])]`
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.Search(xpath)))
		cancel()
		if err == nil {
			b.Check(step)
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%q did not appear on %s within %s: %v", text, b.Path(), limit, err)
		}
	}
}

// press clicks the button with exactly this text and returns where the
// browser landed, without checking the page (it may reload itself).
func (b *Browser) press(button string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(xpathText("button", button)))
	if err != nil {
		b.t.Fatalf("press %q: %v", button, err)
	}
	if resp.Status != 200 {
		b.t.Fatalf("press %q: %s answered %d", button, resp.URL, resp.Status)
	}
	return b.Path()
}

// TestFiveThousandRecipientsCSV: a notifier uploads a CSV of 5,000 rows with
// an amount per recipient; the form answers at once with a progress page
// (no script: it reloads itself), the check runs as a job, the preview
// reports the 4 bad rows and shows the first recipient's text with his
// amount; confirming starts the deposit job, whose progress page ends in a
// summary with a per-recipient report. The test drives the workers itself,
// so every step is seen.
func TestFiveThousandRecipientsCSV(t *testing.T) {
	srv := StartServer(t, func(c *config.Config) { c.Workers = 0 })
	ctx := context.Background()
	reg, err := registry.Open(filepath.Join(srv.Config.Data, server.DemoRegistryFile))
	if err != nil {
		t.Fatal(err)
	}
	var first registry.Person
	for p := range reg.All() {
		first = p
		break
	}
	inst := &store.Institution{Name: "Instituto Ecuatoriano de Seguridad Social", Acronym: "IESS", RUC: "1760004650001",
		RUCKind: "public", Sector: "ejecutivo", Modality: "plataforma", State: "activa", DailyQuota: 10000, Address: "Quito",
		RequestID: store.NewID(), CreatedAt: time.Now()}
	rnd := rand.New(rand.NewPCG(5, 5))
	var good []string
	err = srv.DB().Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateInstitution(ctx, inst); err != nil {
			return err
		}
		seen := map[string]bool{first.NUI.String(): true}
		for len(good) < 4998 {
			n := nui.Generate(rnd, 1+rnd.IntN(24)).String()
			if seen[n] {
				continue
			}
			seen[n] = true
			id := &store.Identity{NUI: n, GivenNames: "Afiliada", Surnames: strconv.Itoa(len(good)), Email: n + "@correo.example",
				State: "activa", Channel: "presencial", PasskeyHandle: []byte(n), CreatedAt: time.Now()}
			if len(good) < 4997 { // the last one has no buzón
				if err := tx.CreateIdentity(ctx, id); err != nil {
					return err
				}
				if err := tx.GrantRole(ctx, &store.Role{IdentityID: id.ID, Role: "ciudadano", GrantedAt: time.Now()}); err != nil {
					return err
				}
			}
			good = append(good, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 5,000 rows: line 3 has a wrong check digit, line 2001 repeats line 2,
	// line 4001 has no amount and the last line is a person without a buzón.
	var csv strings.Builder
	csv.WriteString("cedula;nombres;monto\n")
	rows := 0
	add := func(id, names, amount string) {
		rows++
		fmt.Fprintf(&csv, "%s;%s;%s\n", id, names, amount)
	}
	for i, n := range good {
		switch rows + 2 { // the line this row will be on
		case 3:
			add("1714307104", "Nadie", "1,00")
		case 2001:
			add(good[0], "Repetida", "1,00")
		}
		if rows+2 == 4001 {
			add(n, fmt.Sprintf("Persona %d", i), "")
			continue
		}
		add(n, fmt.Sprintf("Persona %d", i), fmt.Sprintf("%d,25", i))
	}
	if rows != 5000 {
		t.Fatalf("the file has %d rows", rows)
	}
	file := filepath.Join(t.TempDir(), "aportes.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	notifier := journeyAccount(t, srv, first, identity.RoleNotifier, inst.ID)

	b := NewBrowser(t, srv.URL, BrowserOptions{})
	b.signIn("signin", notifier.NUI.String(), enableTOTP(t, srv, notifier))
	b.Visit("compose", "/institucion/"+inst.ID+"/redactar")
	b.do("upload the list", chromedp.SetUploadFiles(chromedp.CSS("#archivo_destinatarios"), []string{file}))
	b.fill("#asunto", "Aportes pendientes: {{monto}} USD")
	b.fill("#cuerpo", "Estimado/a {{nombres}}: registra aportes pendientes por {{monto}} USD.")
	preview := b.press("Revisar antes de enviar")
	if !strings.HasPrefix(preview, "/institucion/"+inst.ID+"/envios/") {
		t.Fatalf("the form led to %s", preview)
	}

	// Accepted at once: nothing has read the file yet.
	b.Visit("checking", preview+"?actualizar=no")
	b.MustSee("Revisando el archivo de destinatarios", "Se han leído 0 filas (0 %).")
	if label := b.Text(`label[for="avance"]`); label != "Avance de la revisión" {
		t.Errorf("the progress bar is labelled %q", label)
	}
	// The page that reloads itself turns into the preview once the job ran.
	b.do("open the self-refreshing page", navigate(b.base+preview))
	if _, err := srv.Jobs().RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	b.waitFor("checked", "4996 destinatarios recibirán la notificación en su buzón. (archivo aportes.csv)", 30*time.Second)
	b.MustSee("4 filas no se enviarán", "Estimado/a Persona 0: registra aportes pendientes por 0,25 USD.")
	lines := run(b, "read the report", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.panel-warning tbody tr td:first-child')).map(td => td.textContent)`))
	if strings.Join(lines, ",") != "3,2001,4001,5001" {
		t.Errorf("the report names lines %v, want 3, 2001, 4001 and 5001", lines)
	}
	reasons := b.Text(".panel-warning tbody")
	for _, want := range []string{"dígito verificador", "repetida", "«monto»", "buzón activo"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("the report does not say %q:\n%s", want, reasons)
		}
	}

	status := b.press("Enviar a 4996 destinatarios")
	if !strings.HasPrefix(status, "/institucion/"+inst.ID+"/cargas/") {
		t.Fatalf("the confirmation led to %s", status)
	}
	b.Visit("depositing", status+"?actualizar=no")
	b.MustSee("Depositando las notificaciones", "Se han procesado 0 de 4996 destinatarios (0 %).")
	b.do("open the self-refreshing page", navigate(b.base+status))
	if _, err := srv.Jobs().RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	b.waitFor("done", "Envío terminado", 60*time.Second)
	if got := b.Text(".summary dd"); got != "4996" {
		t.Errorf("the summary says %q notifications deposited, want 4996", got)
	}
	deposited, err := srv.DB().Reader().CountDepositedSince(ctx, inst.ID, time.Time{})
	if err != nil || deposited != 4996 {
		t.Errorf("%d notifications deposited (%v), want 4996", deposited, err)
	}
	report := run(b, "download the report", chromedp.Evaluate[string](`fetch(document.querySelector('a[href$="informe.csv"]').href).then(r => r.text())`,
		chromedp.EvalAwaitPromise))
	outcomes := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(report), "\n")[1:] {
		f := strings.Split(l, ",")
		outcomes[f[2]]++
	}
	if outcomes["depositada"] != 4996 || outcomes["rechazada"] != 4 {
		t.Errorf("report outcomes %v, want 4996 deposited and 4 refused", outcomes)
	}
	b.ClickLink("tracking", "Ver las notificaciones enviadas")
}
