package transparency_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp/totp"

	"buzon/internal/config"
	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/notification"
	"buzon/internal/registry"
	"buzon/internal/server"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
	"buzon/internal/web/notifications"
	"buzon/internal/web/transparency"
)

const testPassword = "Cotopaxi-Chimborazo-2026"

// site is the real server's handler over a fresh data directory, with two
// institutions, their notifiers, two citizens, an auditor and one
// notification from the first institution to the first citizen.
type site struct {
	t                    *testing.T
	srv                  *server.Server
	url                  string
	instA, instB         *store.Institution
	notifierA, notifierB *person
	citizen1, citizen2   *person
	auditor              *person
	adminA               *person // institution A's administrator
	notificationID       string
}

// person is an account and how it signs in.
type person struct {
	acc    *identity.Account
	secret string // TOTP secret, "" for a citizen
}

// onBothEngines runs fn on a new site over SQLite and over PostgreSQL.
func onBothEngines(t *testing.T, fn func(t *testing.T, s *site)) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) { fn(t, newSite(t, e)) })
	}
}

func newSite(t *testing.T, engine store.Engine) *site {
	t.Helper()
	dbURL := ""
	if engine == store.Postgres {
		dbURL = storetest.URL(t, engine)
	}
	ts := httptest.NewUnstartedServer(nil)
	ts.Start()
	t.Cleanup(ts.Close)
	cfg := &config.Config{Addr: "127.0.0.1:0", BaseURL: ts.URL, DatabaseURL: dbURL, Data: t.TempDir(), AutoMigrate: true, Dev: true,
		LogFormat: "text", LogLevel: "error", Workers: 1, ShutdownTimeout: 10 * time.Second}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv, err := server.New(ctx, cfg, slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts.Config.Handler = srv.Handler()
	s := &site{t: t, srv: srv, url: ts.URL}

	reg, err := registry.Open(filepath.Join(cfg.Data, server.DemoRegistryFile))
	if err != nil {
		t.Fatal(err)
	}
	var people []registry.Person
	for p := range reg.All() {
		if people = append(people, p); len(people) == 6 {
			break
		}
	}
	s.instA = s.institution("Servicio de Rentas Internas", "SRI", "1760013210001")
	s.instB = s.institution("Agencia Nacional de Tránsito", "ANT", "1768152560001")
	s.notifierA = s.account(people[0], identity.RoleNotifier, s.instA.ID)
	s.notifierB = s.account(people[1], identity.RoleNotifier, s.instB.ID)
	s.citizen1 = s.account(people[2], identity.RoleCitizen, "")
	s.citizen2 = s.account(people[3], identity.RoleCitizen, "")
	s.auditor = s.account(people[4], identity.RoleAuditor, "")
	s.adminA = s.account(people[5], identity.RoleInstitutionAdmin, s.instA.ID)

	svc := srv.Notifications()
	err = srv.DB().Write(ctx, func(tx *store.Tx) error {
		res, err := svc.Deposit(ctx, tx, notification.Submission{InstitutionID: s.instA.ID,
			Actor:      evidence.Actor{Kind: evidence.ActorStaff, ID: s.notifierA.acc.ID},
			Recipients: []string{s.citizen1.acc.NUI.String()}, Subject: "Requerimiento de información",
			Reference: "SRI-2026-0311", Body: "Presente las facturas de junio.", Category: notification.Category("requerimiento")}, svc.Time())
		if err != nil {
			return err
		}
		if len(res.Deposited) != 1 {
			t.Fatalf("deposit: %+v", res)
		}
		s.notificationID = res.Deposited[0].NotificationID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *site) institution(name, acronym, ruc string) *store.Institution {
	s.t.Helper()
	ctx := context.Background()
	inst := &store.Institution{Name: name, Acronym: acronym, RUC: ruc, RUCKind: "public", Sector: "ejecutivo",
		Modality: "plataforma", State: "activa", DailyQuota: 1000, RequestID: store.NewID(), CreatedAt: time.Now()}
	if err := s.srv.DB().Write(ctx, func(tx *store.Tx) error { return tx.CreateInstitution(ctx, inst) }); err != nil {
		s.t.Fatal(err)
	}
	return inst
}

// account creates an active account, with two-step verification for staff.
func (s *site) account(p registry.Person, role identity.Role, inst string) *person {
	s.t.Helper()
	ctx := context.Background()
	ids := s.srv.Identity()
	_, link, err := ids.CreateUser(ctx, identity.System("test"), identity.CreateUserRequest{NUI: p.NUI.String(),
		Email: p.NUI.String() + "@correo.example", Role: role, InstitutionID: inst})
	if err != nil {
		s.t.Fatal(err)
	}
	acc, err := ids.Activate(ctx, link[strings.LastIndexByte(link, '/')+1:], testPassword, testPassword)
	if err != nil {
		s.t.Fatal(err)
	}
	out := &person{acc: acc}
	if role == identity.RoleCitizen {
		return out
	}
	pr := &identity.Principal{Account: *acc}
	setup, err := ids.BeginTOTP(ctx, pr)
	if err != nil {
		s.t.Fatal(err)
	}
	out.secret = strings.ReplaceAll(setup.Secret, " ", "")
	code, err := totp.GenerateCode(out.secret, time.Now().Add(-30*time.Second))
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := ids.ConfirmTOTP(ctx, pr, code); err != nil {
		s.t.Fatal(err)
	}
	return out
}

// browser is one signed-in person's cookie jar.
type browser struct {
	s *site
	c *http.Client
}

func (s *site) signIn(p *person) *browser {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{s: s, c: &http.Client{Jar: jar}}
	res := b.post("/ingresar", url.Values{"nui": {p.acc.NUI.String()}, "password": {testPassword}})
	if p.secret != "" {
		code, err := totp.GenerateCode(p.secret, time.Now().Add(30*time.Second))
		if err != nil {
			s.t.Fatal(err)
		}
		res = b.post("/ingresar/codigo", url.Values{"code": {code}})
	}
	if strings.HasPrefix(res.Request.URL.Path, "/ingresar") {
		s.t.Fatalf("%s could not sign in: at %s", p.acc.NUI, res.Request.URL.Path)
	}
	return b
}

func (b *browser) post(path string, form url.Values) *http.Response {
	b.s.t.Helper()
	res, err := b.c.PostForm(b.s.url+path, form)
	if err != nil {
		b.s.t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// get returns the status, headers and body of a page or file.
func (b *browser) get(path string) (int, http.Header, []byte) {
	b.s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.s.url+path, nil)
	req.Header.Set("Accept-Language", "es-EC")
	res, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.s.t.Fatal(err)
	}
	return res.StatusCode, res.Header, body
}

func (s *site) audited(action, subject string) int {
	s.t.Helper()
	rows, err := s.srv.DB().Reader().AuditEntries(context.Background(), store.AuditFilter{Action: action, SubjectNUI: subject})
	if err != nil {
		s.t.Fatal(err)
	}
	return len(rows)
}

func TestConstanciaDownloadsFollowTheNotificationsAuthorization(t *testing.T) {
	onBothEngines(t, func(t *testing.T, s *site) {
		citizen, stranger := s.signIn(s.citizen1), s.signIn(s.citizen2)
		notifier, otherNotifier, admin := s.signIn(s.notifierA), s.signIn(s.notifierB), s.signIn(s.adminA)
		mine := "/buzon/" + s.notificationID + "/constancia"
		staffA := "/institucion/" + s.instA.ID + "/notificaciones/" + s.notificationID + "/constancia"
		staffB := "/institucion/" + s.instB.ID + "/notificaciones/" + s.notificationID + "/constancia"
		missing := "/buzon/" + store.NewID() + "/constancia"

		tests := []struct {
			name string
			who  *browser
			path string
			want int
		}{
			{"recipient gets the PDF", citizen, mine + ".pdf", 200},
			{"recipient gets the JSON", citizen, mine + ".json", 200},
			{"another citizen gets a 404", stranger, mine + ".pdf", 404},
			{"another citizen gets a 404 for the JSON", stranger, mine + ".json", 404},
			{"a missing notification is a 404", citizen, missing + ".pdf", 404},
			{"a malformed id is a 404", citizen, "/buzon/nada/constancia.json", 404},
			{"the sending institution's notifier gets the PDF", notifier, staffA + ".pdf", 200},
			{"the sending institution's notifier gets the JSON", notifier, staffA + ".json", 200},
			{"the sending institution's administrator gets the PDF", admin, staffA + ".pdf", 200},
			{"the sending institution's administrator may not use another institution's path", admin, staffB + ".pdf", 404},
			{"another institution's notifier under his own institution gets a 404", otherNotifier, staffB + ".pdf", 404},
			{"another institution's notifier under the sender's path gets a 404", otherNotifier, staffA + ".json", 404},
			{"a citizen may not use the staff path", citizen, staffA + ".pdf", 403},
			{"a notifier may not use the buzón path", notifier, mine + ".pdf", 403},
		}
		pins := evidence.VerifyOptions{NoteKeys: []string{s.srv.Evidence().Keys.VerifierKey}}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, h, body := tt.who.get(tt.path)
				if status != tt.want {
					t.Fatalf("GET %s = %d, want %d", tt.path, status, tt.want)
				}
				if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Security-Policy") == "" {
					t.Errorf("security headers missing: %v", h)
				}
				if status != 200 {
					return
				}
				wantType, verify := "application/pdf", evidence.VerifyPDF
				if strings.HasSuffix(tt.path, ".json") {
					wantType, verify = "application/json", evidence.VerifyJSON
				}
				got := map[string]string{"type": h.Get("Content-Type"), "cache": h.Get("Cache-Control"),
					"disposition": strings.SplitN(h.Get("Content-Disposition"), ";", 2)[0], "csp": h.Get("Content-Security-Policy")}
				want := map[string]string{"type": wantType, "cache": "no-store", "disposition": "attachment", "csp": "default-src 'none'; sandbox"}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("headers (-want +got):\n%s", d)
				}
				rep := verify(body, pins)
				if !rep.OK() {
					t.Fatalf("the downloaded constancia does not verify: %+v", rep.Checks)
				}
				if rep.Document.Notification.ID != s.notificationID || rep.Document.Notification.Recipient.NUI != s.citizen1.acc.NUI.String() {
					t.Errorf("constancia is about %+v", rep.Document.Notification)
				}
			})
		}
		// Three staff downloads of the institution, audited; none by the others.
		if n := s.audited(notifications.ActionConstanciaDownload, s.citizen1.acc.NUI.String()); n != 3 {
			t.Errorf("%d staff constancia downloads audited, want 3", n)
		}
	})
}

