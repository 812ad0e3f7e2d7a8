package identity_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/eligibility"
	"buzon/internal/identity"
	"buzon/internal/nui"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestInPersonRegistrationThenActivation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		now := e.clock.Now()
		view, err := e.svc.CheckRegistration(e.ctx, e.operator, " "+adultNUI+" ")
		if err != nil {
			t.Fatal(err)
		}
		if view.Person.FullName() != "María José Guamán Ortiz" || view.Age != 35 || view.Existing != nil {
			t.Errorf("registry view = %+v", view)
		}
		acc, err := e.svc.RegisterInPerson(e.ctx, e.operator, adultNUI, "Maria@Example.TEST")
		if err != nil {
			t.Fatal(err)
		}
		if acc.State != identity.StatePending || acc.Email != "Maria@example.test" || acc.Channel != identity.ChannelInPerson {
			t.Errorf("new account = %+v", acc)
		}
		sent := e.mails.last(t, identity.MailActivation)
		if sent.To != "Maria@example.test" || !strings.HasPrefix(sent.Data.Link, "http://localhost:8080/activar/") ||
			!sent.Data.Expires.Equal(now.Add(72*time.Hour)) || sent.Data.Staff {
			t.Errorf("activation email = %+v", sent)
		}
		token := tokenOf(sent.Data.Link)
		if got, err := e.svc.TokenAccount(e.ctx, identity.PurposeActivation, token); err != nil || got.ID != acc.ID {
			t.Errorf("TokenAccount = %v, %v", got, err)
		}
		// A refused password leaves the link usable.
		if _, err := e.svc.Activate(e.ctx, token, "contraseña2024!", "contraseña2024!"); !errors.Is(err, identity.ErrPasswordCommon) {
			t.Errorf("common password: %v", err)
		}
		if _, err := e.svc.Activate(e.ctx, token, goodPassword, goodPassword); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Activate(e.ctx, token, goodPassword, goodPassword); !errors.Is(err, identity.ErrTokenInvalid) {
			t.Errorf("second use of the activation link = %v, want ErrTokenInvalid", err)
		}
		step, err := e.svc.CheckPassword(e.ctx, adultNUI, goodPassword, identity.Client{Address: "192.0.2.1"})
		if err != nil || step.SecondFactor || step.Account.State != identity.StateActive {
			t.Fatalf("sign-in after activation = %+v, %v", step, err)
		}
		roles, _ := e.svc.RolesOf(e.ctx, acc.ID)
		if diff := cmp.Diff([]identity.Grant{{Role: identity.RoleCitizen}}, roles); diff != "" {
			t.Errorf("roles (-want +got):\n%s", diff)
		}
		log, err := e.svc.AuditLog(e.ctx, e.admin, identity.AuditFilter{NUI: adultNUI})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, l := range log {
			actions = append(actions, l.Action+" by "+l.ActorNUI+" as "+l.ActorRole)
		}
		want := []string{"cuenta.registrar by " + operatorNUI + " as operador_digercic", "registro.consultar by " + operatorNUI + " as operador_digercic"}
		if diff := cmp.Diff(want, actions); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
}

func TestRegistrationRefusalsCreateNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.registerCitizen()
		tests := []struct {
			name, nui, email string
			want             error
			spanish          string
		}{
			{"invalid cédula", "1714307104", "a@example.test", nui.ErrCheckDigit, "el dígito verificador no corresponde"},
			{"letters", "17143O7103", "a@example.test", nui.ErrNotDigits, "la cédula solo puede contener dígitos"},
			{"not in registry", unknownNUI, "a@example.test", eligibility.ErrNotInRegistry, "la cédula no consta en el Registro Civil"},
			{"deceased", deceasedNUI, "a@example.test", eligibility.ErrDeceased, "el Registro Civil registra como fallecida a la persona titular de esta cédula"},
			{"cancelled", cancelledNUI, "a@example.test", eligibility.ErrCancelled, ""},
			{"minor", minorNUI, "a@example.test", eligibility.ErrTooYoung, "debe tener al menos 18 años para registrarse"},
			{"65 or older", oldNUI, "a@example.test", eligibility.ErrTooOld, "el registro está disponible para personas menores de 65 años"},
			{"duplicate account", adultNUI, "otra@example.test", identity.ErrAlreadyRegistered, "Ya existe una cuenta para esta cédula."},
			{"malformed email", adminNUI, "luis@", identity.ErrEmailInvalid, "Ingrese un correo electrónico válido, por ejemplo nombre@ejemplo.com."},
			{"email with a name", adminNUI, "Luis <luis@example.test>", identity.ErrEmailInvalid, ""},
			{"no email", adminNUI, "  ", identity.ErrEmailEmpty, "Ingrese el correo electrónico."},
			{"the operator himself", operatorNUI, "luis@example.test", identity.ErrOwnAccount, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := e.counts()
				_, err := e.svc.RegisterInPerson(e.ctx, e.operator, tt.nui, tt.email)
				if !errors.Is(err, tt.want) {
					t.Fatalf("RegisterInPerson = %v, want %v", err, tt.want)
				}
				if tt.spanish != "" && err.Error() != tt.spanish {
					t.Errorf("message = %q, want %q", err.Error(), tt.spanish)
				}
				if !identity.IsShown(err) {
					t.Errorf("%v carries no code for the web layer", err)
				}
				if after := e.counts(); after != before {
					t.Errorf("identities, jobs, audit entries went from %v to %v", before, after)
				}
			})
		}
		// The operator's first step refuses the same way.
		for _, id := range []string{"1714307104", deceasedNUI, minorNUI, adultNUI} {
			before := e.counts()
			if _, err := e.svc.CheckRegistration(e.ctx, e.operator, id); err == nil || !identity.IsShown(err) {
				t.Errorf("CheckRegistration(%s) = %v, want a refusal", id, err)
			}
			if after := e.counts(); after != before {
				t.Errorf("CheckRegistration(%s) wrote: %v to %v", id, before, after)
			}
		}
		if f := identity.FieldOf(eligibility.ErrDeceased); f != "nui" {
			t.Errorf("FieldOf(deceased) = %q, want nui", f)
		}
	})
}

func TestRegistrationWithoutRegistry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		svc, err := identity.New(identity.Config{DB: db, Keys: mustKeys(t), BaseURL: "http://localhost:8080", Now: e.clock.Now, PasswordParams: cheap})
		if err != nil {
			t.Fatal(err)
		}
		if svc.RegistryConfigured() {
			t.Error("RegistryConfigured without a registry")
		}
		before := e.counts()
		if _, err := svc.RegisterInPerson(e.ctx, e.operator, adultNUI, "maria@example.test"); !errors.Is(err, identity.ErrRegistryNotConfigured) {
			t.Errorf("RegisterInPerson = %v, want ErrRegistryNotConfigured", err)
		}
		if after := e.counts(); after != before {
			t.Errorf("wrote: %v to %v", before, after)
		}
	})
}

func TestOperatorCannotActWithoutTheRole(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acc := e.registerCitizen()
		citizen := e.signIn(adultNUI, goodPassword)
		// A staff member who has not set up TOTP yet holds the role but may not use it.
		_, link, err := e.svc.CreateUser(e.ctx, identity.System("test"), identity.CreateUserRequest{NUI: deceasedNUI, Email: "x@example.test",
			Role: identity.RoleDIGERCIC, GivenNames: "X", Surnames: "Y"})
		if err == nil || link != "" {
			t.Fatalf("a deceased person became staff: %v", err)
		}
		auditor := e.staff(unknownNUIWithRegistry(e), "aud@example.test", identity.RoleAuditor)
		for name, p := range map[string]*identity.Principal{"nobody": nil, "citizen": citizen, "admin": e.admin, "auditor": auditor} {
			before := e.counts()
			checks := map[string]error{}
			_, checks["CheckRegistration"] = e.svc.CheckRegistration(e.ctx, p, minorNUI)
			_, checks["RegisterInPerson"] = e.svc.RegisterInPerson(e.ctx, p, operatorNUI, "a@example.test")
			_, checks["FindAccount"] = e.svc.FindAccount(e.ctx, p, adultNUI)
			checks["Suspend"] = e.svc.Suspend(e.ctx, p, acc.ID, "motivo")
			checks["Reactivate"] = e.svc.Reactivate(e.ctx, p, acc.ID, "motivo")
			checks["ChangeEmail"] = e.svc.ChangeEmail(e.ctx, p, acc.ID, "b@example.test", "motivo")
			checks["ResendActivation"] = e.svc.ResendActivation(e.ctx, p, acc.ID)
			checks["Unlock"] = e.svc.Unlock(e.ctx, p, acc.ID, "motivo")
			for op, err := range checks {
				if !errors.Is(err, identity.ErrForbidden) {
					t.Errorf("%s: %s = %v, want ErrForbidden", name, op, err)
				}
			}
			if after := e.counts(); after != before {
				t.Errorf("%s: refused actions wrote: %v to %v", name, before, after)
			}
		}
		if _, err := e.svc.AuditLog(e.ctx, citizen, identity.AuditFilter{}); !errors.Is(err, identity.ErrForbidden) {
			t.Errorf("a citizen read the audit log: %v", err)
		}
		if _, err := e.svc.AuditLog(e.ctx, e.operator, identity.AuditFilter{}); !errors.Is(err, identity.ErrForbidden) {
			t.Errorf("an operator read the audit log: %v", err)
		}
		if _, err := e.svc.AuditLog(e.ctx, auditor, identity.AuditFilter{}); err != nil {
			t.Errorf("the auditor could not read the audit log: %v", err)
		}
	})
}

