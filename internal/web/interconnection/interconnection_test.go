package interconnection_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"buzon/internal/api"
	"buzon/internal/apikey"
	"buzon/internal/identity"
	"buzon/internal/institution"
	it "buzon/internal/institution/institutiontest"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
	"buzon/internal/web/i18n"
	"buzon/internal/web/interconnection"
	"buzon/internal/web/session"
	"buzon/internal/web/view"
	"buzon/internal/webhook"
)

// site is the area behind the real session middleware, with a test-only
// route that signs an identity in.
type site struct {
	*it.Env
	t     *testing.T
	srv   *httptest.Server
	keys  *apikey.Service
	hooks *webhook.Service
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	env := it.New(t, db)
	views, err := view.New(view.Config{Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := session.New(env.Identity, store.Sessions{DB: db}, views, false)
	if err != nil {
		t.Fatal(err)
	}
	s := &site{Env: env, t: t, keys: &apikey.Service{DB: db, Now: env.Clock.Now},
		hooks: &webhook.Service{DB: db, Keys: env.Keys, Now: env.Clock.Now, AllowPrivate: false}}
	mux := http.NewServeMux()
	if err := interconnection.Routes(mux, views, sess, interconnection.Deps{Keys: s.keys, Webhooks: s.hooks,
		Institutions: env.Service, Spec: api.Spec()}); err != nil {
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
	return s
}

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

func fieldError(body, field string) string {
	m := regexp.MustCompile(`(?s)<p class="error-message" id="` + regexp.QuoteMeta(field) + `-error"><span class="visually-hidden">[^<]*</span>\s*(.*?)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(m[1])
}

// interconnected activates an institution, moves it to the interconnection
// modality and returns it with its administrator.
func (s *site) interconnected(name, ruc, adminNUI string) (*institution.Institution, *identity.Principal) {
	s.t.Helper()
	mintel := s.MINTEL(s.t)
	inst := s.Activate(s.t, mintel, name, ruc, adminNUI)
	if err := s.DB.Write(context.Background(), func(tx *store.Tx) error {
		return tx.SetInstitutionModality(context.Background(), inst.ID, "interconexion", s.Clock.Now())
	}); err != nil {
		s.t.Fatal(err)
	}
	return inst, s.Staff(s.t, adminNUI, identity.Grant{Role: identity.RoleInstitutionAdmin, InstitutionID: inst.ID})
}

var keyRE = regexp.MustCompile(`bzn_(live|test)_[a-z2-7]{32}`)

func TestAPIKeysInTheConsole(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		inst, admin := s.interconnected("Servicio de Rentas", "1760013210001", it.AdminNUI)
		b := s.as(admin)
		page := b.get("/institucion/" + inst.ID + "/api")
		if page.status != 200 || !strings.Contains(page.body, "Claves de API") || !strings.Contains(page.body, "todavía no tiene claves") {
			t.Fatalf("keys page: %d\n%s", page.status, page.body)
		}
		// A name is needed: the refusal is next to the field, nothing created.
		bad := b.post("/institucion/"+inst.ID+"/api/claves", url.Values{"name": {" "}, "mode": {"live"}})
		if bad.status != http.StatusUnprocessableEntity || fieldError(bad.body, "name") == "" {
			t.Errorf("empty name: %d, error %q", bad.status, fieldError(bad.body, "name"))
		}
		created := b.post("/institucion/"+inst.ID+"/api/claves", url.Values{"name": {"Sistema de rentas"}, "mode": {"test"}})
		key := keyRE.FindString(created.body)
		if created.status != http.StatusOK || !strings.HasPrefix(key, "bzn_test_") || created.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("create: %d key %q", created.status, key)
		}
		cred, err := s.keys.Authenticate(context.Background(), key)
		if err != nil || cred.InstitutionID != inst.ID || !cred.Test() {
			t.Fatalf("the shown key does not authenticate: %+v %v", cred, err)
		}
		// Shown once: the list has the prefix, never the key.
		page = b.get("/institucion/" + inst.ID + "/api")
		if strings.Contains(page.body, key) || !strings.Contains(page.body, key[:17]) || !strings.Contains(page.body, "Sistema de rentas") {
			t.Errorf("the list shows the key, or lacks its prefix")
		}
		keys, _ := s.keys.List(context.Background(), admin, inst.ID)
		resp := b.post("/institucion/"+inst.ID+"/api/claves/"+keys[0].ID+"/revocar", nil)
		if resp.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", resp.status)
		}
		if _, err := s.keys.Authenticate(context.Background(), key); err == nil {
			t.Error("the revoked key still works")
		}
		if page = b.get("/institucion/" + inst.ID + "/api"); !strings.Contains(page.body, "fue revocada") || !strings.Contains(page.body, "Revocada el") {
			t.Errorf("after revoking, the page lacks the message or the state")
		}
		// Another institution's administrator, and a notifier, are refused.
		other, otherAdmin := s.interconnected("Agencia de Tránsito", "1768152560001", it.NewAdminNUI)
		if r := s.as(otherAdmin).get("/institucion/" + inst.ID + "/api"); r.status != http.StatusForbidden {
			t.Errorf("another administrator: %d", r.status)
		}
		if r := s.as(otherAdmin).post("/institucion/"+inst.ID+"/api/claves", url.Values{"name": {"x"}, "mode": {"live"}}); r.status != http.StatusForbidden {
			t.Errorf("another administrator creates: %d", r.status)
		}
		if r := s.as(otherAdmin).post("/institucion/"+other.ID+"/api/claves/"+keys[0].ID+"/revocar", nil); r.status != http.StatusNotFound {
			t.Errorf("revoking another institution's key through one's own: %d", r.status)
		}
		notifier := s.Staff(t, it.NotifierNUI, identity.Grant{Role: identity.RoleNotifier, InstitutionID: inst.ID})
		if r := s.as(notifier).get("/institucion/" + inst.ID + "/api"); r.status != http.StatusForbidden {
			t.Errorf("a notifier: %d", r.status)
		}
		if r := s.browser("es").get("/institucion/" + inst.ID + "/api"); r.status != http.StatusSeeOther {
			t.Errorf("nobody signed in: %d", r.status)
		}
	})
}

func TestWebhooksInTheConsole(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		inst, admin := s.interconnected("Servicio de Rentas", "1760013210001", it.AdminNUI)
		b := s.as(admin)
		bad := b.post("/institucion/"+inst.ID+"/webhooks", url.Values{"url": {"https://127.0.0.1/eventos"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(bad.body, "url"), "red privada") {
			t.Errorf("private URL: %d %q", bad.status, fieldError(bad.body, "url"))
		}
		created := b.post("/institucion/"+inst.ID+"/webhooks", url.Values{"url": {"https://erp.rentas.example/eventos"},
			"description": {"ERP"}, "event_types": {"notification.opened", "notification.deposited"}})
		secret := regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`).FindString(html.UnescapeString(created.body))
		if created.status != http.StatusOK || secret == "" {
			t.Fatalf("create: %d\n%s", created.status, created.body)
		}
		if _, err := webhook.SecretKey(secret); err != nil {
			t.Errorf("the shown secret is not usable: %v", err)
		}
		eps, err := s.hooks.List(context.Background(), webhook.Actor{Principal: admin}, inst.ID)
		if err != nil || len(eps) != 1 || len(eps[0].EventTypes) != 2 {
			t.Fatalf("endpoints = %+v, %v", eps, err)
		}
		list := b.get("/institucion/" + inst.ID + "/webhooks")
		if strings.Contains(list.body, secret) || !strings.Contains(list.body, "https://erp.rentas.example/eventos") {
			t.Error("the list shows the secret, or lacks the URL")
		}
		path := "/institucion/" + inst.ID + "/webhooks/" + eps[0].ID
		if r := b.post(path+"/probar", nil); r.status != http.StatusSeeOther {
			t.Fatalf("test event: %d", r.status)
		}
		show := b.get(path)
		if show.status != 200 || !strings.Contains(show.body, "Evento de prueba") || !strings.Contains(show.body, "En cola") ||
			!strings.Contains(show.body, "El evento de prueba está en cola") {
			t.Errorf("webhook page after the test: %d\n%s", show.status, show.body)
		}
		if r := s.as(s.MINTEL(t)).get(path); r.status != http.StatusForbidden {
			t.Errorf("MINTEL sees an institution's webhook page: %d", r.status)
		}
		if r := b.post(path+"/eliminar", nil); r.status != http.StatusSeeOther {
			t.Fatalf("delete: %d", r.status)
		}
		if r := b.get(path); r.status != http.StatusNotFound {
			t.Errorf("deleted webhook page: %d", r.status)
		}
	})
}

func TestPlatformInstitutionsHaveNoKeys(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		inst := s.Activate(t, s.MINTEL(t), "Municipio", "1760013210001", it.AdminNUI)
		admin := s.Staff(t, it.AdminNUI, identity.Grant{Role: identity.RoleInstitutionAdmin, InstitutionID: inst.ID})
		b := s.as(admin)
		page := b.get("/institucion/" + inst.ID + "/api")
		if page.status != 200 || !strings.Contains(page.body, "modalidad de interconexión") || strings.Contains(page.body, "Crear la clave") {
			t.Errorf("platform institution's page: %d", page.status)
		}
		r := b.post("/institucion/"+inst.ID+"/api/claves", url.Values{"name": {"x"}, "mode": {"live"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("creating a key for a platform institution: %d", r.status)
		}
	})
}

func TestTheReferenceIsGeneratedFromTheDocument(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		es := s.browser("es").get("/desarrolladores/api")
		en := s.browser("en").get("/desarrolladores/api")
		if es.status != 200 || en.status != 200 {
			t.Fatalf("reference: %d %d", es.status, en.status)
		}
		if !strings.Contains(es.body, "Referencia de la API de interconexión") || !strings.Contains(en.body, "Interconnection API reference") {
			t.Error("the reference's title is not in the page's language")
		}
		var doc struct {
			Paths map[string]map[string]struct {
				OperationID string `json:"operationId"`
				Summary     string `json:"summary"`
				SummaryEN   string `json:"x-summary-en"`
			} `json:"paths"`
			Codes []struct {
				Code string `json:"code"`
			} `json:"x-problem-codes"`
		}
		if err := json.Unmarshal(api.Spec(), &doc); err != nil {
			t.Fatal(err)
		}
		for path, ops := range doc.Paths {
			for method, op := range ops {
				for _, want := range []string{`id="` + op.OperationID + `"`, strings.ToUpper(method) + " " + path,
					esc(op.Summary), esc(op.SummaryEN)} {
					if !strings.Contains(es.body, want) {
						t.Errorf("the reference lacks %q", want)
					}
				}
			}
		}
		for _, c := range doc.Codes {
			if !strings.Contains(es.body, `id="error-`+c.Code+`"`) {
				t.Errorf("the reference lacks the error code %s", c.Code)
			}
		}
		for _, want := range []string{`curl -X POST &#34;$BUZON_URL/api/v1/notifications&#34;`, "Idempotency-Key: $(uuidgen)",
			`-F &#34;file=@resolucion.pdf&#34;`, "Authorization: Bearer $BUZON_API_KEY", "webhook-signature"} {
			if !strings.Contains(es.body, want) {
				t.Errorf("the reference lacks %q", want)
			}
		}
		if strings.Contains(es.body, "<script") || strings.Contains(es.body, "style=") {
			t.Error("inline script or style in the reference")
		}
		// Every in-page link leads somewhere.
		for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(es.body, -1) {
			if !strings.Contains(es.body, `id="`+m[1]+`"`) {
				t.Errorf("the link #%s leads nowhere", m[1])
			}
		}
		ids := regexp.MustCompile(`id="([^"]+)"`).FindAllStringSubmatch(es.body, -1)
		seen := map[string]bool{}
		for _, m := range ids {
			if seen[m[1]] {
				t.Errorf("duplicate id %q", m[1])
			}
			seen[m[1]] = true
		}
	})
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
