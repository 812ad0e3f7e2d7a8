package identity_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"buzon/internal/identity"
	"buzon/internal/mail"
	"buzon/internal/nui"
	"buzon/internal/registry"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// The people of the test registry, on 2 March 2026.
const (
	adultNUI     = "1714307103" // 35, valid
	operatorNUI  = "1700000001" // 45, valid: the DIGERCIC operator
	adminNUI     = "0962467429" // 50, valid: the platform administrator
	deceasedNUI  = "3000000004"
	minorNUI     = "0100000009"
	oldNUI       = "2400000002"
	cancelledNUI = "0200000008"
	unknownNUI   = "1100000007" // valid number, not in the registry
)

var start = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func testRegistry() *registry.Memory {
	p := func(id string, given, surnames string, birth time.Time, st registry.Status) registry.Person {
		return registry.Person{NUI: nuiOf(id), GivenNames: given, Surnames: surnames, BirthDate: birth, Nationality: "ECUATORIANA", Status: st}
	}
	return registry.NewMemory([]registry.Person{
		p(adultNUI, "María José", "Guamán Ortiz", day(1990, 5, 17), registry.StatusValid),
		p(operatorNUI, "Luis Alberto", "Paredes Mora", day(1980, 1, 10), registry.StatusValid),
		p(adminNUI, "Carmen Elena", "Vásquez Ruiz", day(1975, 7, 1), registry.StatusValid),
		p(deceasedNUI, "Pedro", "Salazar", day(1960, 1, 1), registry.StatusDeceased),
		p(minorNUI, "Ana", "Quishpe", day(2010, 1, 1), registry.StatusValid),
		p(oldNUI, "Jorge", "Andrade", day(1950, 1, 1), registry.StatusValid),
		p(cancelledNUI, "Rosa", "Tapia", day(1985, 1, 1), registry.StatusCancelled),
	})
}

// clock is the tests' time: it moves only when told.
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
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sentMail is an account email the service rendered.
type sentMail struct {
	Kind identity.MailKind
	To   string
	Data identity.MailData
}

// recorder captures rendered account emails (rendering happens inside the
// transaction, so a rolled-back one is captured too: tests check the jobs
// table for what was really queued).
type recorder struct {
	mu   sync.Mutex
	sent []sentMail
}

func (r *recorder) AccountMail(kind identity.MailKind, to string, d identity.MailData) (*mail.Message, error) {
	r.mu.Lock()
	r.sent = append(r.sent, sentMail{kind, to, d})
	r.mu.Unlock()
	return &mail.Message{To: to, Subject: string(kind), Text: d.Link + " " + d.NewEmail}, nil
}

func (r *recorder) last(t *testing.T, kind identity.MailKind) sentMail {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.sent) - 1; i >= 0; i-- {
		if r.sent[i].Kind == kind {
			return r.sent[i]
		}
	}
	t.Fatalf("no %s email was rendered", kind)
	return sentMail{}
}

func (r *recorder) count(kind identity.MailKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.sent {
		if m.Kind == kind {
			n++
		}
	}
	return n
}

// tokenOf extracts the token from an emailed link.
func tokenOf(link string) string { return link[strings.LastIndexByte(link, '/')+1:] }

type env struct {
	t     *testing.T
	db    *store.DB
	svc   *identity.Service
	clock *clock
	mails *recorder
	reg   *registry.Memory
	ctx   context.Context
	// operator and admin are signed-in staff principals (TOTP on).
	operator, admin *identity.Principal
}

var cheap = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

const goodPassword = "caballo correcto batería grapa"

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	keys, err := seal.NewKeyring(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, clock: &clock{t: start}, mails: &recorder{}, reg: testRegistry(), ctx: context.Background()}
	e.svc, err = identity.New(identity.Config{DB: db, Registry: e.reg, Keys: keys, BaseURL: "http://localhost:8080",
		Mailer: e.mails, Now: e.clock.Now, PasswordParams: cheap})
	if err != nil {
		t.Fatal(err)
	}
	e.operator = e.staff(operatorNUI, "luis@registrocivil.test", identity.RoleDIGERCIC)
	e.admin = e.staff(adminNUI, "carmen@mintel.test", identity.RolePlatformAdmin)
	return e
}

// staff creates an active staff member with TOTP on and returns his
// signed-in principal.
func (e *env) staff(id, email string, role identity.Role) *identity.Principal {
	e.t.Helper()
	_, link, err := e.svc.CreateUser(e.ctx, identity.System("test"), identity.CreateUserRequest{NUI: id, Email: email, Role: role})
	if err != nil {
		e.t.Fatalf("create %s: %v", role, err)
	}
	if _, err := e.svc.Activate(e.ctx, tokenOf(link), goodPassword, goodPassword); err != nil {
		e.t.Fatalf("activate %s: %v", role, err)
	}
	p := e.signIn(id, goodPassword)
	setup, err := e.svc.BeginTOTP(e.ctx, p)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.ConfirmTOTP(e.ctx, p, e.code(setup.URI)); err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(31 * time.Second) // the next code is a new one
	p, err = e.svc.Authenticate(e.ctx, "session-"+id, identity.Client{Address: "192.0.2.10"})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// signIn checks the password and starts a session whose token is
// "session-"+nui, without a second factor.
func (e *env) signIn(id, password string) *identity.Principal {
	e.t.Helper()
	step, err := e.svc.CheckPassword(e.ctx, id, password, identity.Client{Address: "192.0.2.10"})
	if err != nil {
		e.t.Fatalf("sign in %s: %v", id, err)
	}
	p, err := e.svc.StartSession(e.ctx, step.Account.ID, "session-"+id, identity.MethodPassword, identity.Client{Address: "192.0.2.10", UserAgent: "Firefox"})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// code computes the current TOTP code of an otpauth URI.
func (e *env) code(uri string) string {
	e.t.Helper()
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		e.t.Fatal(err)
	}
	c, err := totp.GenerateCode(key.Secret(), e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// register registers adultNUI in person and activates the account.
func (e *env) registerCitizen() *identity.Account {
	e.t.Helper()
	acc, err := e.svc.RegisterInPerson(e.ctx, e.operator, adultNUI, "maria@example.test")
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.Activate(e.ctx, tokenOf(e.mails.last(e.t, identity.MailActivation).Data.Link), goodPassword, goodPassword); err != nil {
		e.t.Fatal(err)
	}
	return acc
}

// counts reports how many identities, queued jobs and audit entries exist,
// to prove that a refusal wrote nothing.
func (e *env) counts() [3]int {
	e.t.Helper()
	r := e.db.Reader()
	ids, err := r.ListIdentities(e.ctx, store.IdentityFilter{Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	jobs, err := r.JobCounts(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	total := 0
	for _, n := range jobs {
		total += n
	}
	audit, err := r.AuditEntries(e.ctx, store.AuditFilter{Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	return [3]int{len(ids), total, len(audit)}
}

func nuiOf(s string) nui.NUI {
	n, err := nui.Parse(s)
	if err != nil {
		panic(s + ": " + err.Error())
	}
	return n
}

func mustKeys(t *testing.T) *seal.Keyring {
	k, err := seal.NewKeyring(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func registryPerson(id, given, surnames string, birth time.Time) registry.Person {
	return registry.Person{NUI: nuiOf(id), GivenNames: given, Surnames: surnames, BirthDate: birth, Nationality: "ECUATORIANA", Status: registry.StatusValid}
}