func TestCitizenSeesStaffAccesses(t *testing.T) {
	onBothEngines(t, func(t *testing.T, s *site) {
		notifier := s.signIn(s.notifierA)
		if status, _, _ := notifier.get("/institucion/" + s.instA.ID + "/notificaciones/" + s.notificationID); status != 200 {
			t.Fatalf("staff page = %d", status)
		}
		if status, _, _ := notifier.get("/institucion/" + s.instA.ID + "/notificaciones/" + s.notificationID + "/constancia.pdf"); status != 200 {
			t.Fatalf("staff constancia = %d", status)
		}

		citizen := s.signIn(s.citizen1)
		status, _, body := citizen.get("/cuenta/accesos")
		if status != 200 {
			t.Fatalf("/cuenta/accesos = %d", status)
		}
		page := string(body)
		for _, want := range []string{"Quién accedió a mis datos", "Servicio de Rentas Internas", "Notificador",
			"Consultó una notificación suya", "Descargó la constancia de una notificación suya"} {
			if !strings.Contains(page, want) {
				t.Errorf("/cuenta/accesos does not say %q", want)
			}
		}
		// The other citizen sees nothing of it.
		_, _, body = s.signIn(s.citizen2).get("/cuenta/accesos")
		for _, leak := range []string{"Servicio de Rentas Internas", "notificación suya"} {
			if strings.Contains(string(body), leak) {
				t.Errorf("another citizen's access list shows %q", leak)
			}
		}
		// The account page links to it.
		if _, _, body := citizen.get("/cuenta"); !strings.Contains(string(body), `href="/cuenta/accesos"`) {
			t.Errorf("/cuenta does not link to /cuenta/accesos")
		}
	})
}

