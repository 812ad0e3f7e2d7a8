package security_test

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"buzon/internal/apikey"
	"buzon/internal/calendar"
	"buzon/internal/config"
	"buzon/internal/identity"
	"buzon/internal/notification"
	"buzon/internal/nui"
	"buzon/internal/server"
	"buzon/internal/store"
)

// update regenerates the generated parts of docs/SECURITY.md.
var update = flag.Bool("update", false, "rewrite the generated sections of docs/SECURITY.md")

const password = "Cotopaxi-Chimborazo-2026"

// Role names a row of the matrix's columns: who is calling.
type Role string

const (
	Anonymous     Role = "anónimo"
	Citizen       Role = "ciudadano A"
	OtherCitizen  Role = "ciudadano B"
	Notifier      Role = "notificador A"
	OtherNotifier Role = "notificador B"
	InstAdmin     Role = "admin. institucional A"
	Digercic      Role = "operador DIGERCIC"
	Mintel        Role = "admin. MINTEL"
	Auditor       Role = "auditor"
	SystemA       Role = "sistema A (API)"
	SystemB       Role = "sistema B (API)"
)

// roles is every caller, in the matrix's column order.
var roles = []Role{Anonymous, Citizen, OtherCitizen, Notifier, OtherNotifier, InstAdmin, Digercic, Mintel, Auditor, SystemA, SystemB}

// side is the objects of one tenant: institution A with citizen A's
// notification, or institution B with citizen B's.
type side struct {
	inst       *store.Institution
	notif      string // notification id
	att        string // its attachment's id
	template   string // a message template of the institution
	staffID    string // the institution's notifier's identity id
	citizenNUI string
	citizenID  string
	key        string // a live API key
}

// fixture is one running server with two institutions, their staff (with
// TOTP), two citizens each with a notification, and an HTTP client signed
// in as each role.
type fixture struct {
	t       testing.TB
	srv     *server.Server
	cfg     *config.Config
	base    string
	a, b    side
	secret  map[Role]string // TOTP secrets of staff
	signIns map[Role]int
	nuis    map[Role]string
	ids     map[Role]string
	mu      sync.Mutex
	logged  *sync.Cond        // broadcast on each access-log line
	routes  map[string]string // request id → route pattern, from the access log
	client  map[Role]*http.Client
}

// routeLog is a slog handler that keeps the access log's route per request id.
type routeLog struct{ f *fixture }

func (h routeLog) Enabled(context.Context, slog.Level) bool { return true }
func (h routeLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h routeLog) WithGroup(string) slog.Handler            { return h }
func (h routeLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "http request" {
		if r.Level >= slog.LevelError {
			h.f.t.Logf("server log: %s", r.Message)
		}
		return nil
	}
	var id, route string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "request_id":
			id = a.Value.String()
		case "route":
			route = a.Value.String()
		}
		return true
	})
	h.f.mu.Lock()
	h.f.routes[id] = route
	h.f.logged.Broadcast()
	h.f.mu.Unlock()
	return nil
}

// newFixture starts the server as `buzon serve` would (SQLite, no --dev)
// and seeds it through the domain services.
func newFixture(t testing.TB, change func(*config.Config)) *fixture {
	t.Helper()
	f := &fixture{t: t, secret: map[Role]string{}, signIns: map[Role]int{}, nuis: map[Role]string{}, ids: map[Role]string{},
		routes: map[string]string{}, client: map[Role]*http.Client{}}
	f.logged = sync.NewCond(&f.mu)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.cfg = &config.Config{Addr: ln.Addr().String(), BaseURL: "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), Data: t.TempDir(),
		AutoMigrate: true, LogFormat: "text", LogLevel: "info", Workers: 1, ShutdownTimeout: 10 * time.Second}
	if change != nil {
		change(f.cfg)
	}
	if err := f.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if f.srv, err = server.New(ctx, f.cfg, slog.New(routeLog{f})); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- f.srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
		f.srv.Close()
	})
	f.base = "http://" + ln.Addr().String()
	f.seed()
	f.checkAPI()
	return f
}

// checkAPI fails unless the assembled server serves the interconnection API.
func (f *fixture) checkAPI() {
	f.t.Helper()
	if r := f.do(Anonymous, http.MethodGet, "/api/v1/openapi.json", nil, ""); r.status != http.StatusOK {
		f.t.Fatalf("the assembled server does not serve /api/v1/openapi.json: %d", r.status)
	}
}

func (f *fixture) write(fn func(tx *store.Tx) error) {
	f.t.Helper()
	if err := f.srv.DB().Write(context.Background(), fn); err != nil {
		f.t.Fatal(err)
	}
}

var rnd = rand.New(rand.NewPCG(2026, 11))

