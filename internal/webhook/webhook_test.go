package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/jobs"
	"buzon/internal/nui"
	"buzon/internal/seal"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
	"buzon/internal/webhook"
)

var t0 = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// verifyStandardWebhook checks a request the way a receiver following the
// Standard Webhooks specification does, written from the specification
// alone (not from the sending code): the secret is base64 after "whsec_";
// the signed content is "<webhook-id>.<webhook-timestamp>.<body>"; the
// signature header holds space-separated "v1,<base64 HMAC-SHA256>" entries,
// any of which may match; timestamps more than five minutes away from now
// are refused, against replays.
func verifyStandardWebhook(secret string, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("missing required headers")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("invalid timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp outside tolerance")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return errors.New("invalid secret")
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.%s", id, ts, body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no matching signature")
}

// The published test vector of the Standard Webhooks specification.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignatureMatchesTheSpecificationVector(t *testing.T) {
	ts := time.Unix(vectorTimestamp, 0)
	key, err := webhook.SecretKey(vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := webhook.Sign(key, vectorID, ts, []byte(vectorBody)); got != vectorSignature {
		t.Errorf("Sign = %q, want %q", got, vectorSignature)
	}
	// The independent verifier agrees with the vector too, and refuses changes.
	h := http.Header{}
	h.Set("webhook-id", vectorID)
	h.Set("webhook-timestamp", strconv.Itoa(vectorTimestamp))
	h.Set("webhook-signature", "v1,bm9wZQ== "+vectorSignature)
	if err := verifyStandardWebhook(vectorSecret, h, []byte(vectorBody), ts.Add(time.Minute)); err != nil {
		t.Errorf("the verifier refuses the specification's vector: %v", err)
	}
	for name, tamper := range map[string]func(h http.Header) []byte{
		"body":      func(http.Header) []byte { return []byte(`{"test": 2432232315}`) },
		"id":        func(h http.Header) []byte { h.Set("webhook-id", "msg_other"); return []byte(vectorBody) },
		"timestamp": func(h http.Header) []byte { h.Set("webhook-timestamp", "1614265331"); return []byte(vectorBody) },
	} {
		h2 := h.Clone()
		if err := verifyStandardWebhook(vectorSecret, h2, tamper(h2), ts); err == nil {
			t.Errorf("a tampered %s verified", name)
		}
	}
	if err := verifyStandardWebhook(vectorSecret, h, []byte(vectorBody), ts.Add(10*time.Minute)); err == nil {
		t.Error("an old timestamp verified")
	}
	// Fresh secrets have the specification's form.
	s := webhook.NewSecret()
	if k, err := webhook.SecretKey(s); err != nil || len(k) != 32 || !strings.HasPrefix(s, "whsec_") {
		t.Errorf("NewSecret() = %q: %v", s, err)
	}
	for _, bad := range []string{"whsec_", "whsec_!!!", "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 8))} {
		if _, err := webhook.SecretKey(bad); !errors.Is(err, webhook.ErrSecret) {
			t.Errorf("SecretKey(%q) = %v, want ErrSecret", bad, err)
		}
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url     string
		private bool
		want    string
		err     error
	}{
		{"https://sri.gob.ec/buzon/eventos", false, "https://sri.gob.ec/buzon/eventos", nil},
		{"  https://sri.gob.ec:8443/x?a=1  ", false, "https://sri.gob.ec:8443/x?a=1", nil},
		{"http://sri.gob.ec/x", false, "", webhook.ErrURLInvalid},
		{"http://sri.gob.ec/x", true, "http://sri.gob.ec/x", nil},
		{"ftp://sri.gob.ec/x", true, "", webhook.ErrURLInvalid},
		{"https://user:pw@sri.gob.ec/x", false, "", webhook.ErrURLInvalid},
		{"https://sri.gob.ec/x#f", false, "", webhook.ErrURLInvalid},
		{"https:///x", false, "", webhook.ErrURLInvalid},
		{"sri.gob.ec/x", false, "", webhook.ErrURLInvalid},
		{"https://sri.gob.ec/a b", false, "", webhook.ErrURLInvalid},
		{"https://" + strings.Repeat("a", 2000) + ".ec", false, "", webhook.ErrURLInvalid},
		{"https://127.0.0.1/x", false, "", webhook.ErrURLPrivate},
		{"https://[::1]/x", false, "", webhook.ErrURLPrivate},
		{"https://10.1.2.3/x", false, "", webhook.ErrURLPrivate},
		{"https://192.168.1.1/x", false, "", webhook.ErrURLPrivate},
		{"https://169.254.169.254/latest/meta-data", false, "", webhook.ErrURLPrivate},
		{"https://100.64.0.1/x", false, "", webhook.ErrURLPrivate},
		{"https://[::ffff:10.0.0.1]/x", false, "", webhook.ErrURLPrivate},
		{"https://[fd00::1]/x", false, "", webhook.ErrURLPrivate},
		{"https://localhost/x", false, "", webhook.ErrURLPrivate},
		{"https://api.localhost/x", false, "", webhook.ErrURLPrivate},
		{"https://intranet/x", false, "", webhook.ErrURLPrivate},
		{"https://erp.corp.internal/x", false, "", webhook.ErrURLPrivate},
		{"https://8.8.8.8/x", false, "https://8.8.8.8/x", nil},
		{"http://127.0.0.1:8080/x", true, "http://127.0.0.1:8080/x", nil},
	}
	for _, tt := range tests {
		got, err := webhook.CheckURL(tt.url, tt.private)
		if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("CheckURL(%q, %v) = %q, %v; want %q, %v", tt.url, tt.private, got, err, tt.want, tt.err)
		}
	}
}

