package identity_test

import (
	"encoding/json"
	"errors"
	"testing"

	"buzon/internal/identity"
	"buzon/internal/identity/passkeytest"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestPasskeyRegistrationAndSignIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		acc := e.registerCitizen()
		p := e.signIn(adultNUI, goodPassword)
		phone := passkeytest.New("http://localhost:8080")
		phone.Counter = true

		options, state, err := e.svc.BeginPasskeyRegistration(e.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		var o struct {
			PublicKey struct {
				RP                     struct{ ID, Name string }
				User                   struct{ Name, DisplayName string }
				AuthenticatorSelection struct{ ResidentKey string }
			}
		}
		if err := json.Unmarshal(options, &o); err != nil {
			t.Fatal(err)
		}
		if o.PublicKey.RP.ID != "localhost" || o.PublicKey.User.Name != adultNUI || o.PublicKey.User.DisplayName != "María José Guamán Ortiz" ||
			o.PublicKey.AuthenticatorSelection.ResidentKey != "preferred" {
			t.Errorf("creation options = %s", options)
		}
		answer, err := phone.Create(options)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FinishPasskeyRegistration(e.ctx, p, state, []byte(`{"id":"x"}`), ""); !errors.Is(err, identity.ErrPasskeyFailed) {
			t.Errorf("garbage answer = %v", err)
		}
		info, err := e.svc.FinishPasskeyRegistration(e.ctx, p, state, answer, "Mi teléfono")
		if err != nil {
			t.Fatal(err)
		}
		keys, _ := e.svc.Passkeys(e.ctx, p)
		if len(keys) != 1 || keys[0].Name != "Mi teléfono" || keys[0].ID != info.ID {
			t.Errorf("passkeys = %+v", keys)
		}
		// The same authenticator cannot register twice: it is excluded.
		options, _, _ = e.svc.BeginPasskeyRegistration(e.ctx, p)
		if _, err := phone.Create(options); err == nil {
			t.Error("the registered credential was not excluded")
		}

		// Passwordless sign-in.
		options, state, err = e.svc.BeginPasskeySignIn(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		answer, err = phone.Get(options)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.FinishPasskeySignIn(e.ctx, state, answer, identity.Client{Address: "192.0.2.77"})
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != acc.ID {
			t.Errorf("signed in as %s, want %s", got.ID, acc.ID)
		}
		// The same answer again (a replay) fails: the challenge is spent with the state,
		// and the counter no longer grows.
		if _, err := e.svc.FinishPasskeySignIn(e.ctx, state, answer, identity.Client{Address: "192.0.2.77"}); !errors.Is(err, identity.ErrPasskeyFailed) {
			t.Errorf("replayed assertion = %v, want ErrPasskeyFailed", err)
		}
		// A cloned authenticator (counter going back) is refused.
		phone.Rewind()
		options, state, _ = e.svc.BeginPasskeySignIn(e.ctx)
		answer, _ = phone.Get(options)
		if _, err := e.svc.FinishPasskeySignIn(e.ctx, state, answer, identity.Client{}); !errors.Is(err, identity.ErrPasskeyFailed) {
			t.Errorf("cloned authenticator = %v, want ErrPasskeyFailed", err)
		}

		// As the second step after a password.
		setup, _ := e.svc.BeginTOTP(e.ctx, p)
		if _, err := e.svc.ConfirmTOTP(e.ctx, p, e.code(setup.URI)); err != nil {
			t.Fatal(err)
		}
		step, err := e.svc.CheckPassword(e.ctx, adultNUI, goodPassword, identity.Client{})
		if err != nil || !step.SecondFactor || !step.Passkeys {
			t.Fatalf("step = %+v, %v", step, err)
		}
		phone.Counter = true
		for range 5 {
			phone.Get(mustOptions(t, e)) // move the counter past the stored one
		}
		options, state, err = e.svc.BeginPasskeySecondFactor(e.ctx, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		answer, err = phone.Get(options)
		if err != nil {
			t.Fatal(err)
		}
		method, err := e.svc.FinishPasskeySecondFactor(e.ctx, acc.ID, state, answer, identity.Client{})
		if err != nil || method != identity.MethodPasswordPasskey {
			t.Errorf("second factor = %q, %v", method, err)
		}

		// Another person's passkey id cannot be deleted; one's own can.
		if err := e.svc.DeletePasskey(e.ctx, e.operator, info.ID); !errors.Is(err, identity.ErrNotFound) {
			t.Errorf("deleting another's passkey = %v", err)
		}
		if err := e.svc.DeletePasskey(e.ctx, p, info.ID); err != nil {
			t.Fatal(err)
		}
		options, state, _ = e.svc.BeginPasskeySignIn(e.ctx)
		answer, _ = phone.Get(options)
		if _, err := e.svc.FinishPasskeySignIn(e.ctx, state, answer, identity.Client{}); !errors.Is(err, identity.ErrPasskeyFailed) {
			t.Errorf("deleted passkey = %v, want ErrPasskeyFailed", err)
		}
	})
}

func mustOptions(t *testing.T, e *env) []byte {
	o, _, err := e.svc.BeginPasskeySignIn(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestPasskeyFromAnotherOriginIsRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.registerCitizen()
		p := e.signIn(adultNUI, goodPassword)
		options, state, _ := e.svc.BeginPasskeyRegistration(e.ctx, p)
		answer, err := passkeytest.New("http://evil.example").Create(options)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FinishPasskeyRegistration(e.ctx, p, state, answer, ""); !errors.Is(err, identity.ErrPasskeyFailed) {
			t.Errorf("registration from another origin = %v, want ErrPasskeyFailed", err)
		}
	})
}
