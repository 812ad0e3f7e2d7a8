package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"buzon/internal/api"
	"buzon/internal/apikey"
	"buzon/internal/blob"
	"buzon/internal/calendar"
	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/notification"
	"buzon/internal/nui"
	"buzon/internal/seal"
	"buzon/internal/store"
	"buzon/internal/web"
	"buzon/internal/webhook"
)

// clock is the tests' time: it moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// start is a Tuesday, 10:00 in Ecuador.
var start = time.Date(2026, time.December, 1, 10, 0, 0, 0, calendar.Zone)

// The OpenAPI document, loaded once: every response a test receives is
// validated against it.
var specDoc = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.Spec())
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	return doc, nil
})

var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := specDoc()
	if err != nil {
		return nil, err
	}
	return legacy.NewRouter(doc)
})

var evidenceKeys = sync.OnceValue(func() *evidence.Keys {
	k, err := evidence.GenerateKeys("buzon.test/evidence", start)
	if err != nil {
		panic(err)
	}
	return k
})

// env is a running API on one database: an institution in the
// interconnection modality with a live and a test key, another
// institution with its own key, and citizens with an active buzón.
type env struct {
	t      *testing.T
	ctx    context.Context
	db     *store.DB
	clock  *clock
	api    *api.API
	site   http.Handler
	notif  *notification.Service
	keys   *apikey.Service
	hooks  *webhook.Service
	runner *jobs.Runner
	log    *evidence.Log
	rnd    *rand.Rand

	inst, other *store.Institution
	admin       *identity.Principal
	live, test  string // keys of inst
	otherLive   string // a key of other
	citizens    []string
}

type envOption func(*api.Options)

func newEnv(t *testing.T, db *store.DB, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), db: db, clock: &clock{t: start}, rnd: rand.New(rand.NewPCG(7, 11))}
	kr, err := seal.NewKeyring(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	fsStore, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := mail.NewTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	e.notif = &notification.Service{DB: db, Keys: kr, Blobs: &blob.Sealed{Store: fsStore, Keyring: kr}, Mail: tpl,
		Calendars: &notification.Calendars{DB: db, Now: e.clock.Now}, Now: e.clock.Now, SiteURL: "https://buzon.example",
		MailDomain: "buzon.example", MailFrom: "Buzón <no-responder@buzon.example>", Limits: notification.Limits{MaxAttachmentSize: 64 << 10}}
	e.keys = &apikey.Service{DB: db, Now: e.clock.Now}
	e.hooks = &webhook.Service{DB: db, Keys: kr, Now: e.clock.Now, AllowPrivate: true}
	e.runner = &jobs.Runner{DB: db, Now: e.clock.Now}
	e.log = &evidence.Log{DB: db, Keys: evidenceKeys(), Origin: "buzon.test/evidence", Now: e.clock.Now}
	o := api.Options{DB: db, Keys: e.keys, Notifications: e.notif, Webhooks: e.hooks, Now: e.clock.Now,
		Limiter: &api.MemoryLimiter{Limit: 1000, Window: time.Minute}}
	for _, opt := range opts {
		opt(&o)
	}
	if e.api, err = api.New(o); err != nil {
		t.Fatal(err)
	}
	e.runner.Register(e.api.BatchJob())
	e.runner.Register(e.hooks.Job())
	e.runner.Register(jobs.Kind{Name: notification.AlertKind, Handler: func(context.Context, *store.Job) error { return nil }})
	if e.site, err = newSite(e.api); err != nil {
		t.Fatal(err)
	}
	e.inst = e.institution("Servicio de Rentas Internas", "1760013210001", 1000)
	e.other = e.institution("Agencia Nacional de Tránsito", "1768152560001", 1000)
	e.admin = e.adminOf(e.inst.ID)
	e.live = e.newKey(e.inst.ID, apikey.Live)
	e.test = e.newKey(e.inst.ID, apikey.Test)
	e.otherLive = e.newKey(e.other.ID, apikey.Live)
	for range 3 {
		e.citizens = append(e.citizens, e.citizen())
	}
	return e
}

func (e *env) write(fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.db.Write(e.ctx, fn); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) institution(name, ruc string, quota int) *store.Institution {
	e.t.Helper()
	i := &store.Institution{Name: name, Acronym: "X", RUC: ruc, RUCKind: "public", Sector: "ejecutiva", Modality: "interconexion",
		State: "activa", DailyQuota: quota, Address: "Quito", RequestID: store.NewID(), CreatedAt: e.clock.Now()}
	e.write(func(tx *store.Tx) error { return tx.CreateInstitution(e.ctx, i) })
	return i
}

func (e *env) adminOf(instID string) *identity.Principal {
	return &identity.Principal{Account: identity.Account{ID: store.NewID(), NUI: "1714307103", TOTPEnabled: true},
		Roles: []identity.Grant{{Role: identity.RoleInstitutionAdmin, InstitutionID: instID}}}
}

func (e *env) newKey(instID string, m apikey.Mode) string {
	e.t.Helper()
	secret, _, err := e.keys.Create(e.ctx, e.adminOf(instID), instID, "ERP", m)
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// citizen creates a person with an active buzón and returns the N.U.I.
func (e *env) citizen() string {
	e.t.Helper()
	n := nui.Generate(e.rnd, 1+e.rnd.IntN(24)).String()
	id := &store.Identity{NUI: n, GivenNames: "María José", Surnames: "Pérez", Email: "c" + n + "@example.test", State: "activa",
		Channel: "presencial", PasskeyHandle: []byte(store.NewID()), CreatedAt: e.clock.Now()}
	e.write(func(tx *store.Tx) error {
		if err := tx.CreateIdentity(e.ctx, id); err != nil {
			return err
		}
		return tx.GrantRole(e.ctx, &store.Role{IdentityID: id.ID, Role: "ciudadano", GrantedAt: e.clock.Now()})
	})
	return n
}

// unregistered is a valid N.U.I. without a buzón.
func (e *env) unregistered() string { return nui.Generate(e.rnd, 1+e.rnd.IntN(24)).String() }

// res is a response the test received, already checked against the
// OpenAPI document.
type res struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r *res) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r *res) problem(t *testing.T) api.Problem {
	t.Helper()
	var p api.Problem
	r.json(t, &p)
	return p
}