// account creates an active account holding role and signs a client in.
func (f *fixture) account(who Role, role identity.Role, inst string) *identity.Account {
	f.t.Helper()
	ctx := context.Background()
	ids := f.srv.Identity()
	n := nui.Generate(rnd, 1+rnd.IntN(24)).String()
	acc, link, err := ids.CreateUser(ctx, identity.System("security-test"), identity.CreateUserRequest{NUI: n,
		Email: n + "@correo.example", Role: role, InstitutionID: inst, GivenNames: "Prueba", Surnames: string(who)})
	if err != nil {
		f.t.Fatalf("create %s: %v", who, err)
	}
	if link != "" {
		if acc, err = ids.Activate(ctx, link[strings.LastIndexByte(link, '/')+1:], password, password); err != nil {
			f.t.Fatalf("activate %s: %v", who, err)
		}
	}
	f.nuis[who], f.ids[who] = n, acc.ID
	if role.Staff() {
		p := &identity.Principal{Account: *acc}
		setup, err := ids.BeginTOTP(ctx, p)
		if err != nil {
			f.t.Fatal(err)
		}
		secret := strings.ReplaceAll(setup.Secret, " ", "")
		code, _ := totp.GenerateCode(secret, time.Now().Add(-30*time.Second))
		if _, err := ids.ConfirmTOTP(ctx, p, code); err != nil {
			f.t.Fatal(err)
		}
		f.secret[who] = secret
		acc.TOTPEnabled = true
	}
	f.signIn(who)
	return acc
}

