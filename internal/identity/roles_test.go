package identity_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/identity"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestCreateUserBootstrap(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sys := identity.System("buzon admin create-user")
		tests := []struct {
			name string
			req  identity.CreateUserRequest
			want error
		}{
			{"unknown role", identity.CreateUserRequest{NUI: adultNUI, Email: "a@example.test", Role: "jefe"}, identity.ErrRoleUnknown},
			{"scoped role without institution", identity.CreateUserRequest{NUI: adultNUI, Email: "a@example.test", Role: identity.RoleNotifier}, identity.ErrRoleNeedsInstitution},
			{"unscoped role with institution", identity.CreateUserRequest{NUI: adultNUI, Email: "a@example.test", Role: identity.RoleAuditor, InstitutionID: store.NewID()}, identity.ErrRoleNoInstitution},
			{"bad email", identity.CreateUserRequest{NUI: adultNUI, Email: "a@", Role: identity.RoleAuditor}, identity.ErrEmailInvalid},
		}
		for _, tt := range tests {
			before := e.counts()
			if _, _, err := e.svc.CreateUser(e.ctx, sys, tt.req); !errors.Is(err, tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
			}
			if after := e.counts(); after != before {
				t.Errorf("%s: wrote %v to %v", tt.name, before, after)
			}
		}
		if _, _, err := e.svc.CreateUser(e.ctx, e.operator, identity.CreateUserRequest{NUI: adultNUI, Email: "a@example.test", Role: identity.RoleAuditor}); !errors.Is(err, identity.ErrForbidden) {
			t.Errorf("operator creating users = %v", err)
		}
		inst := store.NewID()
		acc, link, err := e.svc.CreateUser(e.ctx, sys, identity.CreateUserRequest{NUI: adultNUI, Email: "a@example.test", Role: identity.RoleNotifier, InstitutionID: inst})
		if err != nil || link == "" || acc.Channel != identity.ChannelConsole || acc.FullName() != "María José Guamán Ortiz" {
			t.Fatalf("CreateUser = %+v, %q, %v", acc, link, err)
		}
		if !e.mails.last(t, identity.MailActivation).Data.Staff {
			t.Error("the activation email does not say it is a staff account")
		}
		// Without a registry, names must be given.
		noReg, _ := identity.New(identity.Config{DB: db, Keys: mustKeys(t), BaseURL: "https://buzon.example", Now: e.clock.Now, PasswordParams: cheap})
		if _, _, err := noReg.CreateUser(e.ctx, sys, identity.CreateUserRequest{NUI: minorNUI, Email: "x@example.test", Role: identity.RoleAuditor}); !errors.Is(err, identity.ErrRegistryNotConfigured) {
			t.Errorf("no registry, no names = %v", err)
		}
		acc, _, err = noReg.CreateUser(e.ctx, sys, identity.CreateUserRequest{NUI: minorNUI, Email: "x@example.test", Role: identity.RoleAuditor, GivenNames: "Ana", Surnames: "Quishpe"})
		if err != nil || acc.FullName() != "Ana Quishpe" {
			t.Errorf("no registry, names given = %+v, %v", acc, err)
		}
		log, _ := e.svc.AuditLog(e.ctx, e.admin, identity.AuditFilter{NUI: minorNUI})
		if len(log) != 1 || log[0].ActorRole != "sistema" || log[0].Detail != "buzon admin create-user; rol: auditor" && log[0].Detail != "buzon admin create-user" {
			t.Errorf("audit = %+v", log)
		}
	})
}

