package notifications_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"buzon/internal/blob"
	"buzon/internal/identity"
	it "buzon/internal/institution/institutiontest"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/notification"
	"buzon/internal/nui"
	"buzon/internal/store"
	"buzon/internal/web/i18n"
	"buzon/internal/web/notifications"
	"buzon/internal/web/session"
	"buzon/internal/web/view"
)

// site is the notifications area behind the real session middleware, over
// a test database, with a test-only route that signs an identity in and a
// job runner the test drives.
type site struct {
	*it.Env
	t        *testing.T
	srv      *httptest.Server
	svc      *notification.Service
	runner   *jobs.Runner
	blobDir  string
	inst     *store.Institution
	other    *store.Institution
	notifier *identity.Principal // of inst
	rival    *identity.Principal // a notifier of other
	rnd      *rand.Rand
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	env := it.New(t, db)
	dir := t.TempDir()
	fsys, err := blob.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := mail.NewTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &site{Env: env, t: t, blobDir: dir, rnd: rand.New(rand.NewPCG(3, 4))}
	s.svc = &notification.Service{DB: db, Keys: env.Keys, Blobs: &blob.Sealed{Store: fsys, Keyring: env.Keys}, Mail: tpl,
		Calendars: &notification.Calendars{DB: db, Now: env.Clock.Now}, Now: env.Clock.Now, SiteURL: "http://buzon.test",
		MailDomain: "buzon.test", Limits: notification.Limits{DepositChunk: 500}}
	s.runner = &jobs.Runner{DB: db, Now: env.Clock.Now}
	for _, k := range s.svc.ComposeJobs() {
		s.runner.Register(k)
	}
	views, err := view.New(view.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := session.New(env.Identity, store.Sessions{DB: db}, views, false)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := notifications.Routes(mux, views, sess, s.svc); err != nil {
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
	s.srv = httptest.NewServer(sess.Middleware(mux))
	t.Cleanup(s.srv.Close)

	s.inst = s.institution("Servicio de Rentas Internas", "SRI", "1760013210001")
	s.other = s.institution("Agencia Nacional de Tránsito", "ANT", "1768152560001")
	s.notifier = env.Staff(t, it.NotifierNUI, identity.Grant{Role: identity.RoleNotifier, InstitutionID: s.inst.ID})
	s.rival = env.Staff(t, it.AdminNUI, identity.Grant{Role: identity.RoleNotifier, InstitutionID: s.other.ID})
	return s
}

func (s *site) institution(name, acronym, ruc string) *store.Institution {
	s.t.Helper()
	i := &store.Institution{Name: name, Acronym: acronym, RUC: ruc, RUCKind: "public", Sector: "ejecutivo",
		Modality: "plataforma", State: "activa", DailyQuota: 100000, Address: "Quito", RequestID: store.NewID(),
		CreatedAt: s.Clock.Now()}
	if err := s.DB.Write(context.Background(), func(tx *store.Tx) error { return tx.CreateInstitution(context.Background(), i) }); err != nil {
		s.t.Fatal(err)
	}
	return i
}

// citizens creates n active citizens in one transaction and returns them.
func (s *site) citizens(n int) []*identity.Principal {
	s.t.Helper()
	ctx := context.Background()
	var rows []*store.Identity
	seen := map[string]bool{}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		for len(rows) < n {
			id := nui.Generate(s.rnd, 1+s.rnd.IntN(24)).String()
			if seen[id] {
				continue
			}
			seen[id] = true
			row := &store.Identity{NUI: id, GivenNames: "Ciudadana", Surnames: fmt.Sprint(len(rows)), Email: id + "@correo.test",
				State: "activa", Channel: "presencial", PasskeyHandle: []byte(id), CreatedAt: s.Clock.Now()}
			if err := tx.CreateIdentity(ctx, row); err != nil {
				return err
			}
			if err := tx.GrantRole(ctx, &store.Role{IdentityID: row.ID, Role: "ciudadano", GrantedAt: s.Clock.Now()}); err != nil {
				return err
			}
			rows = append(rows, row)
		}
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
	out := make([]*identity.Principal, len(rows))
	for i, r := range rows {
		out[i] = &identity.Principal{Account: identity.Account{ID: r.ID, NUI: nui.NUI(r.NUI), GivenNames: r.GivenNames}}
	}
	return out
}

// runJobs runs every job due, as the worker would.
func (s *site) runJobs() {
	s.t.Helper()
	if _, err := s.runner.RunDue(context.Background()); err != nil {
		s.t.Fatal(err)
	}
}

// blobs counts the files in the blob store.
func (s *site) blobs() int {
	n := 0
	filepath.WalkDir(s.blobDir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// browser is one person's cookie jar; it does not follow redirects.
type browser struct {
	s *site
	c *http.Client
}

func (s *site) browser(lang string) *browser {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(s.srv.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: i18n.CookieName, Value: lang}})
	return &browser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// as returns a browser signed in as p.
func (s *site) as(p *identity.Principal, lang string) *browser {
	s.t.Helper()
	b := s.browser(lang)
	resp, err := b.c.Post(s.srv.URL+"/test/ingresar/"+p.ID, "text/plain", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		s.t.Fatalf("sign in %s: %v %v", p.NUI, resp, err)
	}
	resp.Body.Close()
	return b
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r response) location() string { return r.header.Get("Location") }

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

type file struct {
	field, name string
	content     []byte
}

// compose posts the compose form of inst with its fields and files.
func (b *browser) compose(inst string, fields url.Values, files ...file) response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile(f.field, f.name)
		w.Write(f.content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.s.srv.URL+"/institucion/"+inst+"/redactar", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// fieldError returns the message shown next to a form field, "" if none.
func fieldError(body, id string) string {
	m := regexp.MustCompile(`<p class="field-error" id="` + regexp.QuoteMeta(id) + `-error">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// cells returns the text of each row's cells in the first table of body.
func cells(body string) [][]string {
	var out [][]string
	for _, tr := range regexp.MustCompile(`(?s)<tr><td>(.*?)</tr>`).FindAllStringSubmatch(body, -1) {
		var row []string
		for _, td := range regexp.MustCompile(`(?s)<td>(.*?)</td>`).FindAllStringSubmatch("<td>"+tr[1], -1) {
			row = append(row, td[1])
		}
		out = append(out, row)
	}
	return out
}

func mustContain(t *testing.T, what, body string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
}

// form is a valid compose form to the given cédulas.
func form(to ...string) url.Values {
	return url.Values{"destinatarios": {strings.Join(to, "\n")}, "asunto": {"Resolución de devolución de IVA"},
		"cuerpo": {"Estimado/a {{nombres}}: se ha resuelto su solicitud."}, "categoria": {"resolucion"}, "plazo_tipo": {"none"}}
}
