package identity_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/identity"
	"buzon/internal/nui"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestSignInGenericError(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.registerCitizen()
		if _, err := e.svc.RegisterInPerson(e.ctx, e.operator, unknownNUIWithRegistry(e), "diana@example.test"); err != nil {
			t.Fatal(err) // pending: no password yet
		}
		c := identity.Client{Address: "192.0.2.50"}
		for name, try := range map[string][2]string{
			"wrong password":     {adultNUI, "otra contraseña cualquiera"},
			"no such account":    {minorNUI, goodPassword},
			"pending activation": {unknownNUI, goodPassword},
		} {
			_, err := e.svc.CheckPassword(e.ctx, try[0], try[1], c)
			if err != identity.ErrBadCredentials {
				t.Errorf("%s: %v, want exactly ErrBadCredentials", name, err)
			}
		}
		if _, err := e.svc.CheckPassword(e.ctx, "123", goodPassword, c); identity.FieldOf(err) != "nui" {
			t.Errorf("malformed cédula = %v, want a refusal next to the cédula", err)
		}
	})
}

func TestLockoutGrowsAndEnds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acc := e.registerCitizen()
		c := identity.Client{Address: "192.0.2.60"}
		wrong := func() error {
			_, err := e.svc.CheckPassword(e.ctx, adultNUI, "no es la contraseña correcta", c)
			return err
		}
		for i := 1; i <= 5; i++ {
			if err := wrong(); err != identity.ErrBadCredentials {
				t.Fatalf("failure %d = %v, want ErrBadCredentials", i, err)
			}
		}
		// The sixth failure locks the account for a minute, the next for two...
		if err := wrong(); err != identity.ErrBadCredentials {
			t.Fatalf("failure 6 = %v", err)
		}
		var te *identity.ThrottleError
		_, err := e.svc.CheckPassword(e.ctx, adultNUI, goodPassword, c)
		if !errors.As(err, &te) || !errors.Is(err, identity.ErrThrottled) {
			t.Fatalf("correct password during lockout = %v, want a ThrottleError", err)
		}
		if te.Error() != "Demasiados intentos; intente de nuevo en 1 minuto." || te.Minutes != 1 {
			t.Errorf("refusal = %q (%d min)", te.Error(), te.Minutes)
		}
		var waits []int
		for i := 7; i <= 13; i++ {
			e.clock.Advance(time.Hour) // past any lock
			if err := wrong(); err != identity.ErrBadCredentials {
				t.Fatalf("failure %d = %v", i, err)
			}
			_, err := e.svc.CheckPassword(e.ctx, adultNUI, goodPassword, c)
			if !errors.As(err, &te) {
				t.Fatalf("after failure %d: %v, want locked", i, err)
			}
			waits = append(waits, te.Minutes)
		}
		if diff := cmp.Diff([]int{2, 4, 8, 16, 32, 60, 60}, waits); diff != "" {
			t.Errorf("lock minutes after failures 7–13 (-want +got):\n%s", diff)
		}
		if te.Error() != "Demasiados intentos; intente de nuevo en 60 minutos." {
			t.Errorf("lockout message = %q", te.Error())
		}
		// Another address is refused too: the lock is the account's.
		if _, err := e.svc.CheckPassword(e.ctx, adultNUI, goodPassword, identity.Client{Address: "198.51.100.1"}); !errors.Is(err, identity.ErrThrottled) {
			t.Errorf("other address during lockout = %v", err)
		}
		// The operator unlocks (reason mandatory), and the audit log says so.
		if err := e.svc.Unlock(e.ctx, e.operator, acc.ID, " "); !errors.Is(err, identity.ErrReasonRequired) {
			t.Errorf("unlock without reason = %v", err)
		}
		rec, _ := e.svc.AccountRecord(e.ctx, e.operator, acc.ID)
		if rec.LockedUntil.IsZero() || rec.Failures != 13 {
			t.Errorf("console shows locked until %v after %d failures", rec.LockedUntil, rec.Failures)
		}
		if err := e.svc.Unlock(e.ctx, e.operator, acc.ID, "la titular se presentó con su cédula"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CheckPassword(e.ctx, adultNUI, goodPassword, c); err != nil {
			t.Errorf("after unlock: %v", err)
		}
		rec, _ = e.svc.AccountRecord(e.ctx, e.operator, acc.ID)
		if len(rec.History) == 0 || rec.History[0].Action != identity.ActionUnlock || rec.History[0].Reason != "la titular se presentó con su cédula" {
			t.Errorf("history = %+v", rec.History)
		}
		// A lock ends by itself too.
		for range 6 {
			wrong()
		}
		e.clock.Advance(time.Minute)
		if _, err := e.svc.CheckPassword(e.ctx, adultNUI, goodPassword, c); err != nil {
			t.Errorf("a minute after the sixth failure: %v", err)
		}
	})
}