func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://sri.gob.ec/x", "https://127.0.0.1/", "http://[::1]:80/", "https://a@b/", "https://10.0.0.1.nip.io/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := webhook.CheckURL(raw, false)
		if err != nil {
			return
		}
		if !strings.HasPrefix(u, "https://") {
			t.Fatalf("CheckURL(%q) accepted %q", raw, u)
		}
		again, err := webhook.CheckURL(u, false)
		if err != nil || again != u {
			t.Fatalf("CheckURL is not stable on %q: %q, %v", u, again, err)
		}
	})
}

func TestBackoffSpansADay(t *testing.T) {
	if w := webhook.RetryWindow(); w < 23*time.Hour || w > 25*time.Hour {
		t.Errorf("retry window = %v, want about 24 hours", w)
	}
	if webhook.Backoff(1) != 5*time.Second || webhook.Backoff(100) != webhook.Backoff(webhook.MaxAttempts-1) {
		t.Errorf("backoff(1) = %v, backoff(100) = %v", webhook.Backoff(1), webhook.Backoff(100))
	}
}

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

var evidenceKeys = sync.OnceValue(func() *evidence.Keys {
	k, err := evidence.GenerateKeys("buzon.test/evidence", t0)
	if err != nil {
		panic(err)
	}
	return k
})

// receiver is an institution's system: it records what arrives and answers
// with the statuses it is told, then 204.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []received
	srv      *httptest.Server
}

type received struct {
	header http.Header
	body   []byte
	at     time.Time // on the test's clock
}

func newReceiver(t *testing.T, now func() time.Time, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Header.Clone(), body, now()})
		status := http.StatusNoContent
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

type fixture struct {
	db     *store.DB
	clock  *clock
	svc    *webhook.Service
	runner *jobs.Runner
	log    *evidence.Log
	inst   *store.Institution
	admin  *identity.Principal
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: t0}
	keys, err := seal.NewKeyring(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, clock: c,
		svc:    &webhook.Service{DB: db, Keys: keys, Now: c.Now, AllowPrivate: true, ConsoleURL: "https://buzon.test/institucion/webhooks"},
		runner: &jobs.Runner{DB: db, Now: c.Now},
		log:    &evidence.Log{DB: db, Keys: evidenceKeys(), Origin: "buzon.test/evidence", Now: c.Now},
	}
	f.runner.Register(f.svc.Job())
	f.inst = institution(t, db, "1760000110001")
	adminID := &store.Identity{NUI: "1714307103", GivenNames: "Carmen", Surnames: "Vásquez", Email: "carmen@sri.gob.ec",
		State: "activa", Channel: "presencial", PasskeyHandle: []byte(store.NewID()), CreatedAt: t0}
	err = db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateIdentity(ctx, adminID); err != nil {
			return err
		}
		return tx.GrantRole(ctx, &store.Role{IdentityID: adminID.ID, Role: "admin_institucional", InstitutionID: f.inst.ID, GrantedAt: t0})
	})
	if err != nil {
		t.Fatal(err)
	}
	f.admin = &identity.Principal{Account: identity.Account{ID: adminID.ID, NUI: "1714307103", TOTPEnabled: true},
		Roles: []identity.Grant{{Role: identity.RoleInstitutionAdmin, InstitutionID: f.inst.ID}}}
	return f
}