// newClient is a client that keeps cookies and never follows redirects.
func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signIn signs who in through the real forms (password, then TOTP for staff).
func (f *fixture) signIn(who Role) {
	f.t.Helper()
	c := newClient()
	f.client[who] = c
	resp := f.post(c, "/ingresar", url.Values{"nui": {f.nuis[who]}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("sign-in of %s: %d", who, resp.StatusCode)
	}
	if secret := f.secret[who]; secret != "" {
		// A code is accepted once: each sign-in uses the next window's,
		// then the current one's (the setup used the previous one's).
		f.signIns[who]++
		if f.signIns[who] > 2 {
			f.t.Fatalf("%s signs in a third time: no unused TOTP window left", who)
		}
		code, _ := totp.GenerateCode(secret, time.Now().Add(time.Duration(2-f.signIns[who])*30*time.Second))
		resp = f.post(c, "/ingresar/codigo", url.Values{"code": {code}})
		if resp.StatusCode != http.StatusSeeOther {
			f.t.Fatalf("second step of %s: %d", who, resp.StatusCode)
		}
	}
}

func (f *fixture) post(c *http.Client, path string, form url.Values) *http.Response {
	f.t.Helper()
	resp, err := c.PostForm(f.base+path, form)
	if err != nil {
		f.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// institution creates an active institution in the interconnection
// modality (so it can also have API keys).
func (f *fixture) institution(name, ruc string) *store.Institution {
	i := &store.Institution{Name: name, Acronym: "X", RUC: ruc, RUCKind: "public", Sector: "ejecutiva", Modality: "interconexion",
		State: "activa", DailyQuota: 1000, Address: "Quito", Phone: "02 000 0000", Email: "info@inst.example",
		RequestID: store.NewID(), CreatedAt: time.Now()}
	f.write(func(tx *store.Tx) error { return tx.CreateInstitution(context.Background(), i) })
	return i
}

// pdf is a small PDF that passes the attachment type check.
var pdf = append([]byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), []byte("trailer\n<< /Root 1 0 R >>\n%%EOF\n")...)

// send deposits one notification with one attachment from staff to citizen.
func (f *fixture) send(s *side, staff *identity.Account, role identity.Role, subject, body, filename string) notification.Result {
	f.t.Helper()
	ctx := context.Background()
	svc := f.srv.Notifications()
	att, err := svc.StoreAttachment(ctx, filename, bytes.NewReader(pdf), int64(len(pdf)))
	if err != nil {
		f.t.Fatal(err)
	}
	p := &identity.Principal{Account: *staff, Roles: []identity.Grant{{Role: role, InstitutionID: s.inst.ID}}}
	res, err := svc.Send(ctx, p, notification.Submission{InstitutionID: s.inst.ID, Recipients: []string{s.citizenNUI},
		Subject: subject, Body: body, Reference: "REF-1", Attachments: []notification.Attachment{att},
		Deadline: calendar.Deadline{Kind: calendar.Termino, Count: 10}})
	if err != nil || len(res.Deposited) != 1 {
		f.t.Fatalf("send: %v %+v", err, res.Refused)
	}
	return res
}

func (f *fixture) seed() {
	f.t.Helper()
	ctx := context.Background()
	f.a.inst = f.institution("Servicio de Rentas Internas", "1760013210001")
	f.b.inst = f.institution("Agencia Nacional de Tránsito", "1768152560001")
	f.account(Citizen, identity.RoleCitizen, "")
	f.account(OtherCitizen, identity.RoleCitizen, "")
	f.a.citizenNUI, f.a.citizenID = f.nuis[Citizen], f.ids[Citizen]
	f.b.citizenNUI, f.b.citizenID = f.nuis[OtherCitizen], f.ids[OtherCitizen]
	na := f.account(Notifier, identity.RoleNotifier, f.a.inst.ID)
	nb := f.account(OtherNotifier, identity.RoleNotifier, f.b.inst.ID)
	f.a.staffID, f.b.staffID = na.ID, nb.ID
	adm := f.account(InstAdmin, identity.RoleInstitutionAdmin, f.a.inst.ID)
	f.account(Digercic, identity.RoleDIGERCIC, "")
	f.account(Mintel, identity.RolePlatformAdmin, "")
	f.account(Auditor, identity.RoleAuditor, "")

	for _, x := range []struct {
		s     *side
		staff *identity.Account
	}{{&f.a, na}, {&f.b, nb}} {
		res := f.send(x.s, x.staff, identity.RoleNotifier, "Resolución de prueba", "Texto de la resolución.", "resolucion.pdf")
		x.s.notif = res.Deposited[0].NotificationID
		f.write(func(tx *store.Tx) error {
			atts, err := tx.AttachmentsOfBatch(ctx, res.BatchID)
			if err != nil || len(atts) == 0 {
				f.t.Fatalf("attachments: %v", err)
			}
			x.s.att = atts[0].ID
			return nil
		})
		p := &identity.Principal{Account: *x.staff, Roles: []identity.Grant{{Role: identity.RoleNotifier, InstitutionID: x.s.inst.ID}}}
		tpl, err := f.srv.Notifications().SaveTemplate(ctx, p, notification.Template{InstitutionID: x.s.inst.ID, Name: "Plantilla", Subject: "Asunto", Body: "Cuerpo"})
		if err != nil {
			f.t.Fatal(err)
		}
		x.s.template = tpl.ID
	}
	_ = adm
	keys := &apikey.Service{DB: f.srv.DB()}
	for _, s := range []*side{&f.a, &f.b} {
		admin := &identity.Principal{Account: identity.Account{ID: store.NewID(), TOTPEnabled: true},
			Roles: []identity.Grant{{Role: identity.RoleInstitutionAdmin, InstitutionID: s.inst.ID}}}
		secret, _, err := keys.Create(ctx, admin, s.inst.ID, "ERP", apikey.Live)
		if err != nil {
			f.t.Fatal(err)
		}
		s.key = secret
	}
}

// declared is a request body whose length is sent in Content-Length.
type declared struct {
	io.Reader
	n int64
}

// result is one answer to one request.
type result struct {
	status   int
	location string
	route    string // the web mux's pattern that served it, from the access log
	header   http.Header
	body     string
}

// do sends one request as who and returns the answer and the route that
// served it.
func (f *fixture) do(who Role, method, path string, body io.Reader, contentType string) result {
	f.t.Helper()
	return f.doT(f.t, who, method, path, body, contentType)
}

// doT is do reporting to t (a fuzz target's own T).
func (f *fixture) doT(t testing.TB, who Role, method, path string, body io.Reader, contentType string) result {
	t.Helper()
	req, err := http.NewRequest(method, f.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := body.(declared); ok {
		req.ContentLength = d.n
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	c := f.client[who]
	switch who {
	case Anonymous:
		c = newClient()
	case SystemA:
		c = newClient()
		req.Header.Set("Authorization", "Bearer "+f.a.key)
	case SystemB:
		c = newClient()
		req.Header.Set("Authorization", "Bearer "+f.b.key)
	}
	if method == http.MethodPost || method == http.MethodDelete {
		req.Header.Set("Idempotency-Key", store.NewID())
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s as %s: %v", method, path, who, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The access log is written just after the response: wait for its line.
	id := resp.Header.Get("X-Request-Id")
	// The bound only keeps a changed access log from hanging the test.
	late := false
	timer := time.AfterFunc(30*time.Second, func() {
		f.mu.Lock()
		late = true
		f.logged.Broadcast()
		f.mu.Unlock()
	})
	defer timer.Stop()
	f.mu.Lock()
	route, ok := f.routes[id]
	for !ok && !late {
		f.logged.Wait()
		route, ok = f.routes[id]
	}
	f.mu.Unlock()
	if !ok {
		t.Fatalf("%s %s: no access-log line (\"http request\" with route and request_id) for request %q", method, path, id)
	}
	return result{status: resp.StatusCode, location: resp.Header.Get("Location"), route: route, header: resp.Header, body: string(b)}
}