func TestAddressThrottle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.registerCitizen()
		c := identity.Client{Address: "203.0.113.7"}
		// Guessing over many cédulas from one address.
		for i := 0; i < identity.AddressThrottle.Free+1; i++ {
			guess, _ := nui.New(5, 1000+i)
			if _, err := e.svc.CheckPassword(e.ctx, string(guess), "una contraseña cualquiera", c); err != identity.ErrBadCredentials {
				t.Fatalf("attempt %d = %v", i+1, err)
			}
		}
		if _, err := e.svc.CheckPassword(e.ctx, adultNUI, goodPassword, c); !errors.Is(err, identity.ErrThrottled) {
			t.Errorf("from a throttled address = %v, want ErrThrottled", err)
		}
		if _, err := e.svc.CheckPassword(e.ctx, adultNUI, goodPassword, identity.Client{Address: "203.0.113.8"}); err != nil {
			t.Errorf("from another address = %v", err)
		}
	})
}

func TestThrottlePolicyDelays(t *testing.T) {
	p := identity.ThrottlePolicy{Free: 2, Base: time.Minute, Max: 10 * time.Minute}
	var got []time.Duration
	for n := 1; n <= 7; n++ {
		got = append(got, p.Delay(n))
	}
	want := []time.Duration{0, 0, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delays (-want +got):\n%s", diff)
	}
}

func TestSuspensionEndsSessionsAtOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acc := e.registerCitizen()
		e.signIn(adultNUI, goodPassword)
		if _, err := e.svc.StartSession(e.ctx, acc.ID, "second-browser", identity.MethodPassword, identity.Client{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(e.ctx, "session-"+adultNUI, identity.Client{}); err != nil {
			t.Fatalf("before suspension: %v", err)
		}
		if err := e.svc.Suspend(e.ctx, e.operator, acc.ID, ""); !errors.Is(err, identity.ErrReasonRequired) {
			t.Errorf("suspend without reason = %v", err)
		}
		if err := e.svc.Suspend(e.ctx, e.operator, acc.ID, "pedido de la titular"); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{"session-" + adultNUI, "second-browser"} {
			if _, err := e.svc.Authenticate(e.ctx, tok, identity.Client{}); err != identity.ErrNoSession {
				t.Errorf("session %s after suspension = %v, want ErrNoSession", tok, err)
			}
		}
		if _, err := e.svc.CheckPassword(e.ctx, adultNUI, goodPassword, identity.Client{}); !errors.Is(err, identity.ErrSuspended) {
			t.Errorf("sign-in of a suspended account = %v, want ErrSuspended", err)
		}
		if _, err := e.svc.StartSession(e.ctx, acc.ID, "third", identity.MethodPassword, identity.Client{}); err == nil {
			t.Error("a session started for a suspended account")
		}
		if err := e.svc.Suspend(e.ctx, e.operator, acc.ID, "otra vez"); !errors.Is(err, identity.ErrAlreadySuspended) {
			t.Errorf("suspending twice = %v", err)
		}
		// Reactivation lets the person back in, with a new sign-in.
		if err := e.svc.Reactivate(e.ctx, e.operator, acc.ID, "la titular lo pidió en persona"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(e.ctx, "session-"+adultNUI, identity.Client{}); err != identity.ErrNoSession {
			t.Errorf("old session after reactivation = %v, want ErrNoSession", err)
		}
		e.signIn(adultNUI, goodPassword)
		rec, _ := e.svc.AccountRecord(e.ctx, e.operator, acc.ID)
		var actions []string
		for _, h := range rec.History {
			actions = append(actions, h.Action+": "+h.Reason)
		}
		want := []string{"cuenta.reactivar: la titular lo pidió en persona", "cuenta.suspender: pedido de la titular", "cuenta.registrar: "}
		if diff := cmp.Diff(want, actions); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
	})
}