// unknownNUIWithRegistry adds a valid person for an extra staff member.
func unknownNUIWithRegistry(e *env) string {
	e.reg.Put(registryPerson(unknownNUI, "Diana", "Cevallos", day(1988, 2, 2)))
	return unknownNUI
}

func TestActivationLinkExpires(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if _, err := e.svc.RegisterInPerson(e.ctx, e.operator, adultNUI, "maria@example.test"); err != nil {
			t.Fatal(err)
		}
		token := tokenOf(e.mails.last(t, identity.MailActivation).Data.Link)
		e.clock.Advance(72 * time.Hour)
		if _, err := e.svc.Activate(e.ctx, token, goodPassword, goodPassword); !errors.Is(err, identity.ErrTokenInvalid) {
			t.Errorf("activation at 72 h = %v, want ErrTokenInvalid", err)
		}
		for _, bad := range []string{"", "x", strings.Repeat("A", 43), token + "x"} {
			if _, err := e.svc.TokenAccount(e.ctx, identity.PurposeActivation, bad); !errors.Is(err, identity.ErrTokenInvalid) {
				t.Errorf("TokenAccount(%q) = %v", bad, err)
			}
		}
		// The operator resends; the old link stays dead, the new one works.
		rec, err := e.svc.FindAccount(e.ctx, e.operator, adultNUI)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ResendActivation(e.ctx, e.operator, rec.Account.ID); err != nil {
			t.Fatal(err)
		}
		fresh := tokenOf(e.mails.last(t, identity.MailActivation).Data.Link)
		if fresh == token {
			t.Fatal("resend reused the token")
		}
		if _, err := e.svc.Activate(e.ctx, fresh, goodPassword, goodPassword); err != nil {
			t.Errorf("fresh link: %v", err)
		}
		if err := e.svc.ResendActivation(e.ctx, e.operator, rec.Account.ID); !errors.Is(err, identity.ErrNotPending) {
			t.Errorf("resend to an active account = %v, want ErrNotPending", err)
		}
	})
}

func TestActivationRechecksTheRegistry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if _, err := e.svc.RegisterInPerson(e.ctx, e.operator, adultNUI, "maria@example.test"); err != nil {
			t.Fatal(err)
		}
		p := registryPerson(adultNUI, "María José", "Guamán Ortiz", day(1990, 5, 17))
		p.Status = "fallecido"
		e.reg.Put(p)
		token := tokenOf(e.mails.last(t, identity.MailActivation).Data.Link)
		if _, err := e.svc.Activate(e.ctx, token, goodPassword, goodPassword); !errors.Is(err, eligibility.ErrDeceased) {
			t.Errorf("activation of a person deceased since = %v, want ErrDeceased", err)
		}
	})
}

func TestStaffBecomesCitizen(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		other := e.staff(unknownNUIWithRegistry(e), "diana@example.test", identity.RoleDIGERCIC)
		acc, err := e.svc.RegisterInPerson(e.ctx, e.operator, unknownNUI, "diana.personal@example.test")
		if err != nil {
			t.Fatal(err)
		}
		if acc.ID != other.ID || acc.State != identity.StateActive {
			t.Errorf("registered %+v, want the existing active identity %s", acc, other.ID)
		}
		if n := e.mails.count(identity.MailActivation); n != 3 {
			t.Errorf("%d activation emails, want 3 (the three staff, none for an active identity)", n)
		}
		roles, _ := e.svc.RolesOf(e.ctx, acc.ID)
		if len(roles) != 2 {
			t.Errorf("roles = %v", roles)
		}
	})
}
