package notification

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"buzon/internal/blob"
	"buzon/internal/calendar"
	"buzon/internal/identity"
	"buzon/internal/mail"
	"buzon/internal/nui"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// clock is the controlled time of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// at returns 10:00 in Ecuador on a date.
func at(y int, m time.Month, d, hour int) time.Time {
	return time.Date(y, m, d, hour, 0, 0, 0, calendar.Zone)
}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	svc   *Service
	clock *clock
	// inst and other are two active institutions; notifier and otherNotifier send for each.
	inst, other             *store.Institution
	notifier, otherNotifier *identity.Principal
	admin                   *identity.Principal // MINTEL
	rnd                     *rand.Rand
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	key := bytes.Repeat([]byte{7}, seal.KeySize)
	kr, err := seal.NewKeyring(key)
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
	c := &clock{t: at(2026, time.December, 1, 10)} // a Tuesday
	f := &fixture{t: t, ctx: context.Background(), db: db, clock: c, rnd: rand.New(rand.NewPCG(1, 2))}
	f.svc = &Service{DB: db, Keys: kr, Blobs: &blob.Sealed{Store: fsStore, Keyring: kr}, Mail: tpl,
		Calendars: &Calendars{DB: db, Now: c.Now}, Now: c.Now, SiteURL: "https://buzon.example", MailDomain: "buzon.example",
		MailFrom: "Buzón <no-reply@buzon.example>"}
	f.inst = f.institution("Servicio de Rentas Internas", "SRI", 100000)
	f.other = f.institution("Agencia Nacional de Tránsito", "ANT", 100000)
	f.notifier = f.staff(identity.RoleNotifier, f.inst.ID)
	f.otherNotifier = f.staff(identity.RoleNotifier, f.other.ID)
	f.admin = f.staff(identity.RolePlatformAdmin, "")
	return f
}

var rucSeq = 0

func (f *fixture) institution(name, acronym string, quota int) *store.Institution {
	f.t.Helper()
	rucSeq++
	i := &store.Institution{Name: name, Acronym: acronym, RUC: fmt.Sprintf("1760%09d", rucSeq), RUCKind: "public",
		Sector: "ejecutivo", Modality: "plataforma", State: "activa", DailyQuota: quota, Address: "Av. Amazonas N1-1, Quito",
		Phone: "02 000 0000", Email: "info@" + acronym + ".example", Website: "https://" + acronym + ".example",
		RequestID: store.NewID(), CreatedAt: f.clock.Now()}
	f.write(func(tx *store.Tx) error { return tx.CreateInstitution(f.ctx, i) })
	return i
}

func (f *fixture) write(fn func(tx *store.Tx) error) {
	f.t.Helper()
	if err := f.db.Write(f.ctx, fn); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) newNUI() nui.NUI { return nui.Generate(f.rnd, 1+f.rnd.IntN(24)) }

// person creates an identity with the given state and roles and returns
// the principal of his session.
func (f *fixture) person(state string, grants ...identity.Grant) *identity.Principal {
	f.t.Helper()
	id := &store.Identity{NUI: f.newNUI().String(), GivenNames: "María José", Surnames: "Pérez Andrade",
		Email: "persona" + store.NewID()[24:] + "@example.test", State: state, Channel: "presencial",
		PasskeyHandle: []byte(store.NewID()), CreatedAt: f.clock.Now()}
	f.write(func(tx *store.Tx) error {
		if err := tx.CreateIdentity(f.ctx, id); err != nil {
			return err
		}
		for _, g := range grants {
			if err := tx.GrantRole(f.ctx, &store.Role{IdentityID: id.ID, Role: string(g.Role), InstitutionID: g.InstitutionID, GrantedAt: f.clock.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	return &identity.Principal{Account: identity.Account{ID: id.ID, NUI: nui.NUI(id.NUI), GivenNames: id.GivenNames,
		Surnames: id.Surnames, Email: id.Email, State: identity.State(state), TOTPEnabled: true}, Roles: grants}
}

func (f *fixture) citizen() *identity.Principal {
	return f.person("activa", identity.Grant{Role: identity.RoleCitizen})
}

func (f *fixture) staff(role identity.Role, institutionID string) *identity.Principal {
	return f.person("activa", identity.Grant{Role: identity.RoleCitizen}, identity.Grant{Role: role, InstitutionID: institutionID})
}

// pdf is a small valid-looking PDF.
var pdf = []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

func (f *fixture) attachment(name string, content []byte) Attachment {
	f.t.Helper()
	a, err := f.svc.StoreAttachment(f.ctx, name, bytes.NewReader(content), int64(len(content)))
	if err != nil {
		f.t.Fatalf("store attachment: %v", err)
	}
	return a
}

// submission is a valid submission of f.inst to the given citizens.
func (f *fixture) submission(to ...*identity.Principal) Submission {
	s := Submission{InstitutionID: f.inst.ID, Subject: "Resolución de devolución de IVA", Reference: "SRI-2026-00123",
		Body: "Estimado/a {{nombres}}:\n\nSe ha resuelto su solicitud.", Category: CategoryResolution}
	for _, p := range to {
		s.Recipients = append(s.Recipients, p.NUI.String())
	}
	return s
}

// send deposits a submission as f.notifier and fails the test on error.
func (f *fixture) send(in Submission) Result {
	f.t.Helper()
	p := f.notifier
	if in.InstitutionID == f.other.ID {
		p = f.otherNotifier
	}
	res, err := f.svc.Send(f.ctx, p, in)
	if err != nil {
		f.t.Fatalf("send: %v", err)
	}
	return res
}

// events returns the evidence event types of a notification, in order.
func (f *fixture) events(id string) []string {
	f.t.Helper()
	evs, err := f.db.Reader().EvidenceEventsOfNotification(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

func (f *fixture) jobs(kind string) []store.Job {
	f.t.Helper()
	js, err := f.db.Reader().JobsByKind(f.ctx, kind, 10000)
	if err != nil {
		f.t.Fatal(err)
	}
	return js
}