func institution(t *testing.T, db *store.DB, ruc string) *store.Institution {
	t.Helper()
	inst := &store.Institution{Name: "Servicio de Rentas " + ruc, Acronym: "SR", RUC: ruc, RUCKind: "public", Sector: "ejecutiva",
		Modality: "interconexion", State: "activa", DailyQuota: 100, Address: "Quito", RequestID: store.NewID(), CreatedAt: t0}
	if err := db.Write(context.Background(), func(tx *store.Tx) error { return tx.CreateInstitution(context.Background(), inst) }); err != nil {
		t.Fatal(err)
	}
	return inst
}

// event records an evidence event of the institution and integrates it.
func (f *fixture) event(t *testing.T, instID string, typ evidence.Type, details map[string]string) string {
	t.Helper()
	ctx := context.Background()
	var id string
	err := f.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = evidence.Record(ctx, tx, evidence.Event{Type: typ, Time: f.clock.Now(), Actor: evidence.System,
			NotificationID: store.NewID(), InstitutionID: instID, RecipientNUI: nui.NUI("1714307103"), Details: details})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) run(t *testing.T) {
	t.Helper()
	if _, err := f.svc.Dispatch(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.runner.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestDeliveriesAreSignedAndRetriedUntilTheReceiverRecovers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rcv := newReceiver(t, f.clock.Now, 500, 503) // down twice, then up
		ep, secret, err := f.svc.Create(ctx, webhook.Actor{Principal: f.admin}, f.inst.ID,
			webhook.Input{URL: rcv.srv.URL + "/eventos", Description: "ERP", EventTypes: []webhook.EventType{webhook.Opened}})
		if err != nil {
			t.Fatal(err)
		}
		other := institution(t, db, "1760000120001")
		f.clock.Advance(time.Second)
		f.event(t, f.inst.ID, evidence.Deposited, nil) // not subscribed
		f.event(t, other.ID, evidence.Opened, nil)     // another institution's
		f.event(t, f.inst.ID, evidence.Submitted, nil) // never published
		id := f.event(t, f.inst.ID, evidence.Opened, map[string]string{"first": "true"})
		f.run(t)
		// Each failure waits its backoff; the job is not due before.
		for i, wait := range []time.Duration{webhook.Backoff(1), webhook.Backoff(2)} {
			f.clock.Advance(wait - time.Second)
			f.run(t)
			if n := len(rcv.requests()); n != i+1 {
				t.Fatalf("requests before the backoff ran out = %d, want %d", n, i+1)
			}
			f.clock.Advance(time.Second)
			f.run(t)
		}
		got := rcv.requests()
		if len(got) != 3 {
			t.Fatalf("requests = %d, want 3 (two failures, one success)", len(got))
		}
		var firstTS string
		for i, r := range got {
			if err := verifyStandardWebhook(secret, r.header, r.body, r.at); err != nil {
				t.Errorf("attempt %d: signature: %v", i+1, err)
			}
			if r.header.Get("webhook-id") != id {
				t.Errorf("attempt %d: webhook-id = %q, want the event id %q on every attempt", i+1, r.header.Get("webhook-id"), id)
			}
			if i == 0 {
				firstTS = r.header.Get("webhook-timestamp")
			} else if r.header.Get("webhook-timestamp") == firstTS {
				t.Errorf("attempt %d reused the first attempt's timestamp", i+1)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
		}
		var msg webhook.Message
		if err := json.Unmarshal(got[2].body, &msg); err != nil {
			t.Fatal(err)
		}
		if msg.Type != webhook.Opened || msg.Data.ID != id || msg.Data.Recipient != "1714307103" || msg.Data.Details["first"] != "true" {
			t.Errorf("message = %+v", msg)
		}
		log, err := f.svc.Deliveries(ctx, webhook.Actor{Principal: f.admin}, f.inst.ID, ep.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || log[0].State != webhook.DeliveryDelivered || len(log[0].Attempts) != 3 {
			t.Fatalf("delivery log = %+v", log)
		}
		var statuses []int
		for _, a := range log[0].Attempts {
			statuses = append(statuses, a.Status)
		}
		if diff := cmp.Diff([]int{500, 503, 204}, statuses); diff != "" {
			t.Errorf("attempt statuses (-want +got):\n%s", diff)
		}
		// Dispatching again queues nothing new.
		f.run(t)
		if len(rcv.requests()) != 3 {
			t.Error("an event was delivered twice")
		}
		eps, _ := f.svc.List(ctx, webhook.Actor{KeyPrefix: "bzn_live_x"}, f.inst.ID)
		if len(eps) != 1 || !eps[0].FailingSince.IsZero() || eps[0].State != webhook.StateActive {
			t.Errorf("endpoint after recovering = %+v", eps)
		}
	})
}

func TestAnEndpointFailingForADayIsDisabledAndTheAdministratorTold(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		statuses := make([]int, 100)
		for i := range statuses {
			statuses[i] = http.StatusServiceUnavailable
		}
		rcv := newReceiver(t, f.clock.Now, statuses...)
		ep, _, err := f.svc.Create(ctx, webhook.Actor{KeyPrefix: "bzn_live_abcd1234"}, f.inst.ID, webhook.Input{URL: rcv.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		f.event(t, f.inst.ID, evidence.Deposited, nil)
		f.run(t)
		for i := 1; i < webhook.MaxAttempts; i++ {
			f.clock.Advance(webhook.Backoff(i))
			f.run(t)
		}
		if n := len(rcv.requests()); n != webhook.MaxAttempts {
			t.Fatalf("attempts = %d, want %d", n, webhook.MaxAttempts)
		}
		got, err := f.svc.Get(ctx, webhook.Actor{Principal: f.admin}, f.inst.ID, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != webhook.StateDisabled || got.StateReason == "" {
			t.Errorf("endpoint after a day of failures = %+v", got)
		}
		mails := queuedMails(t, db)
		if len(mails) != 1 || !strings.Contains(mails[0], "carmen@sri.gob.ec") || !strings.Contains(mails[0], "Webhook desactivado") {
			t.Errorf("mails queued = %v", mails)
		}
		// Nothing more is sent to a disabled endpoint, but a test event is.
		f.event(t, f.inst.ID, evidence.Opened, nil)
		f.clock.Advance(time.Hour)
		f.run(t)
		if n := len(rcv.requests()); n != webhook.MaxAttempts {
			t.Errorf("requests to a disabled endpoint: %d", n-webhook.MaxAttempts)
		}
		if _, err := f.svc.SendTest(ctx, webhook.Actor{Principal: f.admin}, f.inst.ID, ep.ID); err != nil {
			t.Fatal(err)
		}
		f.run(t)
		reqs := rcv.requests()
		var msg webhook.Message
		if err := json.Unmarshal(reqs[len(reqs)-1].body, &msg); err != nil || msg.Type != webhook.Test {
			t.Errorf("the test event did not arrive: %+v, %v", msg, err)
		}
		// Enabled again, new events flow.
		if err := f.svc.Enable(ctx, webhook.Actor{Principal: f.admin}, f.inst.ID, ep.ID); err != nil {
			t.Fatal(err)
		}
		f.event(t, f.inst.ID, evidence.DeadlineReached, nil)
		before := len(rcv.requests())
		f.run(t)
		if len(rcv.requests()) != before+1 {
			t.Error("no delivery after enabling the endpoint again")
		}
	})
}

func queuedMails(t *testing.T, db *store.DB) []string {
	t.Helper()
	jobs, err := db.Reader().JobsByKind(context.Background(), "mail", 10)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, j := range jobs {
		out = append(out, string(j.Payload))
	}
	return out
}

func TestPrivateAddressesAreRefusedWhenConnecting(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rcv := newReceiver(t, f.clock.Now)
		ep, _, err := f.svc.Create(ctx, webhook.Actor{Principal: f.admin}, f.inst.ID, webhook.Input{URL: rcv.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		// Production settings: a name that resolves inside the network is refused at dial time.
		f.svc.AllowPrivate = false
		f.svc.HTTP = webhook.NewHTTPClient(false)
		if _, _, err := f.svc.Create(ctx, webhook.Actor{Principal: f.admin}, f.inst.ID, webhook.Input{URL: rcv.srv.URL}); !errors.Is(err, webhook.ErrURLInvalid) {
			t.Errorf("http:// loopback URL in production = %v, want ErrURLInvalid", err)
		}
		if _, err := f.svc.SendTest(ctx, webhook.Actor{Principal: f.admin}, f.inst.ID, ep.ID); err != nil {
			t.Fatal(err)
		}
		f.run(t)
		if n := len(rcv.requests()); n != 0 {
			t.Fatalf("the loopback receiver got %d requests", n)
		}
		log, err := f.svc.Deliveries(ctx, webhook.Actor{Principal: f.admin}, f.inst.ID, ep.ID, 10)
		if err != nil || len(log) != 1 || len(log[0].Attempts) != 1 || !strings.Contains(log[0].Attempts[0].Error, "private") {
			t.Errorf("delivery log = %+v, %v", log, err)
		}
	})
}

func TestEndpointsBelongToTheirInstitution(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		other := institution(t, db, "1760000130001")
		ep, _, err := f.svc.Create(ctx, webhook.Actor{Principal: f.admin}, f.inst.ID, webhook.Input{URL: "https://erp.sri.gob.ec/x"})
		if err != nil {
			t.Fatal(err)
		}
		api := webhook.Actor{KeyPrefix: "bzn_live_zzzz9999"}
		if _, err := f.svc.Get(ctx, api, other.ID, ep.ID); !errors.Is(err, webhook.ErrNotFound) {
			t.Errorf("another institution reads the endpoint: %v", err)
		}
		if err := f.svc.Delete(ctx, api, other.ID, ep.ID); !errors.Is(err, webhook.ErrNotFound) {
			t.Errorf("another institution deletes the endpoint: %v", err)
		}
		if _, err := f.svc.SendTest(ctx, api, other.ID, ep.ID); !errors.Is(err, webhook.ErrNotFound) {
			t.Errorf("another institution tests the endpoint: %v", err)
		}
		if _, err := f.svc.List(ctx, webhook.Actor{Principal: f.admin}, other.ID); !errors.Is(err, webhook.ErrForbidden) {
			t.Errorf("an administrator lists another institution's endpoints: %v", err)
		}
		bad := []struct {
			in   webhook.Input
			want error
		}{
			{webhook.Input{URL: "https://erp.sri.gob.ec/x", EventTypes: []webhook.EventType{"notification.lost"}}, webhook.ErrEventTypeUnknown},
			{webhook.Input{URL: "https://erp.sri.gob.ec/x", Description: strings.Repeat("d", 201)}, webhook.ErrDescriptionTooLong},
			{webhook.Input{URL: "mailto:x@sri.gob.ec"}, webhook.ErrURLInvalid},
		}
		for _, b := range bad {
			if _, _, err := f.svc.Create(ctx, api, f.inst.ID, b.in); !errors.Is(err, b.want) {
				t.Errorf("Create(%+v) = %v, want %v", b.in, err, b.want)
			}
		}
		if err := f.svc.Delete(ctx, api, f.inst.ID, ep.ID); err != nil {
			t.Fatal(err)
		}
		if eps, _ := f.svc.List(ctx, api, f.inst.ID); len(eps) != 0 {
			t.Errorf("deleted endpoint still listed: %+v", eps)
		}
		entries, err := db.Reader().AuditEntries(ctx, store.AuditFilter{InstitutionID: f.inst.ID})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action+" "+e.ActorRole)
		}
		if diff := cmp.Diff([]string{"webhook.eliminar sistema", "webhook.crear admin_institucional"}, actions); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
}