func TestSessionsIdleLifetimeAndRevocation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acc := e.registerCitizen()
		p := e.signIn(adultNUI, goodPassword)
		other, err := e.svc.StartSession(e.ctx, acc.ID, "phone", identity.MethodPassword, identity.Client{Address: "198.51.100.9", UserAgent: "Safari"})
		if err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.Sessions(e.ctx, p)
		if err != nil || len(list) != 2 {
			t.Fatalf("sessions = %+v, %v", list, err)
		}
		// Another person cannot end them.
		e.clock.Advance(time.Minute)
		op := e.operator
		if err := e.svc.RevokeSession(e.ctx, op, other.SessionID); !errors.Is(err, identity.ErrNotFound) {
			t.Errorf("revoking another person's session = %v", err)
		}
		if err := e.svc.RevokeSession(e.ctx, p, other.SessionID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(e.ctx, "phone", identity.Client{}); err != identity.ErrNoSession {
			t.Errorf("revoked session = %v", err)
		}
		// Idle: used every 29 minutes the session lives; after 31 idle minutes it ends.
		for range 5 {
			e.clock.Advance(29 * time.Minute)
			if _, err := e.svc.Authenticate(e.ctx, "session-"+adultNUI, identity.Client{}); err != nil {
				t.Fatalf("active session: %v", err)
			}
		}
		e.clock.Advance(31 * time.Minute)
		if _, err := e.svc.Authenticate(e.ctx, "session-"+adultNUI, identity.Client{}); err != identity.ErrNoSession {
			t.Errorf("idle session = %v, want ErrNoSession", err)
		}
		// Lifetime: 12 hours at most, however busy.
		e.signIn(adultNUI, goodPassword)
		for i := 0; i < 12*60/20; i++ {
			e.clock.Advance(20 * time.Minute)
			_, err := e.svc.Authenticate(e.ctx, "session-"+adultNUI, identity.Client{})
			if i < 12*60/20-1 && err != nil {
				t.Fatalf("after %d min: %v", (i+1)*20, err)
			}
			if i == 12*60/20-1 && err != identity.ErrNoSession {
				t.Errorf("after 12 h: %v, want ErrNoSession", err)
			}
		}
		hist, err := e.svc.SignInHistory(e.ctx, acc.ID, 10)
		if err != nil || len(hist) != 3 || hist[0].Outcome != identity.OutcomeOK || hist[1].Address != "198.51.100.9" {
			t.Errorf("history = %+v, %v", hist, err)
		}
	})
}

func TestPasswordResetLinks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acc := e.registerCitizen()
		e.signIn(adultNUI, goodPassword)
		before := e.counts()
		for _, id := range []string{minorNUI, unknownNUI} {
			if err := e.svc.RequestPasswordReset(e.ctx, id, identity.Client{}); err != nil {
				t.Errorf("reset for %s without account = %v, want nil (reveal nothing)", id, err)
			}
		}
		if after := e.counts(); after != before {
			t.Errorf("a reset for nobody queued something: %v to %v", before, after)
		}
		if err := e.svc.RequestPasswordReset(e.ctx, adultNUI, identity.Client{}); err != nil {
			t.Fatal(err)
		}
		sent := e.mails.last(t, identity.MailReset)
		if sent.To != acc.Email {
			t.Errorf("reset sent to %s", sent.To)
		}
		token := tokenOf(sent.Data.Link)
		newPassword := "otra frase larga y segura"
		if _, err := e.svc.ResetPassword(e.ctx, token, newPassword, newPassword+"x"); !errors.Is(err, identity.ErrPasswordMismatch) {
			t.Errorf("mismatch = %v", err)
		}
		if _, err := e.svc.ResetPassword(e.ctx, token, newPassword, newPassword); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(e.ctx, "session-"+adultNUI, identity.Client{}); err != identity.ErrNoSession {
			t.Errorf("a session survived the reset: %v", err)
		}
		if _, err := e.svc.ResetPassword(e.ctx, token, "una tercera frase larga", "una tercera frase larga"); !errors.Is(err, identity.ErrTokenInvalid) {
			t.Errorf("reused reset link = %v, want ErrTokenInvalid", err)
		}
		if _, err := e.svc.CheckPassword(e.ctx, adultNUI, newPassword, identity.Client{}); err != nil {
			t.Errorf("new password: %v", err)
		}
		// Expiry after one hour.
		if err := e.svc.RequestPasswordReset(e.ctx, adultNUI, identity.Client{}); err != nil {
			t.Fatal(err)
		}
		token = tokenOf(e.mails.last(t, identity.MailReset).Data.Link)
		e.clock.Advance(time.Hour)
		if _, err := e.svc.ResetPassword(e.ctx, token, "una tercera frase larga", "una tercera frase larga"); !errors.Is(err, identity.ErrTokenInvalid) {
			t.Errorf("reset link after 1 h = %v, want ErrTokenInvalid", err)
		}
		// A token of one purpose cannot serve another.
		if err := e.svc.RequestPasswordReset(e.ctx, adultNUI, identity.Client{}); err != nil {
			t.Fatal(err)
		}
		token = tokenOf(e.mails.last(t, identity.MailReset).Data.Link)
		if _, err := e.svc.Activate(e.ctx, token, "una tercera frase larga", "una tercera frase larga"); !errors.Is(err, identity.ErrTokenInvalid) {
			t.Errorf("reset link used to activate = %v", err)
		}
		// Emails are limited per account, silently.
		n := e.mails.count(identity.MailReset)
		for range 5 {
			if err := e.svc.RequestPasswordReset(e.ctx, adultNUI, identity.Client{}); err != nil {
				t.Fatal(err)
			}
		}
		if got := e.mails.count(identity.MailReset) - n; got != 0 {
			t.Errorf("%d more reset emails past the limit, want 0", got)
		}
	})
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acc := e.registerCitizen()
		p := e.signIn(adultNUI, goodPassword)
		if _, err := e.svc.StartSession(e.ctx, acc.ID, "phone", identity.MethodPassword, identity.Client{}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ChangePassword(e.ctx, p, "mal", "nueva frase bastante larga", "nueva frase bastante larga"); !errors.Is(err, identity.ErrPasswordWrong) {
			t.Errorf("wrong current = %v", err)
		}
		if err := e.svc.ChangePassword(e.ctx, p, goodPassword, "maria guaman 2026 xyz", "maria guaman 2026 xyz"); !errors.Is(err, identity.ErrPasswordPersonal) {
			t.Errorf("password with the names = %v", err)
		}
		if err := e.svc.ChangePassword(e.ctx, p, goodPassword, "nueva frase bastante larga", "nueva frase bastante larga"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(e.ctx, "phone", identity.Client{}); err != identity.ErrNoSession {
			t.Errorf("other session = %v", err)
		}
		if _, err := e.svc.Authenticate(e.ctx, "session-"+adultNUI, identity.Client{}); err != nil {
			t.Errorf("current session = %v", err)
		}
	})
}