func TestAuditorEvidenceConsole(t *testing.T) {
	onBothEngines(t, func(t *testing.T, s *site) {
		if _, err := s.srv.Evidence().Integrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		auditor := s.signIn(s.auditor)
		status, _, body := auditor.get("/admin/evidencias?notificacion=" + s.notificationID)
		if status != 200 {
			t.Fatalf("console = %d", status)
		}
		page := string(body)
		for _, want := range []string{"Último punto de control firmado", "submitted", "deposited", "Verificada"} {
			if !strings.Contains(page, want) {
				t.Errorf("console does not show %q", want)
			}
		}
		if !strings.Contains(page, "Últimos eventos del registro") || !strings.Contains(page, `href="/admin/evidencias?notificacion=`+s.notificationID+`"`) {
			t.Errorf("console does not list the latest leaves with their notification")
		}
		for _, q := range []string{"%FF%FE", "nada", strings.Repeat("a", 65), "<b>x</b>"} {
			status, _, body := auditor.get("/admin/evidencias?notificacion=" + q)
			if status != 200 || !strings.Contains(string(body), "No hay eventos de esa notificación.") {
				t.Errorf("searching %q = %d", q, status)
			}
		}
		if strings.Contains(page, "NO verifica") {
			t.Errorf("an inclusion proof failed:\n%s", page)
		}
		if n := s.audited(transparency.ActionEvidenceView, s.citizen1.acc.NUI.String()); n != 1 {
			t.Errorf("%d evidence looks audited, want 1", n)
		}
		// The citizen sees that look; citizens and notifiers may not open the console.
		_, _, body = s.signIn(s.citizen1).get("/cuenta/accesos")
		if !strings.Contains(string(body), "Consultó las evidencias de una notificación suya") || !strings.Contains(string(body), "Auditor") {
			t.Errorf("the citizen does not see the auditor's look")
		}
		for _, p := range []*person{s.citizen1, s.notifierA} {
			if status, _, _ := s.signIn(p).get("/admin/evidencias"); status != http.StatusForbidden {
				t.Errorf("%s opened the console: %d", p.acc.NUI, status)
			}
		}
	})
}

