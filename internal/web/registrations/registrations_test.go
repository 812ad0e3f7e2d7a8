package registrations_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/pquerna/otp/totp"

	"buzon/internal/blob"
	"buzon/internal/esign"
	"buzon/internal/esign/esigntest"
	"buzon/internal/identity"
	"buzon/internal/mail"
	"buzon/internal/nui"
	"buzon/internal/registration"
	"buzon/internal/registration/registrationtest"
	"buzon/internal/registry"
	"buzon/internal/seal"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
	"buzon/internal/web"
)

const (
	mariaNUI    = "1714307103"
	luisNUI     = "1700000001"
	operatorNUI = "0962467429"
	minorNUI    = "0100000009"
	mariaEmail  = "maria.guaman@example.com"
	password    = "caballo correcto batería grapa"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// site is the real web handler over a test database, with the registration
// channel trusting one test CA.
type site struct {
	t     *testing.T
	url   string
	db    *store.DB
	ids   *identity.Service
	svc   *registration.Service
	clock *clock
	ca    *esigntest.CA
	resp  *esigntest.Responder
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	keys, err := seal.NewKeyring(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	p := func(id, given, surnames string, born time.Time) registry.Person {
		n, err := nui.Parse(id)
		if err != nil {
			t.Fatal(err)
		}
		return registry.Person{NUI: n, GivenNames: given, Surnames: surnames, BirthDate: born, Nationality: "ECUATORIANA", Status: registry.StatusValid}
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	reg := registry.NewMemory([]registry.Person{
		p(mariaNUI, "María José", "Guamán Ortiz", day(1990, 5, 17)),
		p(luisNUI, "Luis Alberto", "Paredes Mora", day(1980, 1, 10)),
		p(operatorNUI, "Carmen Elena", "Vásquez Ruiz", day(1975, 7, 1)),
		p(minorNUI, "Ana", "Quishpe", day(2015, 1, 1)),
	})
	// Sessions expire by the wall clock (scs), so the test clock starts now.
	s := &site{t: t, db: db, clock: &clock{t: time.Now().UTC().Truncate(time.Second)}}
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	s.url = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	s.ids, err = identity.New(identity.Config{DB: db, Registry: reg, Keys: keys, BaseURL: s.url, Now: s.clock.Now,
		PasswordParams: &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := mail.NewTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	s.ca = esigntest.NewCA(t, "Entidad de Certificación de Prueba", s.clock.Now())
	s.resp = s.ca.NewResponder(t)
	roots := x509.NewCertPool()
	roots.AddCert(s.ca.Root)
	s.svc, err = registration.New(registration.Config{DB: db, Identity: s.ids, Keys: keys, Mail: tpl,
		Verifier:  &esign.Verifier{Roots: roots, Now: s.clock.Now},
		Documents: &blob.Sealed{Store: fs, Keyring: keys}, Now: s.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(web.Options{BaseURL: s.url, Identity: s.ids, SessionStore: store.Sessions{DB: db}, Registration: s.svc})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	return s
}

func (s *site) signer(cedula string) *esigntest.Signer {
	return s.ca.Issue(s.t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: cedula, CRLURL: s.resp.CRLURL, OCSPURL: s.resp.OCSPURL})
}

// browser is one person's cookie jar and the last response.
type browser struct {
	s      *site
	c      *http.Client
	lang   string
	body   string
	raw    []byte
	status int
	path   string
	header http.Header
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar}, lang: "es-EC"}
}

var untranslated = regexp.MustCompile(`registrations\.[a-z_]+\.[a-z_.]*[a-z]`)

func (b *browser) do(req *http.Request) int {
	b.s.t.Helper()
	req.Header.Set("Accept-Language", b.lang)
	res, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	b.raw, _ = io.ReadAll(res.Body)
	res.Body.Close()
	b.body, b.status, b.path, b.header = html.UnescapeString(string(b.raw)), res.StatusCode, res.Request.URL.Path, res.Header
	if strings.Contains(res.Header.Get("Content-Type"), "html") {
		if m := untranslated.FindString(b.body); m != "" {
			b.s.t.Errorf("%s %s shows an untranslated key %s", req.Method, req.URL.Path, m)
		}
	}
	return b.status
}

func (b *browser) get(path string) int {
	b.s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.s.url+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) int {
	b.s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.s.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// upload posts a file in the "document" field, as the browser's form does.
func (b *browser) upload(pdf []byte) int {
	b.s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("document", "registro-signed.pdf")
	fw.Write(pdf)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.s.url+"/registro/solicitud/firmado", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func (b *browser) mustSee(texts ...string) {
	b.s.t.Helper()
	for _, t := range texts {
		if !strings.Contains(b.body, t) {
			b.s.t.Errorf("%s does not show %q", b.path, t)
		}
	}
}

func (b *browser) mustNotSee(texts ...string) {
	b.s.t.Helper()
	for _, t := range texts {
		if strings.Contains(b.body, t) {
			b.s.t.Errorf("%s shows %q", b.path, t)
		}
	}
}

// signIn signs in with the N.U.I. and password, through the sign-in page.
func (b *browser) signIn(id string) {
	b.s.t.Helper()
	b.post("/ingresar", url.Values{"nui": {id}, "password": {password}})
	if b.path == "/ingresar" {
		b.s.t.Fatalf("sign-in of %s failed (%d)", id, b.status)
	}
}

// toSignature walks a new applicant through the first two steps and
// returns the issued document.
func (b *browser) toSignature(id, email string) []byte {
	b.s.t.Helper()
	if st := b.post("/registro", url.Values{"nui": {id}, "email": {email}}); st != http.StatusOK || b.path != "/registro/solicitud" {
		b.s.t.Fatalf("start: %d at %s", st, b.path)
	}
	b.post("/registro/solicitud/codigo", url.Values{"code": {registrationtest.LastCode(b.s.t, b.s.db, email)}})
	if b.status != http.StatusOK {
		b.s.t.Fatalf("code: %d\n%s", b.status, b.body)
	}
	if st := b.get("/registro/solicitud/documento"); st != http.StatusOK || b.header.Get("Content-Type") != "application/pdf" {
		b.s.t.Fatalf("document: %d %s", st, b.header.Get("Content-Type"))
	}
	return b.raw
}

// TestRegistrationPages walks the channel through its pages: refusals of
// the first form, the code, the document, a refused upload, the accepted
// one, the password, then the citizen's evidence and DIGERCIC's.
func TestRegistrationPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		b := s.browser()
		if st := b.get("/registro"); st != http.StatusOK {
			t.Fatalf("GET /registro: %d", st)
		}
		b.mustSee("Regístrese en línea", "certificado de firma electrónica vigente", "Cómo firmar con FirmaEC")
		if st := b.get("/registro/solicitud"); st != http.StatusOK || b.path != "/registro" {
			t.Errorf("the application page without an application: %d at %s, want the first page", st, b.path)
		}

		// Bad input: the message next to the field, nothing written.
		for _, c := range []struct{ nui, email, want string }{
			{"1714307104", mariaEmail, "El dígito verificador no corresponde."},
			{mariaNUI, "maria@", "Ingrese un correo electrónico válido"},
			{minorNUI, mariaEmail, "Debe tener al menos 18 años para registrarse."},
			{"1100000007", mariaEmail, registration.ErrCannotRegister.Error()},
		} {
			if st := b.post("/registro", url.Values{"nui": {c.nui}, "email": {c.email}}); st != http.StatusUnprocessableEntity {
				t.Errorf("%s %s: status %d, want 422", c.nui, c.email, st)
			}
			b.mustSee(c.want, `aria-invalid="true"`)
		}
		if n := registrationtest.CountMail(t, db, mariaEmail); n != 0 {
			t.Errorf("%d emails after refusals", n)
		}

		doc := b.toSignature(mariaNUI, mariaEmail)
		if !bytes.HasPrefix(doc, []byte("%PDF-")) || !strings.Contains(b.header.Get("Content-Disposition"), "registro-buzon-") {
			t.Errorf("the download is not the registration PDF: %q", b.header.Get("Content-Disposition"))
		}
		b.get("/registro/solicitud")
		b.mustSee("Paso 3 de 4", "Firme su documento de registro", "María José Guamán Ortiz", mariaNUI, "Descargar el documento (PDF)")

		// A refused upload: esign's sentence, the advice, the attempt listed.
		if st := b.upload(doc); st != http.StatusUnprocessableEntity {
			t.Errorf("unsigned upload: %d, want 422", st)
		}
		b.mustSee(esign.ErrUnsigned.ES, "Qué hacer:", "Parece que subió el documento sin firmar", "Intentos de verificación", "Rechazado")
		b.lang = "en"
		b.upload(doc)
		b.mustSee(esign.ErrUnsigned.EN, "What to do:", "It looks like you uploaded the document without signing it")
		b.lang = "es-EC"
		b.noAccount(mariaNUI)

		signed := esigntest.SignPDFSign(t, doc, s.signer(mariaNUI), esigntest.PDFSignOptions{})
		if st := b.upload(signed); st != http.StatusOK {
			t.Fatalf("signed upload: %d\n%s", st, b.body)
		}
		b.mustSee("Paso 4 de 4", "Cree su contraseña", "Su firma electrónica fue verificada")
		if st := b.post("/registro/solicitud/contrasena", url.Values{"password": {"corta"}, "confirm": {"corta"}}); st != http.StatusUnprocessableEntity {
			t.Errorf("short password: %d", st)
		}
		b.mustSee("al menos 12 caracteres")
		b.post("/registro/solicitud/contrasena", url.Values{"password": {password}, "confirm": {password}})
		if b.path != "/registro/listo" {
			t.Fatalf("after the password: %s", b.path)
		}
		b.mustSee("Su cuenta está activa")
		if st := b.get("/registro/solicitud"); b.path != "/registro" {
			t.Errorf("the application cookie survived activation: %d at %s", st, b.path)
		}

		// The citizen's evidence.
		b.signIn(mariaNUI)
		if st := b.get("/cuenta/registro"); st != http.StatusOK {
			t.Fatalf("/cuenta/registro: %d", st)
		}
		b.mustSee("Mi registro", "Firma verificada", mariaNUI, "Documento firmado (PDF)", "Certificado del firmante (PEM)", "Aceptado", "Rechazado")
		if st := b.get("/cuenta/registro/documento-firmado.pdf"); st != http.StatusOK || !bytes.Equal(b.raw, signed) {
			t.Errorf("signed PDF download: %d, same bytes %v", st, bytes.Equal(b.raw, signed))
		}
		if st := b.get("/cuenta/registro/documento-emitido.pdf"); st != http.StatusOK || !bytes.Equal(b.raw, doc) {
			t.Errorf("issued PDF download: %d", st)
		}
		if st := b.get("/cuenta/registro/certificado.pem"); st != http.StatusOK || !strings.Contains(b.body, "BEGIN CERTIFICATE") {
			t.Errorf("certificate download: %d", st)
		}
		if st := b.get("/cuenta/registro/informe-nada.json"); st != http.StatusNotFound {
			t.Errorf("unknown report: %d", st)
		}
		if st := b.get("/digercic/ciudadanos/" + mariaNUI + "/registro"); st != http.StatusForbidden {
			t.Errorf("a citizen on the DIGERCIC page: %d, want 403", st)
		}

		// DIGERCIC's view.
		op := s.operator()
		if st := op.get("/digercic/ciudadanos/" + mariaNUI + "/registro"); st != http.StatusOK {
			t.Fatalf("DIGERCIC evidence page: %d\n%s", st, op.body)
		}
		op.mustSee("Registro virtual de la cédula "+mariaNUI, "María José Guamán Ortiz", "Informe (JSON)")
		reports := regexp.MustCompile(`href="(/digercic/ciudadanos/\d+/registro/informe-[0-9a-f-]+\.json)"`).FindAllStringSubmatch(op.body, -1)
		if len(reports) < 3 {
			t.Fatalf("%d report links, want one per attempt (3)", len(reports))
		}
		if st := op.get(reports[0][1]); st != http.StatusOK || !strings.Contains(op.body, `"steps"`) {
			t.Errorf("report download: %d", st)
		}
		if st := op.get("/digercic/ciudadanos/" + luisNUI + "/registro"); st != http.StatusOK {
			t.Errorf("a N.U.I. without account: %d, want 200", st)
		}
		op.mustSee("Esta cédula no tiene una cuenta creada por el canal virtual", "No hay otras solicitudes de registro en línea con esta cédula.")

		// The help desk sees a failed application of a person without account.
		luis := s.browser()
		luis.upload(luis.toSignature(luisNUI, "luis@example.com"))
		op.get("/digercic/ciudadanos/" + luisNUI + "/registro")
		op.mustSee("esperando el documento firmado", "luis@example.com", esign.ErrUnsigned.ES)
		if st := op.get("/digercic/ciudadanos/123/registro"); st != http.StatusNotFound {
			t.Errorf("a malformed N.U.I.: %d, want 404", st)
		}
		entries, err := db.Reader().AuditEntries(context.Background(), store.AuditFilter{SubjectNUI: mariaNUI, Action: registration.ActionEvidenceView, Limit: 10})
		if err != nil || len(entries) != 2 {
			t.Errorf("%d audit entries for DIGERCIC's page and download (%v), want 2", len(entries), err)
		}
		entries, err = db.Reader().AuditEntries(context.Background(), store.AuditFilter{SubjectNUI: luisNUI, Action: registration.ActionApplicationsView, Limit: 10})
		if err != nil || len(entries) != 2 {
			t.Errorf("%d audit entries for the applications of %s (%v), want 2", len(entries), luisNUI, err)
		}
	})
}

// TestUploadRefusals sends each refusal through the page and checks the
// citizen's message and advice, and that nothing is activated.
func TestUploadRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		b := s.browser()
		doc := b.toSignature(mariaNUI, mariaEmail)
		other := s.browser()
		luisDoc := other.toSignature(luisNUI, "luis@example.com")
		maria := s.signer(mariaNUI)
		good := esigntest.SignIncremental(t, doc, maria, esigntest.IncrementalOptions{SigningTime: s.clock.Now()})
		changed := bytes.Clone(good)
		changed[len(doc)/3] ^= 1
		sign := func(sg *esigntest.Signer, d []byte) []byte {
			return esigntest.SignIncremental(t, d, sg, esigntest.IncrementalOptions{SigningTime: s.clock.Now()})
		}
		expired := s.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: mariaNUI,
			NotBefore: s.clock.Now().AddDate(-2, 0, 0), NotAfter: s.clock.Now().AddDate(0, 0, -1)})
		revokedCRL := s.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileBancoCentral, Cedula: mariaNUI, CRLURL: s.resp.CRLURL})
		revokedOCSP := s.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileSecurityData, Cedula: mariaNUI, OCSPURL: s.resp.OCSPURL})
		s.resp.Revoke(revokedCRL.Cert.SerialNumber, s.clock.Now().Add(-time.Hour))
		s.resp.Revoke(revokedOCSP.Cert.SerialNumber, s.clock.Now().Add(-time.Hour))
		untrusted := esigntest.NewCA(t, "CA no acreditada", s.clock.Now()).Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: mariaNUI})

		for _, c := range []struct {
			name   string
			pdf    []byte
			want   *esign.Error
			advice string
		}{
			{"unsigned", doc, esign.ErrUnsigned, "Parece que subió el documento sin firmar"},
			{"byte changed", changed, esign.ErrDigestMismatch, "El archivo cambió después de la firma"},
			{"appended", append(bytes.Clone(good), "\n%%\n"...), esign.ErrContentAppended, "No abra ni vuelva a guardar"},
			{"another applicant's document", sign(maria, luisDoc), esign.ErrNotIssuedDocument, "cada solicitud tiene su propio documento"},
			{"untrusted CA", sign(untrusted, doc), esign.ErrUntrusted, "entidad de certificación acreditada en Ecuador"},
			{"expired", sign(expired, doc), esign.ErrCertificateExpired, "Renueve su certificado"},
			{"revoked (CRL)", sign(revokedCRL, doc), esign.ErrRevoked, "Solicite un certificado nuevo"},
			{"revoked (OCSP)", sign(revokedOCSP, doc), esign.ErrRevoked, "Solicite un certificado nuevo"},
			{"cédula mismatch", sign(s.signer(luisNUI), doc), esign.ErrCedulaMismatch, "Solo el titular de la cédula"},
			{"no cédula", sign(s.signer(""), doc), esign.ErrNoCedula, "que incluya su número de cédula"},
		} {
			t.Run(c.name, func(t *testing.T) {
				if st := b.upload(c.pdf); st != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", st)
				}
				b.mustSee(c.want.ES, c.advice, `id="document-error"`)
				b.noAccount(mariaNUI)
			})
		}

		// Too large: refused from the declared length, before reading, and
		// no attempt stored.
		a, _ := s.applicationOf(b)
		before := len(a.Attempts)
		req, _ := http.NewRequest(http.MethodPost, s.url+"/registro/solicitud/firmado", strings.NewReader("x"))
		req.ContentLength = registration.DefaultMaxUpload + 1<<20
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		req.Body = io.NopCloser(io.LimitReader(zeros{}, req.ContentLength))
		if st := b.do(req); st != http.StatusUnprocessableEntity {
			t.Errorf("11 MB upload: %d, want 422", st)
		}
		b.mustSee(registration.ErrFileTooLarge.Error())
		if st := b.upload(nil); st != http.StatusUnprocessableEntity {
			t.Errorf("empty upload: %d", st)
		}
		b.mustSee(registration.ErrFileMissing.Error())
		a, _ = s.applicationOf(b)
		if len(a.Attempts) != before {
			t.Errorf("refusals before verification stored %d attempts", len(a.Attempts)-before)
		}

		// The good document still goes through.
		if st := b.upload(good); st != http.StatusOK {
			t.Fatalf("good upload: %d", st)
		}
		b.mustSee("Cree su contraseña")
	})
}

