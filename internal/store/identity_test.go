package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

func newIdentity(t *testing.T, db *store.DB, nui string) *store.Identity {
	t.Helper()
	id := &store.Identity{NUI: nui, GivenNames: "María José", Surnames: "Guamán Ortiz", Email: "maria@example.test",
		State: "pendiente", Channel: "presencial", PasskeyHandle: []byte("handle-" + nui), CreatedAt: t0}
	if err := db.Write(context.Background(), func(tx *store.Tx) error { return tx.CreateIdentity(context.Background(), id) }); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestIdentityCreateAndFind(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id := newIdentity(t, db, "1714307103")
		got, err := db.Reader().IdentityByNUI(ctx, "1714307103")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(id, got, cmp.Comparer(func(a, b []byte) bool { return string(a) == string(b) })); diff != "" {
			t.Errorf("identity read back differs (-want +got):\n%s", diff)
		}
		if _, err := db.Reader().IdentityByID(ctx, id.ID); err != nil {
			t.Errorf("by id: %v", err)
		}
		if _, err := db.Reader().IdentityByID(ctx, "not-a-uuid"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("by malformed id = %v, want ErrNotFound", err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			return tx.CreateIdentity(ctx, &store.Identity{NUI: "1714307103", State: "pendiente", Channel: "presencial",
				PasskeyHandle: []byte("other"), CreatedAt: t0})
		})
		if !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("second identity for one N.U.I. = %v, want ErrDuplicate", err)
		}
	})
}

func TestIdentityActivateOnlyWhenPending(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id := newIdentity(t, db, "1714307103")
		activate := func() error {
			return db.Write(ctx, func(tx *store.Tx) error { return tx.ActivateIdentity(ctx, id.ID, "hash", t0) })
		}
		if err := activate(); err != nil {
			t.Fatal(err)
		}
		if err := activate(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("activating an active identity = %v, want ErrNotFound", err)
		}
		got, _ := db.Reader().IdentityByID(ctx, id.ID)
		if got.State != "activa" || got.PasswordHash != "hash" || !got.ActivatedAt.Equal(t0) {
			t.Errorf("after activation: %+v", got)
		}
	})
}

func TestTokensAreSingleUseAndExpire(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id := newIdentity(t, db, "1714307103")
		h := func(s string) []byte { x := sha256.Sum256([]byte(s)); return x[:] }
		create := func(secret, purpose string) {
			err := db.Write(ctx, func(tx *store.Tx) error {
				return tx.CreateToken(ctx, &store.Token{Hash: h(secret), IdentityID: id.ID, Purpose: purpose,
					CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		use := func(secret, purpose string, at time.Time) error {
			return db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.UseToken(ctx, h(secret), purpose, at)
				return err
			})
		}
		create("a", "reset")
		if err := use("a", "activation", t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token of another purpose = %v, want ErrNotFound", err)
		}
		if _, err := db.Reader().PeekToken(ctx, h("a"), "reset", t0); err != nil {
			t.Errorf("peek: %v", err)
		}
		if err := use("a", "reset", t0.Add(time.Minute)); err != nil {
			t.Fatalf("first use: %v", err)
		}
		if err := use("a", "reset", t0.Add(2*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second use = %v, want ErrNotFound", err)
		}
		create("b", "reset")
		if err := use("b", "reset", t0.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("use at expiry = %v, want ErrNotFound", err)
		}
		create("c", "reset")
		create("d", "reset")
		if err := use("c", "reset", t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("superseded token = %v, want ErrNotFound", err)
		}
		if err := use("d", "reset", t0); err != nil {
			t.Errorf("newest token: %v", err)
		}
	})
}

func TestRolesGrantAndRevoke(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id := newIdentity(t, db, "1714307103")
		inst := store.NewID()
		grant := func(role, institution string) error {
			return db.Write(ctx, func(tx *store.Tx) error {
				return tx.GrantRole(ctx, &store.Role{IdentityID: id.ID, Role: role, InstitutionID: institution, GrantedAt: t0})
			})
		}
		for _, g := range []struct{ role, inst string }{{"ciudadano", ""}, {"notificador", inst}, {"notificador", store.NewID()}} {
			if err := grant(g.role, g.inst); err != nil {
				t.Fatalf("grant %v: %v", g, err)
			}
		}
		if err := grant("ciudadano", ""); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("granting twice = %v, want ErrDuplicate", err)
		}
		if err := grant("notificador", inst); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("granting twice in one institution = %v, want ErrDuplicate", err)
		}
		holders, err := db.Reader().RoleHolders(ctx, "notificador", inst)
		if err != nil || len(holders) != 1 {
			t.Errorf("holders = %v, %v; want one", holders, err)
		}
		revoke := func(role, institution string) error {
			return db.Write(ctx, func(tx *store.Tx) error { return tx.RevokeRole(ctx, id.ID, role, institution) })
		}
		if err := revoke("notificador", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoking an unscoped notificador = %v, want ErrNotFound", err)
		}
		if err := revoke("notificador", inst); err != nil {
			t.Error(err)
		}
		roles, _ := db.Reader().RolesOf(ctx, id.ID)
		if len(roles) != 2 {
			t.Errorf("roles left = %v, want 2", roles)
		}
	})
}

func TestUserSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id := newIdentity(t, db, "1714307103")
		mk := func(tok string) *store.UserSession {
			s := &store.UserSession{TokenHash: []byte(tok), IdentityID: id.ID, Method: "password", Address: "192.0.2.1",
				UserAgent: "Firefox", CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}
			if err := db.Write(ctx, func(tx *store.Tx) error { return tx.CreateUserSession(ctx, s) }); err != nil {
				t.Fatal(err)
			}
			return s
		}
		a, b := mk("a"), mk("b")
		sp, err := db.Reader().UserSessionByToken(ctx, []byte("a"), t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if sp.Session.ID != a.ID || sp.Identity.NUI != "1714307103" {
			t.Errorf("session principal = %+v", sp)
		}
		if _, err := db.Reader().UserSessionByToken(ctx, []byte("a"), t0.Add(12*time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired session = %v, want ErrNotFound", err)
		}
		other := newIdentity(t, db, "1700000001")
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteUserSession(ctx, other.ID, a.ID) }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting another person's session = %v, want ErrNotFound", err)
		}
		var n int64
		db.Write(ctx, func(tx *store.Tx) error { n, err = tx.DeleteUserSessionsOf(ctx, id.ID, b.ID); return err })
		if n != 1 {
			t.Errorf("ended %d sessions, want 1", n)
		}
		list, _ := db.Reader().UserSessionsOf(ctx, id.ID, t0)
		if len(list) != 1 || list[0].ID != b.ID {
			t.Errorf("left = %+v, want only b", list)
		}
	})
}

func TestThrottleCountsAndForgets(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		add := func(at time.Time) int {
			var n int
			err := db.Write(ctx, func(tx *store.Tx) (err error) {
				n, err = tx.AddThrottleFailure(ctx, "nui:1714307103", at, at.Add(-time.Hour))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		var got []int
		for i := range 3 {
			got = append(got, add(t0.Add(time.Duration(i)*time.Minute)))
		}
		db.Write(ctx, func(tx *store.Tx) error { return tx.LockThrottle(ctx, "nui:1714307103", t0.Add(time.Hour)) })
		th, _ := db.Reader().ThrottleByKey(ctx, "nui:1714307103")
		if !th.LockedUntil.Equal(t0.Add(time.Hour)) {
			t.Errorf("locked until %v", th.LockedUntil)
		}
		got = append(got, add(t0.Add(5*time.Hour)))
		if diff := cmp.Diff([]int{1, 2, 3, 1}, got); diff != "" {
			t.Errorf("failure counts (-want +got):\n%s", diff)
		}
		th, _ = db.Reader().ThrottleByKey(ctx, "nui:1714307103")
		if !th.LockedUntil.IsZero() {
			t.Errorf("a forgotten key is still locked until %v", th.LockedUntil)
		}
		db.Write(ctx, func(tx *store.Tx) error { return tx.ClearThrottle(ctx, "nui:1714307103") })
		th, err := db.Reader().ThrottleByKey(ctx, "nui:1714307103")
		if err != nil || th.Failures != 0 {
			t.Errorf("after clear: %+v, %v", th, err)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		subject := newIdentity(t, db, "1714307103")
		e := &store.AuditEntry{At: t0, ActorNUI: "1700000001", ActorRole: "operador_digercic", Action: "cuenta.suspender",
			Reason: "pedido del titular", SubjectID: subject.ID, SubjectNUI: subject.NUI, Address: "192.0.2.9"}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, e) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.Reader().AuditEntries(ctx, store.AuditFilter{SubjectID: subject.ID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]store.AuditEntry{*e}, got); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
		if got, _ := db.Reader().AuditEntries(ctx, store.AuditFilter{SubjectID: store.NewID()}); len(got) != 0 {
			t.Errorf("another subject's entries = %v", got)
		}
		for _, q := range []string{"UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"} {
			err := db.Write(ctx, func(tx *store.Tx) error { return tx.ExecForTest(ctx, q) })
			if err == nil {
				t.Errorf("%s succeeded on the append-only audit log", q)
			}
		}
	})
}
