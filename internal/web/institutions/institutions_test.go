package institutions_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"buzon/internal/identity"
	"buzon/internal/institution"
	it "buzon/internal/institution/institutiontest"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
	"buzon/internal/web"
	"buzon/internal/web/i18n"
	"buzon/internal/web/institutions"
	"buzon/internal/web/session"
	"buzon/internal/web/view"
)

// site is the area under test, behind the real session middleware, with a
// test-only route that signs an identity in.
type site struct {
	*it.Env
	t   *testing.T
	srv *httptest.Server
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	env := it.New(t, db)
	views, err := view.New(view.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := session.New(env.Identity, store.Sessions{DB: db}, views, false)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := institutions.Routes(mux, views, sess, env.Service); err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("POST /test/ingresar/{id}", func(w http.ResponseWriter, r *http.Request) {
		if _, err := sess.SignIn(r, r.PathValue("id"), identity.MethodPasswordTOTP); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	if err := views.Check(); err != nil {
		t.Fatal(err)
	}
	s := &site{Env: env, t: t, srv: httptest.NewServer(sess.Middleware(mux))}
	t.Cleanup(s.srv.Close)
	return s
}

// browser is a client with its own cookies: one person.
type browser struct {
	s    *site
	c    *http.Client
	lang string
}

func (s *site) browser(lang string) *browser {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(s.srv.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: i18n.CookieName, Value: lang}})
	return &browser{s: s, lang: lang, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// as returns a browser signed in as the principal's identity.
func (s *site) as(p *identity.Principal) *browser {
	b := s.browser("es")
	resp, err := b.c.Post(s.srv.URL+"/test/ingresar/"+p.ID, "text/plain", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		s.t.Fatalf("sign in %s: %v %v", p.NUI, resp.Status, err)
	}
	resp.Body.Close()
	return b
}

type response struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) response {
	b.s.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(body)}
}

func (b *browser) get(path string) response {
	req, _ := http.NewRequest(http.MethodGet, b.s.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) response {
	req, _ := http.NewRequest(http.MethodPost, b.s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// postFiles posts a multipart form; files maps a field to a file name and content.
func (b *browser) postFiles(path string, form url.Values, files map[string][2]string) response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for field, f := range files {
		w, _ := mw.CreateFormFile(field, f[0])
		w.Write([]byte(f[1]))
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.s.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// activationValues is the activation form, filled in correctly.
func activationValues() url.Values {
	f := it.ActivationForm()
	return url.Values{"name": {f.Name}, "acronym": {f.Acronym}, "ruc": {f.RUC}, "sector": {f.Sector}, "address": {f.Address},
		"website": {f.Website}, "contact_phone": {f.ContactPhone}, "contact_email": {f.ContactEmail},
		"requester_names": {f.RequesterNames}, "requester_nui": {f.RequesterNUI}, "requester_position": {f.RequesterPosition},
		"requester_email": {f.RequesterEmail}, "modality": {f.Modality}, "admin_names": {f.Admin.Names},
		"admin_nui": {f.Admin.NUI}, "admin_position": {f.Admin.Position}, "admin_email": {f.Admin.Email},
		"admin_phone": {f.Admin.Phone}}
}

func pdfs() map[string][2]string {
	return map[string][2]string{"letter": {"oficio.pdf", string(it.PDF())}, "delegation": {"delegacion.pdf", string(it.PDF())}}
}

// fieldError returns the message shown next to a field, "" if none.
func fieldError(body, field string) string {
	m := regexp.MustCompile(`(?s)<p class="error-message" id="` + regexp.QuoteMeta(field) + `-error"><span class="visually-hidden">[^<]*</span>\s*(.*?)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(m[1])
}

func requestCount(t *testing.T, db *store.DB) int {
	rs, err := db.Reader().ListInstitutionRequests(context.Background(), store.InstitutionRequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

func TestActivationFormThroughTheWeb(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		anon := s.browser("es")
		page := anon.get("/instituciones/solicitud")
		if page.status != http.StatusOK || !strings.Contains(page.body, "Solicitud de activación de una institución") ||
			!strings.Contains(page.body, "Función de Transparencia y Control Social") {
			t.Fatalf("form page: %d\n%s", page.status, page.body)
		}
		if en := s.browser("en").get("/instituciones/solicitud"); !strings.Contains(en.body, "Request to activate an institution") {
			t.Errorf("English form page lacks its title")
		}

		// Bad input: each message next to its field, nothing stored.
		bad := activationValues()
		bad.Set("ruc", "1760000000001")
		bad.Set("admin_nui", "1714307104")
		files := pdfs()
		files["letter"] = [2]string{"oficio.pdf", string(it.PNG())}
		delete(files, "delegation")
		resp := anon.postFiles("/instituciones/solicitud", bad, files)
		if resp.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad request: %d", resp.status)
		}
		for field, want := range map[string]string{
			"ruc":        "El dígito verificador del RUC no corresponde.",
			"admin_nui":  "El dígito verificador no corresponde.",
			"letter":     "El archivo no es un PDF válido. Adjunte el documento firmado en formato PDF.",
			"delegation": "Adjunte el documento en formato PDF.",
		} {
			if got := fieldError(resp.body, field); got != want {
				t.Errorf("%s: message %q, want %q", field, got, want)
			}
		}
		if !strings.Contains(resp.body, `value="Ministerio de Pruebas"`) {
			t.Error("the form does not keep what was typed")
		}
		en := s.browser("en").postFiles("/instituciones/solicitud", bad, files)
		if got := fieldError(en.body, "letter"); got != "The file is not a valid PDF. Attach the signed document as a PDF file." {
			t.Errorf("English message: %q", got)
		}
		// A file over the limit.
		big := pdfs()
		big["delegation"] = [2]string{"delegacion.pdf", string(it.PDF()) + strings.Repeat(" ", 64<<10)}
		resp = anon.postFiles("/instituciones/solicitud", activationValues(), big)
		if got := fieldError(resp.body, "delegation"); !strings.Contains(got, "demasiado grande") || !strings.Contains(got, "64 KB") {
			t.Errorf("oversize: %d %q", resp.status, got)
		}
		// A body far over any limit is refused for the form as a whole.
		huge := pdfs()
		huge["delegation"] = [2]string{"delegacion.pdf", strings.Repeat("x", 1<<21)}
		resp = anon.postFiles("/instituciones/solicitud", activationValues(), huge)
		if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "Los archivos adjuntos son demasiado grandes") {
			t.Errorf("huge upload: %d", resp.status)
		}
		if n := requestCount(t, db); n != 0 {
			t.Fatalf("refused requests stored %d rows", n)
		}

		// A good request: the tracking page, with the acknowledgement.
		resp = anon.postFiles("/instituciones/solicitud", activationValues(), pdfs())
		loc := resp.header.Get("Location")
		if resp.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/instituciones/solicitudes/SOL-") {
			t.Fatalf("good request: %d %s\n%s", resp.status, loc, resp.body)
		}
		status := anon.get(loc)
		if !strings.Contains(status.body, "Pendiente de revisión") || !strings.Contains(status.body, "Recibimos su solicitud") {
			t.Errorf("status page:\n%s", status.body)
		}
		// The same RUC again is refused next to the RUC.
		resp = anon.postFiles("/instituciones/solicitud", activationValues(), pdfs())
		if got := fieldError(resp.body, "ruc"); !strings.Contains(got, "Ya existe una solicitud pendiente para este RUC") {
			t.Errorf("duplicate: %d %q", resp.status, got)
		}
		if n := requestCount(t, db); n != 1 {
			t.Errorf("%d requests stored, want 1", n)
		}
		// Looking the number up.
		tracking := strings.TrimPrefix(loc, "/instituciones/solicitudes/")
		if r := anon.get("/instituciones/solicitudes?numero=" + strings.ToLower(tracking)); r.header.Get("Location") != loc {
			t.Errorf("lookup: %d %s", r.status, r.header.Get("Location"))
		}
		if r := anon.get("/instituciones/solicitudes?numero=SOL-2026-ZZZZZZZZ"); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(fieldError(r.body, "numero"), "No encontramos una solicitud") {
			t.Errorf("unknown number: %d", r.status)
		}
	})
}

func TestMINTELReviewsThroughTheWeb(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		ctx := context.Background()
		req, err := s.Service.Submit(ctx, it.ActivationForm())
		if err != nil {
			t.Fatal(err)
		}
		mintel := s.as(s.MINTEL(t))
		queue := mintel.get("/mintel/solicitudes")
		if queue.status != http.StatusOK || !strings.Contains(queue.body, req.Tracking) {
			t.Fatalf("queue: %d\n%s", queue.status, queue.body)
		}
		detail := mintel.get("/mintel/solicitudes/" + req.ID)
		if !strings.Contains(detail.body, "Luis Alberto Mora Vera") || !strings.Contains(detail.body, "/documentos/") {
			t.Fatalf("detail:\n%s", detail.body)
		}
		full, _ := s.Service.Request(ctx, s.MINTEL(t), req.ID)
		doc := mintel.get("/mintel/solicitudes/" + req.ID + "/documentos/" + full.Documents[0].ID)
		if doc.status != http.StatusOK || doc.body != string(it.PDF()) || doc.header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(doc.header.Get("Content-Disposition"), "attachment") || !strings.Contains(doc.header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("document: %d %v", doc.status, doc.header)
		}

		// No choice, no reason: both refused next to their fields.
		resp := mintel.post("/mintel/solicitudes/"+req.ID+"/decision", url.Values{})
		if resp.status != http.StatusUnprocessableEntity || fieldError(resp.body, "decision") == "" || fieldError(resp.body, "reason") != "Indique el motivo." {
			t.Errorf("empty decision: %d %q %q", resp.status, fieldError(resp.body, "decision"), fieldError(resp.body, "reason"))
		}
		resp = mintel.post("/mintel/solicitudes/"+req.ID+"/decision", url.Values{"decision": {"aprobar"}, "reason": {"Documentos verificados."}})
		if resp.status != http.StatusSeeOther || !strings.HasPrefix(resp.header.Get("Location"), "/mintel/instituciones/") {
			t.Fatalf("approve: %d %s\n%s", resp.status, resp.header.Get("Location"), resp.body)
		}
		page := mintel.get(resp.header.Get("Location"))
		if !strings.Contains(page.body, "Ministerio de Pruebas") || !strings.Contains(page.body, "Luis Alberto Mora Vera") {
			t.Errorf("institution page:\n%s", page.body)
		}
		instID := strings.TrimPrefix(resp.header.Get("Location"), "/mintel/instituciones/")

		// Suspension needs a reason, shown next to its own field.
		resp = mintel.post("/mintel/instituciones/"+instID+"/estado", url.Values{"state_reason": {""}})
		if resp.status != http.StatusUnprocessableEntity || fieldError(resp.body, "state_reason") != "Indique el motivo." {
			t.Errorf("suspend without reason: %d %q", resp.status, fieldError(resp.body, "state_reason"))
		}
		resp = mintel.post("/mintel/instituciones/"+instID+"/estado", url.Values{"state_reason": {"Auditoría en curso."}})
		if resp.status != http.StatusSeeOther {
			t.Fatalf("suspend: %d", resp.status)
		}
		if err := s.Service.MaySend(ctx, instID); err == nil {
			t.Error("a suspended institution may still send")
		}
		resp = mintel.post("/mintel/instituciones/"+instID+"/cuota", url.Values{"quota": {"muchas"}})
		if got := fieldError(resp.body, "quota"); !strings.Contains(got, "número entero") {
			t.Errorf("bad quota: %d %q", resp.status, got)
		}
		resp = mintel.post("/mintel/instituciones/"+instID+"/modalidad", url.Values{"modality": {"interconexion"}, "modality_reason": {"Tiene sistema propio."}})
		if resp.status != http.StatusSeeOther {
			t.Errorf("modality: %d", resp.status)
		}
		list := mintel.get("/mintel/instituciones?modalidad=interconexion")
		if !strings.Contains(list.body, "Ministerio de Pruebas") || !strings.Contains(list.body, "Suspendida") {
			t.Errorf("list:\n%s", list.body)
		}
	})
}

func TestConsolesRefuseOtherInstitutionsAndRoles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		ctx := context.Background()
		mintelP := s.MINTEL(t)
		a := s.Activate(t, mintelP, "Institución A", "1760000070001", it.AdminNUI)
		b := s.Activate(t, mintelP, "Institución B", "1760000150001", it.NewAdminNUI)
		adminA := s.as(s.Staff(t, it.AdminNUI))
		adminB := s.Staff(t, it.NewAdminNUI)
		m, err := s.Service.InviteNotifier(ctx, adminB, b.ID, institution.NotifierForm{NUI: it.NotifierNUI, Email: "j@b.gob.ec", Position: "Analista"})
		if err != nil {
			t.Fatal(err)
		}
		jobsBefore, _ := db.Reader().JobsByKind(ctx, "mail", 1000)

		if r := adminA.get("/institucion/"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/institucion/"+a.ID {
			t.Errorf("home: %d %s", r.status, r.header.Get("Location"))
		}
		if r := adminA.get("/institucion/" + a.ID + "/personal"); r.status != http.StatusOK || strings.Contains(r.body, "j@b.gob.ec") {
			t.Errorf("own staff page: %d", r.status)
		}
		for _, tc := range []struct{ method, path string }{
			{"GET", "/institucion/" + b.ID},
			{"GET", "/institucion/" + b.ID + "/personal"},
			{"GET", "/institucion/" + b.ID + "/perfil"},
			{"GET", "/institucion/" + b.ID + "/actividad"},
			{"POST", "/institucion/" + b.ID + "/personal"},
			{"POST", "/institucion/" + b.ID + "/personal/" + m.ID + "/desactivar"},
			{"POST", "/institucion/" + b.ID + "/perfil"},
			{"POST", "/institucion/" + b.ID + "/logo/quitar"},
			{"GET", "/mintel/solicitudes"},
			{"GET", "/mintel/instituciones/" + b.ID},
			{"POST", "/mintel/instituciones/" + b.ID + "/estado"},
		} {
			form := url.Values{"nui": {it.RequesterNUI}, "email": {"x@a.gob.ec"}, "position": {"x"}, "reason": {"x"},
				"address": {"Otra"}, "phone": {"02 222 2222"}, "state_reason": {"x"}}
			var r response
			if tc.method == "GET" {
				r = adminA.get(tc.path)
			} else {
				r = adminA.post(tc.path, form)
			}
			if r.status != http.StatusForbidden {
				t.Errorf("A's administrator: %s %s = %d", tc.method, tc.path, r.status)
			}
		}
		// B's notifier through A's own institution looks missing.
		if r := adminA.post("/institucion/"+a.ID+"/personal/"+m.ID+"/desactivar", url.Values{"reason": {"x"}}); r.status != http.StatusNotFound {
			t.Errorf("B's notifier through A: %d", r.status)
		}
		staffB, _ := s.Service.Staff(ctx, adminB, b.ID)
		for _, sm := range staffB {
			if !sm.Current() {
				t.Errorf("B's %s was ended", sm.NUI)
			}
		}
		if jobsAfter, _ := db.Reader().JobsByKind(ctx, "mail", 1000); len(jobsAfter) != len(jobsBefore) {
			t.Errorf("refused actions queued %d emails", len(jobsAfter)-len(jobsBefore))
		}
		// A notifier, a citizen and nobody.
		notifier := s.as(s.Staff(t, it.NotifierNUI))
		if r := notifier.get("/institucion/" + b.ID); r.status != http.StatusForbidden {
			t.Errorf("a notifier in the administrator's console: %d", r.status)
		}
		citizen := s.as(s.Staff(t, it.RequesterNUI, identity.Grant{Role: identity.RoleCitizen}))
		if r := citizen.get("/mintel/instituciones"); r.status != http.StatusForbidden {
			t.Errorf("a citizen in MINTEL's console: %d", r.status)
		}
		if r := s.browser("es").get("/institucion/" + a.ID); r.status != http.StatusSeeOther || r.header.Get("Location") != "/ingresar" {
			t.Errorf("nobody: %d %s", r.status, r.header.Get("Location"))
		}
	})
}

func TestAdministratorConsoleThroughTheWeb(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		ctx := context.Background()
		a := s.Activate(t, s.MINTEL(t), "Institución A", "1760000070001", it.AdminNUI)
		admin := s.as(s.Staff(t, it.AdminNUI))

		resp := admin.post("/institucion/"+a.ID+"/personal", url.Values{"nui": {"1714307104"}, "email": {"j@a.gob.ec"}, "position": {"Analista"}})
		if resp.status != http.StatusUnprocessableEntity || fieldError(resp.body, "nui") != "El dígito verificador no corresponde." {
			t.Errorf("bad invitation: %d %q", resp.status, fieldError(resp.body, "nui"))
		}
		resp = admin.post("/institucion/"+a.ID+"/personal", url.Values{"nui": {it.NotifierNUI}, "email": {"jorge@a.gob.ec"}, "position": {"Analista"}})
		if resp.status != http.StatusSeeOther {
			t.Fatalf("invite: %d\n%s", resp.status, resp.body)
		}
		staff := admin.get("/institucion/" + a.ID + "/personal")
		if !strings.Contains(staff.body, "Jorge Andrade Loor") || !strings.Contains(staff.body, "Se envió la invitación por correo.") {
			t.Errorf("staff page:\n%s", staff.body)
		}
		current, _ := s.Service.Staff(ctx, s.Staff(t, it.AdminNUI), a.ID)
		var notifierID string
		for _, m := range current {
			if m.Role == identity.RoleNotifier {
				notifierID = m.ID
			}
		}
		if page := admin.get("/institucion/" + a.ID + "/personal"); !strings.Contains(page.body, "Pendiente de activación") {
			t.Error("the staff page does not show the notifier is pending")
		}
		if r := admin.post("/institucion/"+a.ID+"/personal/"+notifierID+"/reenviar", nil); r.status != http.StatusSeeOther {
			t.Errorf("resend: %d\n%s", r.status, r.body)
		}
		resp = admin.post("/institucion/"+a.ID+"/personal/"+notifierID+"/desactivar", url.Values{"reason": {""}})
		if got := fieldError(resp.body, "reason-"+notifierID); resp.status != http.StatusUnprocessableEntity || got != "Indique el motivo." {
			t.Errorf("deactivate without reason: %d %q", resp.status, got)
		}
		resp = admin.post("/institucion/"+a.ID+"/personal/"+notifierID+"/desactivar", url.Values{"reason": {"Cambió de área."}})
		if resp.status != http.StatusSeeOther {
			t.Errorf("deactivate: %d", resp.status)
		}

		// Profile and logo.
		resp = admin.post("/institucion/"+a.ID+"/perfil", url.Values{"address": {""}, "phone": {"abc"}, "email": {"info@a.gob.ec"}})
		if resp.status != http.StatusUnprocessableEntity || fieldError(resp.body, "address") != "Complete este campo." || fieldError(resp.body, "phone") == "" {
			t.Errorf("bad profile: %d", resp.status)
		}
		resp = admin.post("/institucion/"+a.ID+"/perfil", url.Values{"address": {"Av. 10 de Agosto, Quito"}, "phone": {"02 222 2222"},
			"email": {"info@a.gob.ec"}, "office_hours": {"lunes a viernes, 08:00 a 17:00"}})
		if resp.status != http.StatusSeeOther {
			t.Errorf("profile: %d", resp.status)
		}
		resp = admin.postFiles("/institucion/"+a.ID+"/logo", nil, map[string][2]string{"logo": {"logo.png", string(it.PDF())}})
		if resp.status != http.StatusUnprocessableEntity || fieldError(resp.body, "logo") != "El logotipo debe ser una imagen PNG o JPEG." {
			t.Errorf("bad logo: %d %q", resp.status, fieldError(resp.body, "logo"))
		}
		resp = admin.postFiles("/institucion/"+a.ID+"/logo", nil, map[string][2]string{"logo": {"logo.png", string(it.PNG())}})
		if resp.status != http.StatusSeeOther {
			t.Fatalf("logo: %d\n%s", resp.status, resp.body)
		}
		pub, _ := s.Service.Public(ctx, a.ID)
		logo := s.browser("es").get(pub.LogoPath())
		if logo.status != http.StatusOK || logo.body != string(it.PNG()) || logo.header.Get("Content-Type") != "image/png" ||
			!strings.Contains(logo.header.Get("Cache-Control"), "immutable") {
			t.Errorf("logo: %d %v", logo.status, logo.header)
		}
		activity := admin.get("/institucion/" + a.ID + "/actividad")
		for _, want := range []string{"Notificador invitado", "Notificador desactivado", "Perfil público actualizado", "Logotipo cambiado"} {
			if !strings.Contains(activity.body, want) {
				t.Errorf("activity lacks %q", want)
			}
		}
	})
}

// TestMountedInTheSite checks the area through the real site handler (the
// shell's middleware, cross-origin protection, the session middleware):
// the public form is served with the security headers, a form posted from
// another site is refused, and the consoles send strangers to sign in.
func TestMountedInTheSite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		env := it.New(t, db)
		h, err := web.New(web.Options{BaseURL: "http://buzon.test", Identity: env.Identity,
			SessionStore: store.Sessions{DB: db}, Institutions: env.Service})
		if err != nil {
			t.Fatal(err)
		}
		do := func(method, path string, header http.Header) *http.Response {
			r := httptest.NewRequest(method, "http://buzon.test"+path, strings.NewReader("ruc=1760000070001"))
			for k, v := range header {
				r.Header[k] = v
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w.Result()
		}
		resp := do("GET", "/instituciones/solicitud", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") ||
			resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("form: %d %v", resp.StatusCode, resp.Header)
		}
		resp = do("POST", "/instituciones/solicitud", http.Header{"Origin": {"https://evil.example"},
			"Sec-Fetch-Site": {"cross-site"}, "Content-Type": {"application/x-www-form-urlencoded"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site post: %d", resp.StatusCode)
		}
		for _, path := range []string{"/mintel/solicitudes", "/institucion/"} {
			if resp := do("GET", path, nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ingresar" {
				t.Errorf("%s for a stranger: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		if n := requestCount(t, db); n != 0 {
			t.Errorf("%d requests stored", n)
		}
	})
}

func TestInterconnectionConsoleLinksToKeysAndWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		mintel := s.as(s.MINTEL(t))
		a := s.Activate(t, s.MINTEL(t), "Institución A", "1760000070001", it.AdminNUI)
		admin := s.as(s.Staff(t, it.AdminNUI))
		keys := `href="/institucion/` + a.ID + `/api"`
		if page := admin.get("/institucion/" + a.ID); strings.Contains(page.body, keys) {
			t.Error("a platform-modality institution is offered API keys")
		}
		resp := mintel.post("/mintel/instituciones/"+a.ID+"/modalidad", url.Values{"modality": {"interconexion"}, "modality_reason": {"Tiene sistema propio."}})
		if resp.status != http.StatusSeeOther {
			t.Fatalf("modality: %d", resp.status)
		}
		page := admin.get("/institucion/" + a.ID)
		for _, link := range []string{keys, `href="/institucion/` + a.ID + `/webhooks"`, `href="/desarrolladores/api"`} {
			if !strings.Contains(page.body, link) {
				t.Errorf("the interconnection console lacks %s", link)
			}
		}
	})
}