func TestEmailChangeVerifiedAtNewAddress(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.registerCitizen()
		p := e.signIn(adultNUI, goodPassword)
		if err := e.svc.RequestEmailChange(e.ctx, p, goodPassword, "maria@example.test"); !errors.Is(err, identity.ErrEmailUnchanged) {
			t.Errorf("same address = %v", err)
		}
		if err := e.svc.RequestEmailChange(e.ctx, p, "mal", "nueva@example.test"); !errors.Is(err, identity.ErrPasswordWrong) {
			t.Errorf("wrong password = %v", err)
		}
		if err := e.svc.RequestEmailChange(e.ctx, p, goodPassword, "nueva@example.test"); err != nil {
			t.Fatal(err)
		}
		sent := e.mails.last(t, identity.MailVerifyEmail)
		if sent.To != "nueva@example.test" {
			t.Errorf("verification sent to %s", sent.To)
		}
		if a, _ := e.svc.Account(e.ctx, p.ID); a.Email != "maria@example.test" {
			t.Errorf("the address changed before verification: %s", a.Email)
		}
		acc, err := e.svc.ConfirmEmailChange(e.ctx, tokenOf(sent.Data.Link))
		if err != nil {
			t.Fatal(err)
		}
		if acc.Email != "nueva@example.test" {
			t.Errorf("email = %s", acc.Email)
		}
		notice := e.mails.last(t, identity.MailEmailChanged)
		if notice.To != "maria@example.test" || notice.Data.NewEmail != "nu***@example.test" {
			t.Errorf("notice = %+v", notice)
		}
		if _, err := e.svc.ConfirmEmailChange(e.ctx, tokenOf(sent.Data.Link)); !errors.Is(err, identity.ErrTokenInvalid) {
			t.Errorf("second confirmation = %v", err)
		}
	})
}

func TestOperatorChangesEmail(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acc, err := e.svc.RegisterInPerson(e.ctx, e.operator, adultNUI, "maria@example.test")
		if err != nil {
			t.Fatal(err)
		}
		first := tokenOf(e.mails.last(t, identity.MailActivation).Data.Link)
		if err := e.svc.ChangeEmail(e.ctx, e.operator, acc.ID, "maria", "error de digitación"); !errors.Is(err, identity.ErrEmailInvalid) {
			t.Errorf("bad address = %v", err)
		}
		if err := e.svc.ChangeEmail(e.ctx, e.operator, acc.ID, "maria.j@example.test", "error de digitación"); err != nil {
			t.Fatal(err)
		}
		if m := e.mails.last(t, identity.MailActivation); m.To != "maria.j@example.test" {
			t.Errorf("new activation went to %s", m.To)
		}
		if m := e.mails.last(t, identity.MailEmailChanged); m.To != "maria@example.test" {
			t.Errorf("notice went to %s", m.To)
		}
		if _, err := e.svc.Activate(e.ctx, first, goodPassword, goodPassword); !errors.Is(err, identity.ErrTokenInvalid) {
			t.Errorf("the link sent to the old address = %v", err)
		}
		if err := e.svc.ChangeEmail(e.ctx, e.operator, e.operator.ID, "yo@example.test", "prueba"); !errors.Is(err, identity.ErrOwnAccount) {
			t.Errorf("an operator changed his own email: %v", err)
		}
	})
}
