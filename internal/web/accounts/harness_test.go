package accounts_test

import (
	"context"
	"crypto/tls"
	"io"
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

	"buzon/internal/identity"
	"buzon/internal/mail"
	"buzon/internal/nui"
	"buzon/internal/registry"
	"buzon/internal/seal"
	"buzon/internal/store"
	"buzon/internal/web"
)

const (
	citizenNUI  = "1714307103"
	operatorNUI = "1700000001"
	adminNUI    = "0962467429"
	deceasedNUI = "3000000004"
	minorNUI    = "0100000009"
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

// mailbox keeps the links of the account emails.
type mailbox struct {
	mu    sync.Mutex
	links map[string][]string // to → links, oldest first
}

func (m *mailbox) AccountMail(kind identity.MailKind, to string, d identity.MailData) (*mail.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d.Link != "" {
		m.links[to] = append(m.links[to], d.Link)
	}
	return &mail.Message{To: to, Subject: string(kind), Text: "x " + d.Link}, nil
}

func (m *mailbox) last(t *testing.T, to string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.links[to]
	if len(l) == 0 {
		t.Fatalf("no link was mailed to %s", to)
	}
	u, _ := url.Parse(l[len(l)-1])
	return u.Path
}

// site is the real web handler over a test database.
type site struct {
	t     *testing.T
	srv   *httptest.Server
	url   string // the server's URL with host localhost: passkeys need a domain
	db    *store.DB
	ids   *identity.Service
	clock *clock
	mail  *mailbox
}

func newSite(t *testing.T, db *store.DB, https bool) *site {
	t.Helper()
	keys, err := seal.NewKeyring(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	p := func(id, given, surnames string, born time.Time, st registry.Status) registry.Person {
		n, err := nui.Parse(id)
		if err != nil {
			t.Fatal(err)
		}
		return registry.Person{NUI: n, GivenNames: given, Surnames: surnames, BirthDate: born, Nationality: "ECUATORIANA", Status: st}
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	reg := registry.NewMemory([]registry.Person{
		p(citizenNUI, "María José", "Guamán Ortiz", day(1990, 5, 17), registry.StatusValid),
		p(operatorNUI, "Luis Alberto", "Paredes Mora", day(1980, 1, 10), registry.StatusValid),
		p(adminNUI, "Carmen Elena", "Vásquez Ruiz", day(1975, 7, 1), registry.StatusValid),
		p(deceasedNUI, "Pedro", "Salazar", day(1960, 1, 1), registry.StatusDeceased),
		p(minorNUI, "Ana", "Quishpe", day(2010, 1, 1), registry.StatusValid),
	})
	s := &site{t: t, db: db, clock: &clock{t: time.Now().UTC().Truncate(time.Second)}, mail: &mailbox{links: map[string][]string{}}}
	s.srv = httptest.NewUnstartedServer(nil)
	if https {
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	t.Cleanup(s.srv.Close)
	s.url = strings.Replace(s.srv.URL, "127.0.0.1", "localhost", 1)
	s.ids, err = identity.New(identity.Config{DB: db, Registry: reg, Keys: keys, BaseURL: s.url, Mailer: s.mail,
		Now: s.clock.Now, PasswordParams: &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(web.Options{BaseURL: s.url, Identity: s.ids, SessionStore: store.Sessions{DB: db}})
	if err != nil {
		t.Fatal(err)
	}
	s.srv.Config.Handler = h
	return s
}

// browser is one person's cookie jar.
type browser struct {
	s    *site
	c    *http.Client
	lang string
	// last is the last response's body and status.
	body   string
	status int
	path   string
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	return &browser{s: s, c: c, lang: "es-EC"}
}

func (b *browser) do(req *http.Request) *http.Response {
	b.s.t.Helper()
	req.Header.Set("Accept-Language", b.lang)
	res, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	b.body, b.status, b.path = string(body), res.StatusCode, res.Request.URL.Path
	if strings.Contains(b.body, "accounts.") && strings.Contains(res.Header.Get("Content-Type"), "html") {
		if m := regexp.MustCompile(`accounts\.[a-z_.]+[a-z]`).FindString(b.body); m != "" && !strings.Contains(b.body, `"`+m) {
			b.s.t.Errorf("%s %s shows an untranslated key %s", req.Method, req.URL.Path, m)
		}
	}
	return res
}

// get follows redirects and returns the final status.
func (b *browser) get(path string) int {
	b.s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.s.url+path, nil)
	b.do(req)
	return b.status
}

// post submits a form and follows the redirect, returning the final status.
func (b *browser) post(path string, form url.Values) int {
	b.s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.s.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	b.do(req)
	return b.status
}

// postJSON posts a JSON body and returns the response body.
func (b *browser) postJSON(path string, body []byte) (int, string) {
	b.s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.s.url+path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	b.do(req)
	return b.status, b.body
}

func (b *browser) mustSee(texts ...string) {
	b.s.t.Helper()
	for _, t := range texts {
		if !strings.Contains(b.body, t) {
			b.s.t.Errorf("page %s (status %d) does not show %q", b.path, b.status, t)
		}
	}
}

// signIn signs in with the password, and the TOTP code when asked.
func (b *browser) signIn(id string, secret string) {
	b.s.t.Helper()
	b.post("/ingresar", url.Values{"nui": {id}, "password": {password}})
	if b.path == "/ingresar/codigo" {
		b.s.clock.Advance(30 * time.Second)
		code, _ := totp.GenerateCode(secret, b.s.clock.Now())
		b.post("/ingresar/codigo", url.Values{"code": {code}})
	}
	if b.path == "/ingresar" || b.path == "/ingresar/codigo" {
		b.s.t.Fatalf("sign-in of %s failed (%d):\n%s", id, b.status, b.body)
	}
}

var secretRE = regexp.MustCompile(`id="totp-secret">([A-Z2-7 ]+)<`)

// staff creates a staff member with TOTP set up through the pages, and
// returns his signed-in browser and TOTP secret.
func (s *site) staff(id, email string, role identity.Role) (*browser, string) {
	s.t.Helper()
	_, link, err := s.ids.CreateUser(context.Background(), identity.System("test"), identity.CreateUserRequest{NUI: id, Email: email, Role: role})
	if err != nil {
		s.t.Fatal(err)
	}
	b := s.browser()
	u, _ := url.Parse(link)
	if st := b.post(u.Path, url.Values{"password": {password}, "confirm": {password}}); st != http.StatusOK || b.path != "/ingresar" {
		s.t.Fatalf("activation: %d at %s", st, b.path)
	}
	b.post("/ingresar", url.Values{"nui": {id}, "password": {password}})
	if b.path != "/cuenta/verificacion" {
		s.t.Fatalf("staff without TOTP landed on %s, want the setup page", b.path)
	}
	m := secretRE.FindStringSubmatch(b.body)
	if m == nil {
		s.t.Fatalf("no secret on the setup page:\n%s", b.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code, _ := totp.GenerateCode(secret, s.clock.Now())
	if st := b.post("/cuenta/verificacion", url.Values{"code": {code}}); st != http.StatusOK {
		s.t.Fatalf("TOTP confirmation: %d\n%s", st, b.body)
	}
	b.mustSee("Sus códigos de recuperación")
	return b, secret
}

func (s *site) count() int {
	s.t.Helper()
	ids, err := s.db.Reader().ListIdentities(context.Background(), store.IdentityFilter{Limit: 1000})
	if err != nil {
		s.t.Fatal(err)
	}
	return len(ids)
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
