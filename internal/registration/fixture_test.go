package registration_test

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

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
)

// The people of the test registry, on 2 March 2026.
const (
	mariaNUI     = "1714307103" // 35, valid: the applicant
	luisNUI      = "1700000001" // 46, valid: another applicant
	operatorNUI  = "0962467429" // the DIGERCIC operator
	minorNUI     = "0100000009"
	deceasedNUI  = "3000000004"
	unknownNUI   = "1100000007" // valid number, not in the registry
	mariaEmail   = "maria.guaman@example.com"
	luisEmail    = "luis.paredes@example.com"
	goodPassword = "caballo correcto batería grapa"
)

var start = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func testRegistry() *registry.Memory {
	p := func(id, given, surnames string, birth time.Time, st registry.Status) registry.Person {
		n, err := nui.Parse(id)
		if err != nil {
			panic(err)
		}
		return registry.Person{NUI: n, GivenNames: given, Surnames: surnames, BirthDate: birth, Nationality: "ECUATORIANA", Status: st}
	}
	return registry.NewMemory([]registry.Person{
		p(mariaNUI, "María José", "Guamán Ortiz", day(1990, 5, 17), registry.StatusValid),
		p(luisNUI, "Luis Alberto", "Paredes Mora", day(1980, 1, 10), registry.StatusValid),
		p(operatorNUI, "Carmen Elena", "Vásquez Ruiz", day(1975, 7, 1), registry.StatusValid),
		p(minorNUI, "Ana", "Quishpe", day(2010, 1, 1), registry.StatusValid),
		p(deceasedNUI, "Pedro", "Salazar", day(1960, 1, 1), registry.StatusDeceased),
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

var cheap = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// env is one test's world: database, identity, the registration service, a
// trusted CA with its CRL/OCSP responder, and the clock they all share.
type env struct {
	t      *testing.T
	ctx    context.Context
	db     *store.DB
	clock  *clock
	ids    *identity.Service
	svc    *registration.Service
	ca     *esigntest.CA
	resp   *esigntest.Responder
	client identity.Client
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), db: db, clock: &clock{t: start}, client: identity.Client{Address: "192.0.2.7"}}
	keys, err := seal.NewKeyring(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	e.ids, err = identity.New(identity.Config{DB: db, Registry: testRegistry(), Keys: keys, BaseURL: "http://localhost:8080",
		Now: e.clock.Now, PasswordParams: cheap})
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
	e.ca = esigntest.NewCA(t, "Entidad de Certificación de Prueba", start)
	e.resp = e.ca.NewResponder(t)
	roots := x509.NewCertPool()
	roots.AddCert(e.ca.Root)
	v := &esign.Verifier{Roots: roots, Now: e.clock.Now, Revocation: esign.RevocationRequired}
	e.svc, err = registration.New(registration.Config{DB: db, Identity: e.ids, Verifier: v,
		Documents: &blob.Sealed{Store: fs, Keyring: keys}, Keys: keys, Mail: tpl, MailFrom: "Buzón <no-responder@buzon.test>",
		Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// signer issues a certificate of the trusted CA for a cédula, with the
// responder's CRL and OCSP addresses.
func (e *env) signer(cedula string, profile esigntest.Profile) *esigntest.Signer {
	return e.ca.Issue(e.t, esigntest.SignerOptions{Profile: profile, Cedula: cedula, CRLURL: e.resp.CRLURL, OCSPURL: e.resp.OCSPURL})
}

// start begins an application and returns its reference.
func (e *env) start(id, email string) registration.Ref {
	e.t.Helper()
	ref, err := e.svc.Start(e.ctx, registration.StartRequest{NUI: id, Email: email, Lang: "es", Client: e.client})
	if err != nil {
		e.t.Fatalf("start %s: %v", id, err)
	}
	return ref
}

// issued starts an application, confirms the email with the code sent and
// returns the reference and the issued document.
func (e *env) issued(id, email string) (registration.Ref, []byte) {
	e.t.Helper()
	ref := e.start(id, email)
	if err := e.svc.ConfirmEmail(e.ctx, ref, registrationtest.LastCode(e.t, e.db, email)); err != nil {
		e.t.Fatalf("confirm %s: %v", email, err)
	}
	return ref, e.document(ref)
}

// document downloads the issued document.
func (e *env) document(ref registration.Ref) []byte {
	e.t.Helper()
	_, rc, err := e.svc.IssuedDocument(e.ctx, ref)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// state returns the stored state of an application.
func (e *env) state(ref registration.Ref) registration.State {
	e.t.Helper()
	a, err := e.svc.Application(e.ctx, ref)
	if err != nil {
		e.t.Fatal(err)
	}
	return a.State
}

// noAccount fails the test if the N.U.I. has an identity.
func (e *env) noAccount(id string) {
	e.t.Helper()
	if _, err := e.db.Reader().IdentityByNUI(e.ctx, id); !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf("an identity exists for %s (err %v)", id, err)
	}
}

// operator creates an active DIGERCIC operator and returns his principal.
func (e *env) operator() *identity.Principal {
	e.t.Helper()
	acc, link, err := e.ids.CreateUser(e.ctx, identity.System("test"), identity.CreateUserRequest{NUI: operatorNUI,
		Email: "carmen@registrocivil.test", Role: identity.RoleDIGERCIC})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.ids.Activate(e.ctx, link[len(link)-43:], goodPassword, goodPassword); err != nil {
		e.t.Fatal(err)
	}
	acc.TOTPEnabled = true // as after setting up two-step verification
	return &identity.Principal{Account: *acc, Roles: []identity.Grant{{Role: identity.RoleDIGERCIC}}, Client: e.client}
}
