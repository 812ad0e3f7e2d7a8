package identity_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"buzon/internal/identity"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestTOTPSetupSignInAndRecovery(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.registerCitizen()
		p := e.signIn(adultNUI, goodPassword)
		setup, err := e.svc.BeginTOTP(e.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(setup.URI, "otpauth://totp/") || !strings.HasPrefix(setup.QRCode, "data:image/png;base64,") ||
			!regexp.MustCompile(`^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$`).MatchString(setup.Secret) {
			t.Errorf("setup = %+v", setup)
		}
		again, err := e.svc.BeginTOTP(e.ctx, p)
		if err != nil || again.Secret != setup.Secret {
			t.Errorf("reloading the setup page changed the secret: %v, %v", again, err)
		}
		if _, err := e.svc.ConfirmTOTP(e.ctx, p, "000000"); !errors.Is(err, identity.ErrCodeInvalid) && e.code(setup.URI) != "000000" {
			t.Errorf("wrong code = %v", err)
		}
		codes, err := e.svc.ConfirmTOTP(e.ctx, p, e.code(setup.URI))
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != 10 || !regexp.MustCompile(`^[a-z2-7]{5}-[a-z2-7]{5}$`).MatchString(codes[0]) {
			t.Errorf("recovery codes = %v", codes)
		}
		if _, err := e.svc.BeginTOTP(e.ctx, p); !errors.Is(err, identity.ErrTOTPAlreadyOn) {
			t.Errorf("setup again = %v", err)
		}
		// The confirming code cannot be used again to sign in.
		used := e.code(setup.URI)
		step, err := e.svc.CheckPassword(e.ctx, adultNUI, goodPassword, identity.Client{})
		if err != nil || !step.SecondFactor {
			t.Fatalf("password step = %+v, %v; want a second factor", step, err)
		}
		if _, err := e.svc.VerifySecondFactor(e.ctx, step.Account.ID, used, identity.Client{}); !errors.Is(err, identity.ErrCodeReused) {
			t.Errorf("reused code = %v, want ErrCodeReused", err)
		}
		e.clock.Advance(30 * time.Second)
		code := e.code(setup.URI)
		method, err := e.svc.VerifySecondFactor(e.ctx, step.Account.ID, code[:3]+" "+code[3:], identity.Client{})
		if err != nil || method != identity.MethodPasswordTOTP {
			t.Fatalf("fresh code = %q, %v", method, err)
		}
		if _, err := e.svc.VerifySecondFactor(e.ctx, step.Account.ID, code, identity.Client{}); !errors.Is(err, identity.ErrCodeReused) {
			t.Errorf("same code twice = %v, want ErrCodeReused", err)
		}
		// A recovery code works once, in any case, with or without its dash.
		rc := strings.ToUpper(strings.ReplaceAll(codes[3], "-", ""))
		if m, err := e.svc.VerifySecondFactor(e.ctx, step.Account.ID, rc, identity.Client{}); err != nil || m != identity.MethodPasswordRecovery {
			t.Errorf("recovery code = %q, %v", m, err)
		}
		if _, err := e.svc.VerifySecondFactor(e.ctx, step.Account.ID, codes[3], identity.Client{}); !errors.Is(err, identity.ErrCodeInvalid) {
			t.Errorf("recovery code twice = %v", err)
		}
		p, _ = e.svc.Authenticate(e.ctx, "session-"+adultNUI, identity.Client{})
		if n, _ := e.svc.RecoveryCodesLeft(e.ctx, p); n != 9 {
			t.Errorf("%d recovery codes left, want 9", n)
		}
		// A citizen may turn it off, with his password.
		if err := e.svc.DisableTOTP(e.ctx, p, "mal"); !errors.Is(err, identity.ErrPasswordWrong) {
			t.Errorf("disable with a wrong password = %v", err)
		}
		if err := e.svc.DisableTOTP(e.ctx, p, goodPassword); err != nil {
			t.Fatal(err)
		}
		if step, _ := e.svc.CheckPassword(e.ctx, adultNUI, goodPassword, identity.Client{}); step == nil || step.SecondFactor {
			t.Errorf("after disabling: %+v", step)
		}
	})
}

func TestStaffMustKeepTOTP(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if !e.operator.TOTPEnabled || e.operator.NeedsTOTPSetup() {
			t.Fatalf("operator = %+v", e.operator)
		}
		if err := e.svc.DisableTOTP(e.ctx, e.operator, goodPassword); !errors.Is(err, identity.ErrTOTPRequired) {
			t.Errorf("staff disabling TOTP = %v, want ErrTOTPRequired", err)
		}
		// A new operator without TOTP yet holds the role but may not use it.
		_, link, err := e.svc.CreateUser(e.ctx, identity.System("test"), identity.CreateUserRequest{NUI: unknownNUIWithRegistry(e),
			Email: "diana@example.test", Role: identity.RoleDIGERCIC})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Activate(e.ctx, tokenOf(link), goodPassword, goodPassword); err != nil {
			t.Fatal(err)
		}
		p := e.signIn(unknownNUI, goodPassword)
		if !p.NeedsTOTPSetup() {
			t.Error("a new operator does not need TOTP setup")
		}
		if _, err := e.svc.CheckRegistration(e.ctx, p, adultNUI); !errors.Is(err, identity.ErrForbidden) {
			t.Errorf("operator without TOTP = %v, want ErrForbidden", err)
		}
	})
}

func TestFailedCodesLockTheAccount(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var err error
		for i := 0; i < identity.AccountThrottle.Free+1; i++ {
			_, err = e.svc.VerifySecondFactor(e.ctx, e.operator.ID, "12345a-bcdef", identity.Client{})
		}
		if !errors.Is(err, identity.ErrCodeInvalid) {
			t.Fatalf("last wrong code = %v", err)
		}
		if _, err := e.svc.CheckPassword(e.ctx, operatorNUI, goodPassword, identity.Client{}); !errors.Is(err, identity.ErrThrottled) {
			t.Errorf("after wrong codes = %v, want ErrThrottled", err)
		}
	})
}
