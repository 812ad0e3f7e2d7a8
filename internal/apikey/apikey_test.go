package apikey_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/apikey"
	"buzon/internal/identity"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

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

func TestGenerateAndParse(t *testing.T) {
	for _, m := range []apikey.Mode{apikey.Live, apikey.Test} {
		key, prefix, hash := apikey.Generate(m)
		if !strings.HasPrefix(key, "bzn_"+string(m)+"_") || len(key) != len("bzn_"+string(m)+"_")+32 {
			t.Errorf("key %q has the wrong shape", key)
		}
		gotPrefix, gotMode, ok := apikey.Parse(key)
		if !ok || gotPrefix != prefix || gotMode != m || !strings.HasPrefix(key, prefix) || len(prefix) != len("bzn_"+string(m)+"_")+8 {
			t.Errorf("Parse(%q) = %q, %q, %v; prefix %q", key, gotPrefix, gotMode, ok, prefix)
		}
		if string(hash) != string(apikey.Hash(key)) {
			t.Error("Generate's hash differs from Hash")
		}
		other, _, _ := apikey.Generate(m)
		if other == key {
			t.Error("two keys are equal")
		}
	}
	for _, bad := range []string{"", "bzn_", "bzn_live_", "bzn_prod_abcdefghijklmnopqrstuvwxyz234567",
		"bzn_live_abcdefghijklmnopqrstuvwxyz23456", "bzn_live_abcdefghijklmnopqrstuvwxyz2345678",
		"bzn_live_ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "bzn_live_abcdefghijklmnopqrstuvwxyz234501",
		"Bearer bzn_live_abcdefghijklmnopqrstuvwxyz234567", "xbzn_live_abcdefghijklmnopqrstuvwxyz234567"} {
		if _, _, ok := apikey.Parse(bad); ok {
			t.Errorf("Parse(%q) accepted it", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	key, _, _ := apikey.Generate(apikey.Live)
	f.Add(key)
	f.Add("bzn_test_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Add("bzn_live__")
	f.Fuzz(func(t *testing.T, s string) {
		prefix, m, ok := apikey.Parse(s)
		if !ok {
			return
		}
		if !strings.HasPrefix(s, prefix) || (m != apikey.Live && m != apikey.Test) || len(s) != len(prefix)+24 {
			t.Fatalf("Parse(%q) = %q, %q", s, prefix, m)
		}
	})
}

type fixture struct {
	db    *store.DB
	svc   *apikey.Service
	clock *clock
	inst  *store.Institution
	admin *identity.Principal
}

func institution(t *testing.T, db *store.DB, ruc, modality string) *store.Institution {
	t.Helper()
	inst := &store.Institution{Name: "Servicio " + ruc, Acronym: "S", RUC: ruc, RUCKind: "public", Sector: "ejecutiva",
		Modality: modality, State: "activa", DailyQuota: 100, Address: "Quito", RequestID: store.NewID(), CreatedAt: t0}
	if err := db.Write(context.Background(), func(tx *store.Tx) error { return tx.CreateInstitution(context.Background(), inst) }); err != nil {
		t.Fatal(err)
	}
	return inst
}

func adminOf(instID string) *identity.Principal {
	return &identity.Principal{Account: identity.Account{ID: store.NewID(), NUI: "1714307103", TOTPEnabled: true},
		Roles: []identity.Grant{{Role: identity.RoleInstitutionAdmin, InstitutionID: instID}}}
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	c := &clock{t: t0}
	inst := institution(t, db, "1760001230001", "interconexion")
	return &fixture{db: db, svc: &apikey.Service{DB: db, Now: c.Now, MaxActive: 3}, clock: c, inst: inst, admin: adminOf(inst.ID)}
}

func TestCreateAuthenticateRevoke(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		secret, k, err := f.svc.Create(ctx, f.admin, f.inst.ID, "  Sistema de rentas  ", apikey.Test)
		if err != nil {
			t.Fatal(err)
		}
		if k.Name != "Sistema de rentas" || k.Mode != apikey.Test || !strings.HasPrefix(secret, k.Prefix) {
			t.Errorf("created %+v with %q", k, secret)
		}
		cred, err := f.svc.Authenticate(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		want := &apikey.Credential{KeyID: k.ID, KeyPrefix: k.Prefix, InstitutionID: f.inst.ID, InstitutionName: f.inst.Name, Mode: apikey.Test}
		if diff := cmp.Diff(want, cred); diff != "" {
			t.Errorf("credential (-want +got):\n%s", diff)
		}
		list, err := f.svc.List(ctx, f.admin, f.inst.ID)
		if err != nil || len(list) != 1 || !list[0].LastUsedAt.Equal(t0) {
			t.Errorf("list after use = %+v, %v", list, err)
		}
		// A wrong secret with the right prefix, and keys of other shapes, are all just invalid.
		wrong := k.Prefix + strings.Repeat("a", 24)
		for _, bad := range []string{wrong, "nonsense", strings.Replace(secret, "bzn_test_", "bzn_live_", 1)} {
			if _, err := f.svc.Authenticate(ctx, bad); !errors.Is(err, apikey.ErrInvalid) {
				t.Errorf("Authenticate(%q) = %v, want ErrInvalid", bad, err)
			}
		}
		if err := f.svc.Revoke(ctx, f.admin, f.inst.ID, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(ctx, secret); !errors.Is(err, apikey.ErrRevoked) {
			t.Errorf("revoked key = %v, want ErrRevoked", err)
		}
		if err := f.svc.Revoke(ctx, f.admin, f.inst.ID, k.ID); !errors.Is(err, apikey.ErrNotFound) {
			t.Errorf("second revoke = %v, want ErrNotFound", err)
		}
		audit, err := db.Reader().AuditEntries(ctx, store.AuditFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range audit {
			actions = append(actions, e.Action)
		}
		if diff := cmp.Diff([]string{apikey.ActionRevoke, apikey.ActionCreate}, actions); diff != "" {
			t.Errorf("audit actions (-want +got):\n%s", diff)
		}
	})
}

func TestOnlyTheAdministratorOfAnInterconnectedInstitution(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		platform := institution(t, db, "1760009990001", "plataforma")
		notifier := &identity.Principal{Account: identity.Account{ID: store.NewID(), TOTPEnabled: true},
			Roles: []identity.Grant{{Role: identity.RoleNotifier, InstitutionID: f.inst.ID}}}
		noTOTP := adminOf(f.inst.ID)
		noTOTP.TOTPEnabled = false
		tests := []struct {
			name string
			p    *identity.Principal
			inst string
			key  string
			mode apikey.Mode
			want error
		}{
			{"notifier", notifier, f.inst.ID, "ERP", apikey.Live, apikey.ErrForbidden},
			{"admin of another institution", adminOf(platform.ID), f.inst.ID, "ERP", apikey.Live, apikey.ErrForbidden},
			{"admin without two-step verification", noTOTP, f.inst.ID, "ERP", apikey.Live, apikey.ErrForbidden},
			{"nobody", nil, f.inst.ID, "ERP", apikey.Live, apikey.ErrForbidden},
			{"platform modality", adminOf(platform.ID), platform.ID, "ERP", apikey.Live, apikey.ErrNotInterconnection},
			{"empty name", f.admin, f.inst.ID, " ", apikey.Live, apikey.ErrNameRequired},
			{"long name", f.admin, f.inst.ID, strings.Repeat("n", 61), apikey.Live, apikey.ErrNameRequired},
			{"control characters", f.admin, f.inst.ID, "a\nb", apikey.Live, apikey.ErrNameRequired},
			{"unknown mode", f.admin, f.inst.ID, "ERP", apikey.Mode("prod"), apikey.ErrModeUnknown},
		}
		for _, tt := range tests {
			if _, _, err := f.svc.Create(ctx, tt.p, tt.inst, tt.key, tt.mode); !errors.Is(err, tt.want) {
				t.Errorf("%s: Create = %v, want %v", tt.name, err, tt.want)
			}
		}
		// The limit counts valid keys only.
		var ids []string
		for range 3 {
			_, k, err := f.svc.Create(ctx, f.admin, f.inst.ID, "k", apikey.Live)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, k.ID)
		}
		if _, _, err := f.svc.Create(ctx, f.admin, f.inst.ID, "k", apikey.Live); !errors.Is(err, apikey.ErrTooMany) {
			t.Errorf("fourth key = %v, want ErrTooMany", err)
		}
		if err := f.svc.Revoke(ctx, f.admin, f.inst.ID, ids[0]); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Create(ctx, f.admin, f.inst.ID, "k", apikey.Live); err != nil {
			t.Errorf("key after a revocation = %v", err)
		}
		if err := f.svc.Revoke(ctx, adminOf(platform.ID), platform.ID, ids[1]); !errors.Is(err, apikey.ErrNotFound) {
			t.Errorf("revoking another institution's key = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.List(ctx, notifier, f.inst.ID); !errors.Is(err, apikey.ErrForbidden) {
			t.Errorf("notifier lists keys = %v, want ErrForbidden", err)
		}
	})
}

func TestSuspendedOrPlatformInstitutionKeysStop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		secret, _, err := f.svc.Create(ctx, f.admin, f.inst.ID, "ERP", apikey.Live)
		if err != nil {
			t.Fatal(err)
		}
		set := func(state, modality string) {
			if err := db.Write(ctx, func(tx *store.Tx) error {
				if err := tx.SetInstitutionState(ctx, f.inst.ID, state, "", t0); err != nil {
					return err
				}
				return tx.SetInstitutionModality(ctx, f.inst.ID, modality, t0)
			}); err != nil {
				t.Fatal(err)
			}
		}
		set("suspendida", "interconexion")
		if _, err := f.svc.Authenticate(ctx, secret); !errors.Is(err, apikey.ErrInstitutionSuspended) {
			t.Errorf("suspended institution = %v", err)
		}
		set("activa", "plataforma")
		if _, err := f.svc.Authenticate(ctx, secret); !errors.Is(err, apikey.ErrNotInterconnection) {
			t.Errorf("platform modality = %v", err)
		}
		set("activa", "interconexion")
		if _, err := f.svc.Authenticate(ctx, secret); err != nil {
			t.Errorf("reactivated = %v", err)
		}
	})
}