func TestAccessListPagesBackwards(t *testing.T) {
	onBothEngines(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		staff := &identity.Principal{Account: *s.notifierA.acc}
		start := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
		const n = 30 // more than one page
		err := s.srv.DB().Write(ctx, func(tx *store.Tx) error {
			for i := range n {
				err := identity.RecordAudit(ctx, tx, staff, identity.RoleNotifier, identity.AuditRecord{Action: notification.ActionTrackingView,
					SubjectNUI: s.citizen1.acc.NUI.String(), InstitutionID: s.instA.ID, Detail: fmt.Sprintf("consulta-%02d", i)},
					start.Add(time.Duration(i/3)*time.Minute)) // three to a microsecond, across a page's end
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		citizen := s.signIn(s.citizen1)
		seen := map[string]int{}
		next := "/cuenta/accesos"
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("the pages never end")
			}
			status, _, body := citizen.get(next)
			if status != 200 {
				t.Fatalf("GET %s = %d", next, status)
			}
			for _, m := range regexp.MustCompile(`consulta-\d\d`).FindAllString(string(body), -1) {
				seen[m]++
			}
			next = ""
			if m := regexp.MustCompile(`href="(/cuenta/accesos\?antes=[0-9a-f.-]+)"`).FindStringSubmatch(string(body)); m != nil {
				next = m[1]
			}
		}
		want := map[string]int{}
		for i := range n {
			want[fmt.Sprintf("consulta-%02d", i)] = 1
		}
		if d := cmp.Diff(want, seen); d != "" {
			t.Errorf("accesses seen over the pages (-want +got):\n%s", d)
		}
	})
}

func TestConstanciaIsIssuedOncePerTreeState(t *testing.T) {
	onBothEngines(t, func(t *testing.T, s *site) {
		citizen := s.signIn(s.citizen1)
		base := "/buzon/" + s.notificationID
		pins := evidence.VerifyOptions{NoteKeys: []string{s.srv.Evidence().Keys.VerifierKey}}
		download := func(ext string) (*evidence.Report, []byte) {
			t.Helper()
			status, _, body := citizen.get(base + "/constancia." + ext)
			if status != 200 {
				t.Fatalf("GET constancia.%s = %d", ext, status)
			}
			verify := evidence.VerifyJSON
			if ext == "pdf" {
				verify = evidence.VerifyPDF
			}
			rep := verify(body, pins)
			if !rep.OK() {
				t.Fatalf("constancia.%s does not verify: %+v", ext, rep.Checks)
			}
			return rep, body
		}
		pdf, _ := download("pdf")
		first, firstBody := download("json")
		_, again := download("json")
		if string(again) != string(firstBody) {
			t.Errorf("two downloads with no new event differ")
		}
		if pdf.Document.IssuedAt != first.Document.IssuedAt {
			t.Errorf("the PDF (issued %s) and the JSON (issued %s) are not one issue", pdf.Document.IssuedAt, first.Document.IssuedAt)
		}
		// Opening the notification is a new event: the next constancia has it.
		if status, _, _ := citizen.get(base); status != 200 {
			t.Fatalf("open = %d", status)
		}
		later, _ := download("json")
		if got, want := len(later.Document.Events), len(first.Document.Events)+1; got != want {
			t.Errorf("after an opening the constancia has %d events, want %d", got, want)
		}
	})
}