// req describes a request.
type req struct {
	method, path, key, idem string
	body                    any // []byte sent as is; anything else as JSON
	contentType             string
	header                  map[string]string
}

// do sends a request through the whole site (the web shell's middleware
// and router, then the API's) and validates the response against the
// OpenAPI document.
func (e *env) do(q req) *res {
	e.t.Helper()
	var body io.Reader
	ct := q.contentType
	switch b := q.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(js)
		if ct == "" {
			ct = "application/json"
		}
	}
	r := httptest.NewRequest(q.method, q.path, body)
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	if q.key != "" {
		r.Header.Set("Authorization", "Bearer "+q.key)
	}
	if q.idem != "" {
		r.Header.Set("Idempotency-Key", q.idem)
	}
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.site.ServeHTTP(w, r)
	out := &res{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
	if err := validate(r, out); err != nil {
		e.t.Errorf("%s %s: response %d does not match the OpenAPI document: %v\n%s", q.method, q.path, out.Status, err, out.Body)
	}
	return out
}

// validate checks a response against the document: the operation's
// response for a documented route, the Problem schema for anything else.
func validate(r *http.Request, out *res) error {
	doc, err := specDoc()
	if err != nil {
		return fmt.Errorf("load document: %w", err)
	}
	router, err := specRouter()
	if err != nil {
		return err
	}
	route, params, err := router.FindRoute(r)
	if err != nil {
		// An unknown path or method: the answer must still be a problem.
		if ct := out.Header.Get("Content-Type"); ct != "application/problem+json" {
			return fmt.Errorf("undocumented route answered %q, not a problem", ct)
		}
		var v any
		if err := json.Unmarshal(out.Body, &v); err != nil {
			return err
		}
		return doc.Components.Schemas["Problem"].Value.VisitJSON(v, openapi3.EnableJSONSchema2020())
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 out.Status,
		Header:                 out.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(out.Body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// post sends a JSON POST with a fresh Idempotency-Key.
func (e *env) post(path, key string, body any) *res {
	e.t.Helper()
	return e.do(req{method: "POST", path: path, key: key, idem: store.NewID(), body: body})
}

func (e *env) get(path, key string) *res {
	e.t.Helper()
	return e.do(req{method: "GET", path: path, key: key})
}

// upload sends a file as multipart/form-data.
func (e *env) upload(key, name string, content []byte) *res {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		e.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return e.do(req{method: "POST", path: "/api/v1/files", key: key, idem: store.NewID(), body: buf.Bytes(), contentType: mw.FormDataContentType()})
}

func wantStatus(t *testing.T, r *res, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d: %s", r.Status, status, r.Body)
	}
}

func wantProblem(t *testing.T, r *res, status int, code string) api.Problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d (%s): %s", r.Status, status, code, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	p := r.problem(t)
	documented := documentedCodes()
	if !documented[p.Code] {
		t.Errorf("the problem code %q is not listed in the OpenAPI document", p.Code)
	}
	for _, x := range p.Errors {
		if !documented[x.Code] {
			t.Errorf("the problem entry code %q is not listed in the OpenAPI document", x.Code)
		}
	}
	if p.Code != code {
		t.Errorf("problem code = %q, want %q: %s", p.Code, code, r.Body)
	}
	if p.Detail == "" || p.DetailEN == "" || p.Status != status {
		t.Errorf("problem without detail or with the wrong status: %+v", p)
	}
	return p
}

// pdf is a small valid-looking PDF.
var pdf = []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

// note is a valid notification request to the given recipients.
func note(recipients ...string) map[string]any {
	return map[string]any{"recipients": recipients, "subject": "Resolución de devolución de IVA",
		"body": "Estimado/a {{nombres}}:\n\nSe ha resuelto su solicitud.", "category": "resolucion", "reference": "SRI-2026-00123"}
}

// integrate appends the recorded evidence to the log, as the integrator does.
func (e *env) integrate() {
	e.t.Helper()
	if _, err := e.log.Integrate(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) runJobs() {
	e.t.Helper()
	if _, err := e.runner.RunDue(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) countJobs(kind string) int {
	e.t.Helper()
	n, err := e.db.Reader().CountJobsOfKind(e.ctx, kind)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// newSite is the whole site with the API mounted, as the server builds it.
func newSite(a *api.API) (http.Handler, error) { return web.New(web.Options{API: a}) }

// documentedCodes are the problem codes the document lists (x-problem-codes
// and x-validation-codes), which the reference page shows.
var documentedCodes = sync.OnceValue(func() map[string]bool {
	var doc struct {
		Codes      []struct{ Code string } `json:"x-problem-codes"`
		Validation []struct{ Code string } `json:"x-validation-codes"`
	}
	if err := json.Unmarshal(api.Spec(), &doc); err != nil {
		panic(err)
	}
	out := map[string]bool{}
	for _, c := range doc.Codes {
		out[c.Code] = true
	}
	for _, c := range doc.Validation {
		out[c.Code] = true
	}
	return out
})