func TestPlatformConsoleGrantsStaffRoles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.registerCitizen()
		if _, err := e.svc.GrantStaffRole(e.ctx, e.operator, adultNUI, "", identity.RoleAuditor, "motivo"); !errors.Is(err, identity.ErrForbidden) {
			t.Errorf("operator granting = %v", err)
		}
		if _, err := e.svc.GrantStaffRole(e.ctx, e.admin, adultNUI, "", identity.RolePlatformAdmin, "motivo"); !errors.Is(err, identity.ErrRoleNotGrantable) {
			t.Errorf("granting platform admin from the console = %v", err)
		}
		if _, err := e.svc.GrantStaffRole(e.ctx, e.admin, adultNUI, "", identity.RoleAuditor, ""); !errors.Is(err, identity.ErrReasonRequired) {
			t.Errorf("no reason = %v", err)
		}
		acc, err := e.svc.GrantStaffRole(e.ctx, e.admin, adultNUI, "", identity.RoleAuditor, "designación 2026-014")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.GrantStaffRole(e.ctx, e.admin, adultNUI, "", identity.RoleAuditor, "otra vez"); !errors.Is(err, identity.ErrRoleHeld) {
			t.Errorf("granting twice = %v", err)
		}
		// A person without an account gets one, with an invitation.
		before := e.mails.count(identity.MailActivation)
		if _, err := e.svc.GrantStaffRole(e.ctx, e.admin, unknownNUIWithRegistry(e), "", identity.RoleDIGERCIC, "nuevo operador"); !errors.Is(err, identity.ErrEmailEmpty) {
			t.Errorf("new person without email = %v", err)
		}
		if _, err := e.svc.GrantStaffRole(e.ctx, e.admin, unknownNUI, "diana@registrocivil.test", identity.RoleDIGERCIC, "nuevo operador"); err != nil {
			t.Fatal(err)
		}
		if e.mails.count(identity.MailActivation) != before+1 {
			t.Error("no invitation sent")
		}
		staff, err := e.svc.StaffList(e.ctx, e.admin)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range staff {
			got = append(got, string(s.Account.NUI)+" "+string(s.Role))
		}
		want := []string{adminNUI + " admin_plataforma", operatorNUI + " operador_digercic", unknownNUI + " operador_digercic", adultNUI + " auditor"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("staff (-want +got):\n%s", diff)
		}
		if err := e.svc.RevokeStaffRole(e.ctx, e.admin, acc.ID, identity.RoleAuditor, "fin de la designación"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RevokeStaffRole(e.ctx, e.admin, acc.ID, identity.RoleAuditor, "fin de la designación"); !errors.Is(err, identity.ErrRoleNotHeld) {
			t.Errorf("revoking twice = %v", err)
		}
		// The last platform administrator keeps the role.
		err = db.Write(e.ctx, func(tx *store.Tx) error {
			return e.svc.RevokeRole(context.Background(), tx, e.admin, e.admin.ID, identity.Grant{Role: identity.RolePlatformAdmin}, "x", e.clock.Now())
		})
		if !errors.Is(err, identity.ErrLastPlatformAdmin) {
			t.Errorf("revoking the last platform admin = %v", err)
		}
	})
}

func TestPrincipalAuthorization(t *testing.T) {
	inst := "0190a8a8-0000-7000-8000-000000000001"
	p := &identity.Principal{Account: identity.Account{TOTPEnabled: true}, Roles: []identity.Grant{
		{Role: identity.RoleCitizen}, {Role: identity.RoleNotifier, InstitutionID: inst}}}
	if identity.Require(p, identity.RoleCitizen) != nil || identity.Require(p, identity.RoleDIGERCIC) == nil {
		t.Error("Require on plain roles")
	}
	if identity.RequireIn(p, identity.RoleNotifier, inst) != nil || identity.RequireIn(p, identity.RoleNotifier, "other") == nil ||
		identity.RequireIn(p, identity.RoleInstitutionAdmin, inst) == nil {
		t.Error("RequireIn on scoped roles")
	}
	if diff := cmp.Diff([]string{inst}, p.Institutions(identity.RoleNotifier)); diff != "" {
		t.Error(diff)
	}
	p.TOTPEnabled = false
	if identity.RequireIn(p, identity.RoleNotifier, inst) == nil || identity.Require(p, identity.RoleCitizen) != nil {
		t.Error("staff without TOTP: staff roles refused, citizen role still usable")
	}
	var nobody *identity.Principal
	if identity.Require(nobody, identity.RoleCitizen) == nil || nobody.Has(identity.RoleCitizen) {
		t.Error("nil principal")
	}
	ctx := identity.NewContext(context.Background(), p)
	if identity.FromContext(ctx) != p || identity.FromContext(context.Background()) != nil {
		t.Error("context round trip")
	}
}
