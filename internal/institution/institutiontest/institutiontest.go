// Package institutiontest builds what the institutions' tests need: a
// service over a real database with a small civil registry and a clock the
// test moves, staff principals, valid and invalid files, filled-in forms.
package institutiontest

import (
	"bytes"
	"context"
	"crypto/rand"
	"image"
	"image/color"
	"image/png"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"buzon/internal/blob"
	"buzon/internal/identity"
	"buzon/internal/institution"
	"buzon/internal/nui"
	"buzon/internal/registry"
	"buzon/internal/seal"
	"buzon/internal/store"
)

// Start is the moment the test clock starts at: a Monday morning in Quito.
var Start = time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)

// Clock is a clock the test moves by hand.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at Start.
func NewClock() *Clock { return &Clock{now: Start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Registry is a civil registry held in a map; a cédula not in it is
// registry.ErrNotFound.
type Registry struct {
	mu     sync.Mutex
	people map[nui.NUI]registry.Person
}

// Lookup answers from the map.
func (r *Registry) Lookup(_ context.Context, id nui.NUI) (registry.Person, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.people[id]
	if !ok {
		return registry.Person{}, registry.ErrNotFound
	}
	return p, nil
}

// Add puts a valid, adult person in the registry.
func (r *Registry) Add(id, given, surnames string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.people == nil {
		r.people = map[nui.NUI]registry.Person{}
	}
	r.people[nui.NUI(id)] = registry.Person{NUI: nui.NUI(id), GivenNames: given, Surnames: surnames,
		BirthDate: time.Date(1985, 6, 1, 0, 0, 0, 0, time.UTC), Nationality: registry.Ecuadorian, Status: registry.StatusValid}
}

// People of the test registry, by role in the stories.
const (
	RequesterNUI = "1714307103" // the minister who asks
	AdminNUI     = "1700000001" // the first administrator
	NewAdminNUI  = "0962467429" // the administrator who replaces him
	NotifierNUI  = "3000000004" // a notifier
	UnknownNUI   = "1710034065" // valid check digit, not in the registry
	MINTELNUI    = "0102030400"
)

// Env is a service over a database, with what a test needs around it.
type Env struct {
	DB       *store.DB
	Clock    *Clock
	Registry *Registry
	Keys     *seal.Keyring
	Blobs    *blob.Sealed
	BlobDir  string
	Identity *identity.Service
	Service  *institution.Service
}

// New builds an Env over db (migrated, empty), with documents kept in a
// temporary directory and the registry holding the story's people.
func New(t testing.TB, db *store.DB) *Env {
	t.Helper()
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	keys, err := seal.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fs, err := blob.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{DB: db, Clock: NewClock(), Registry: &Registry{}, Keys: keys, Blobs: &blob.Sealed{Store: fs, Keyring: keys}, BlobDir: dir}
	e.Registry.Add(RequesterNUI, "Ana María", "Pérez Salazar")
	e.Registry.Add(AdminNUI, "Luis Alberto", "Mora Vera")
	e.Registry.Add(NewAdminNUI, "Rosa Elena", "Guamán Ortiz")
	e.Registry.Add(NotifierNUI, "Jorge", "Andrade Loor")
	e.Registry.Add(MINTELNUI, "Patricia", "Vásconez")
	e.Identity, err = identity.New(identity.Config{DB: db, Registry: e.Registry, Keys: keys, BaseURL: "http://buzon.test",
		Now: e.Clock.Now, PasswordParams: &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}})
	if err != nil {
		t.Fatal(err)
	}
	e.Service, err = institution.New(institution.Config{DB: db, Identity: e.Identity, Documents: e.Blobs,
		BaseURL: "http://buzon.test", Now: e.Clock.Now, MaxDocumentSize: 64 << 10, MaxLogoSize: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Staff creates (or finds) an identity, active with two-step verification
// on, gives it the roles, and returns it as a signed-in principal.
func (e *Env) Staff(t testing.TB, cedula string, grants ...identity.Grant) *identity.Principal {
	t.Helper()
	ctx := context.Background()
	var row *store.Identity
	err := e.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		row, err = tx.IdentityByNUI(ctx, cedula)
		if err != nil {
			row = &store.Identity{NUI: cedula, GivenNames: "Funcionario", Surnames: cedula, Email: cedula + "@example.gob.ec",
				State: "activa", Channel: "consola", PasskeyHandle: []byte("handle-" + cedula), TOTPSecret: []byte("sealed"),
				CreatedAt: e.Clock.Now()}
			if err := tx.CreateIdentity(ctx, row); err != nil {
				return err
			}
		}
		// An identity created pending (an invitation) is taken as activated,
		// with two-step verification on, as after its holder's first visit.
		if row.State == "pendiente" {
			if err := tx.ActivateIdentity(ctx, row.ID, "activada-en-la-prueba", e.Clock.Now()); err != nil {
				return err
			}
		}
		if len(row.TOTPSecret) == 0 {
			if err := tx.EnableTOTP(ctx, row.ID, []byte("sealed"), 0, e.Clock.Now()); err != nil {
				return err
			}
		}
		held, err := tx.RolesOf(ctx, row.ID)
		if err != nil {
			return err
		}
	grants:
		for _, g := range grants {
			for _, h := range held {
				if h.Role == string(g.Role) && h.InstitutionID == g.InstitutionID {
					continue grants
				}
			}
			if err := tx.GrantRole(ctx, &store.Role{IdentityID: row.ID, Role: string(g.Role), InstitutionID: g.InstitutionID,
				GrantedAt: e.Clock.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return e.Principal(t, row.ID)
}

// Principal returns an identity as a signed-in principal, with its roles as
// stored now and two-step verification taken as done.
func (e *Env) Principal(t testing.TB, identityID string) *identity.Principal {
	t.Helper()
	ctx := context.Background()
	row, err := e.DB.Reader().IdentityByID(ctx, identityID)
	if err != nil {
		t.Fatal(err)
	}
	roles, err := e.DB.Reader().RolesOf(ctx, identityID)
	if err != nil {
		t.Fatal(err)
	}
	p := &identity.Principal{Account: identity.Account{ID: row.ID, NUI: nui.NUI(row.NUI), GivenNames: row.GivenNames,
		Surnames: row.Surnames, Email: row.Email, State: identity.State(row.State), TOTPEnabled: true, HasPassword: true},
		Client: identity.Client{Address: "192.0.2.10"}}
	for _, r := range roles {
		p.Roles = append(p.Roles, identity.Grant{Role: identity.Role(r.Role), InstitutionID: r.InstitutionID})
	}
	return p
}

// MINTEL returns a platform administrator.
func (e *Env) MINTEL(t testing.TB) *identity.Principal {
	return e.Staff(t, MINTELNUI, identity.Grant{Role: identity.RolePlatformAdmin})
}

// PDF is a small, complete PDF document.
func PDF() []byte {
	return []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" +
		"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

// PNG is a small PNG image.
func PNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 11, G: 58, B: 117, A: 255})
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// Upload wraps bytes as an attached file.
func Upload(name string, content []byte) institution.Upload {
	return institution.Upload{Name: name, Size: int64(len(content)), Content: bytes.NewReader(content)}
}

// ActivationForm is a correct activation request for a public body.
func ActivationForm() institution.ActivationForm {
	return institution.ActivationForm{
		Name: "Ministerio de Pruebas", Acronym: "MIPRU", RUC: "1760000070001", Sector: "ejecutiva",
		Address: "Av. Amazonas N34-451 y Av. Atahualpa, Quito", Website: "https://www.pruebas.gob.ec",
		ContactPhone: "02 396 3000", ContactEmail: "atencion@pruebas.gob.ec",
		RequesterNames: "Ana María Pérez Salazar", RequesterNUI: RequesterNUI, RequesterPosition: "Ministra",
		RequesterEmail: "ministra@pruebas.gob.ec", Modality: "plataforma",
		Admin: institution.AdminForm{Names: "Luis Alberto Mora Vera", NUI: AdminNUI, Position: "Director de TIC",
			Email: "luis.mora@pruebas.gob.ec", Phone: "02 396 3001"},
		Letter:     Upload("oficio.pdf", PDF()),
		Delegation: Upload("delegacion.pdf", PDF()),
	}
}

// AdminChangeForm is a correct administrator change for the institution of
// ActivationForm, naming NewAdminNUI.
func AdminChangeForm() institution.AdminChangeForm {
	return institution.AdminChangeForm{RUC: "1760000070001",
		Admin: institution.AdminForm{Names: "Rosa Elena Guamán Ortiz", NUI: NewAdminNUI, Position: "Coordinadora de TIC",
			Email: "rosa.guaman@pruebas.gob.ec", Phone: "02 396 3002"},
		Delegation: Upload("delegacion-nueva.pdf", PDF())}
}

// Activate files ActivationForm (with name and RUC changed) and has MINTEL
// approve it; it returns the institution.
func (e *Env) Activate(t testing.TB, mintel *identity.Principal, name, ruc, adminNUI string) *institution.Institution {
	t.Helper()
	ctx := context.Background()
	f := ActivationForm()
	f.Name, f.RUC, f.Admin.NUI = name, ruc, adminNUI
	req, err := e.Service.Submit(ctx, f)
	if err != nil {
		t.Fatalf("submit %s: %v", name, err)
	}
	inst, err := e.Service.Decide(ctx, mintel, req.ID, institution.Decision{Approve: true, Reason: "Documentos completos."})
	if err != nil {
		t.Fatalf("approve %s: %v", name, err)
	}
	return inst
}