// TestFirmaECGuide checks the guide in both languages.
func TestFirmaECGuide(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		b := s.browser()
		b.get("/registro/como-firmar")
		b.mustSee("Abra FirmaEC", "Elija «Firmar documento»", "Elija su certificado", "Guarde el documento firmado", "Súbalo a Buzón")
		b.lang = "en"
		b.get("/registro/como-firmar")
		b.mustSee("Open FirmaEC", "Choose your certificate", "Save the signed document", "Upload it to Buzón")
		b.mustNotSee("Abra FirmaEC")
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func (b *browser) noAccount(id string) {
	b.s.t.Helper()
	if _, err := b.s.db.Reader().IdentityByNUI(context.Background(), id); err == nil {
		b.s.t.Errorf("an account exists for %s", id)
	}
}

// applicationOf reads the application the browser's cookie holds.
func (s *site) applicationOf(b *browser) (*registration.Application, error) {
	u, _ := url.Parse(s.url + "/registro")
	for _, c := range b.c.Jar.Cookies(u) {
		if ref, ok := registration.ParseRef(c.Value); ok {
			return s.svc.Application(context.Background(), ref)
		}
	}
	return nil, fmt.Errorf("no application cookie")
}

var secretRE = regexp.MustCompile(`id="totp-secret">([A-Z2-7 ]+)<`)

// operator creates a DIGERCIC operator, activates him and sets up his
// two-step verification through the pages, and returns his browser.
func (s *site) operator() *browser {
	s.t.Helper()
	_, link, err := s.ids.CreateUser(context.Background(), identity.System("test"), identity.CreateUserRequest{NUI: operatorNUI,
		Email: "carmen@registrocivil.test", Role: identity.RoleDIGERCIC})
	if err != nil {
		s.t.Fatal(err)
	}
	b := s.browser()
	u, _ := url.Parse(link)
	b.post(u.Path, url.Values{"password": {password}, "confirm": {password}})
	b.post("/ingresar", url.Values{"nui": {operatorNUI}, "password": {password}})
	b.get("/cuenta/verificacion")
	m := secretRE.FindStringSubmatch(b.body)
	if m == nil {
		s.t.Fatalf("no TOTP secret on the setup page (%s)", b.path)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code, _ := totp.GenerateCode(secret, s.clock.Now())
	b.post("/cuenta/verificacion", url.Values{"code": {code}})
	if b.status != http.StatusOK {
		s.t.Fatalf("TOTP setup: %d", b.status)
	}
	return b
}
