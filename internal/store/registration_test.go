package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestRegistrationApplications(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
		app := &store.RegistrationApplication{
			SecretHash: []byte("secret-hash"), NUI: "1714307103", GivenNames: "María José", Surnames: "Guamán Ortiz",
			Email: "maria@example.com", Lang: "es", State: "correo_pendiente", Address: "192.0.2.1",
			CreatedAt: now, ExpiresAt: now.Add(7 * 24 * time.Hour),
		}
		regWrite(t, db, func(tx *store.Tx) error { return tx.CreateRegistrationApplication(ctx, app) })

		got, err := db.Reader().RegistrationApplication(ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		app.UpdatedAt = now
		if diff := cmp.Diff(app, got); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
		if _, err := db.Reader().RegistrationApplication(ctx, "not-a-uuid"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("malformed id: %v, want ErrNotFound", err)
		}

		byEmail, byAddress, err := db.Reader().CountRegistrationApplications(ctx, "maria@example.com", "192.0.2.1", now.Add(-time.Hour))
		if err != nil || byEmail != 1 || byAddress != 1 {
			t.Errorf("counts = %d, %d, %v; want 1, 1", byEmail, byAddress, err)
		}
		byEmail, byAddress, _ = db.Reader().CountRegistrationApplications(ctx, "maria@example.com", "192.0.2.1", now.Add(time.Hour))
		if byEmail != 0 || byAddress != 0 {
			t.Errorf("counts after the window = %d, %d; want 0, 0", byEmail, byAddress)
		}

		// The email code.
		regWrite(t, db, func(tx *store.Tx) error {
			return tx.SetRegistrationEmailCode(ctx, app.ID, []byte("code-hash"), now.Add(30*time.Minute), now)
		})
		for want := 1; want <= 2; want++ {
			regWrite(t, db, func(tx *store.Tx) error {
				n, err := tx.CountRegistrationCodeFailure(ctx, app.ID, now)
				if n != want {
					t.Errorf("failures = %d, want %d", n, want)
				}
				return err
			})
		}
		got, _ = db.Reader().RegistrationApplication(ctx, app.ID)
		if got.EmailCodesSent != 1 || got.EmailCodeFailures != 2 || string(got.EmailCodeHash) != "code-hash" {
			t.Errorf("after code and failures: sent %d failures %d hash %q", got.EmailCodesSent, got.EmailCodeFailures, got.EmailCodeHash)
		}

		// Issuing; the code is unique.
		regWrite(t, db, func(tx *store.Tx) error {
			return tx.IssueRegistrationDocument(ctx, app.ID, "ABCDEFGH12345678", "registro/"+app.ID+"/emitido", "aa", 1234, now)
		})
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.SetRegistrationEmailCode(ctx, app.ID, []byte("x"), now, now)
		}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("code after issuing: %v, want ErrNotFound", err)
		}
		other := *app
		other.ID, other.Email = "", "otro@example.com"
		regWrite(t, db, func(tx *store.Tx) error { return tx.CreateRegistrationApplication(ctx, &other) })
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.IssueRegistrationDocument(ctx, other.ID, "ABCDEFGH12345678", "registro/"+other.ID+"/emitido", "bb", 1, now)
		}); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("second document with the same code: %v, want ErrDuplicate", err)
		}

		// Attempts: many refused, one accepted.
		refused := &store.RegistrationAttempt{ApplicationID: app.ID, AttemptedAt: now.Add(time.Minute), Outcome: "rechazada",
			Step: "pdf", Code: "esign.unsigned", FileSHA256: "cc", FileSize: 10, Report: []byte(`{"steps":[]}`), Address: "192.0.2.1"}
		accepted := &store.RegistrationAttempt{ApplicationID: app.ID, AttemptedAt: now.Add(2 * time.Minute), Outcome: "aceptada",
			FileSHA256: "dd", FileSize: 20, Report: []byte(`{"steps":[1]}`), SignedKey: "registro/" + app.ID + "/firmado",
			SignedSize: 20, Certificate: []byte{0x30, 0x01}, Address: "192.0.2.1"}
		regWrite(t, db, func(tx *store.Tx) error { return tx.AddRegistrationAttempt(ctx, refused) })
		regWrite(t, db, func(tx *store.Tx) error { return tx.AddRegistrationAttempt(ctx, accepted) })
		second := *accepted
		second.ID, second.SignedKey = "", "registro/otra"
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.AddRegistrationAttempt(ctx, &second) }); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("second accepted attempt: %v, want ErrDuplicate", err)
		}
		attempts, err := db.Reader().RegistrationAttempts(ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]store.RegistrationAttempt{*refused, *accepted}, attempts); diff != "" {
			t.Errorf("attempts (-want +got):\n%s", diff)
		}

		// Accepting binds the identity; completing forgets the token.
		identity := &store.Identity{NUI: app.NUI, GivenNames: app.GivenNames, Surnames: app.Surnames, Email: app.Email,
			State: "pendiente", Channel: "virtual", PasskeyHandle: []byte("handle-1"), CreatedAt: now}
		regWrite(t, db, func(tx *store.Tx) error { return tx.CreateIdentity(ctx, identity) })
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.CompleteRegistration(ctx, app.ID, now) }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("complete before accepting: %v, want ErrNotFound", err)
		}
		regWrite(t, db, func(tx *store.Tx) error {
			return tx.AcceptRegistration(ctx, app.ID, identity.ID, []byte("sealed-token"), now.Add(2*time.Minute))
		})
		got, err = db.Reader().RegistrationApplicationOfIdentity(ctx, identity.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != app.ID || got.State != "verificada" || string(got.ActivationToken) != "sealed-token" || got.Code != "ABCDEFGH12345678" {
			t.Errorf("accepted application: %+v", got)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.CancelRegistration(ctx, app.ID, now) }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("cancel a verified application: %v, want ErrNotFound", err)
		}
		regWrite(t, db, func(tx *store.Tx) error { return tx.CompleteRegistration(ctx, app.ID, now.Add(3*time.Minute)) })
		got, _ = db.Reader().RegistrationApplication(ctx, app.ID)
		if got.State != "activada" || got.ActivationToken != nil || !got.ActivatedAt.Equal(now.Add(3*time.Minute)) {
			t.Errorf("completed application: state %s token %v activated %v", got.State, got.ActivationToken, got.ActivatedAt)
		}

		// One application per identity.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.AcceptRegistration(ctx, other.ID, identity.ID, nil, now)
		}); err == nil {
			t.Error("a second application accepted for the same identity")
		}
		regWrite(t, db, func(tx *store.Tx) error { return tx.CancelRegistration(ctx, other.ID, now) })
		got, _ = db.Reader().RegistrationApplication(ctx, other.ID)
		if got.State != "anulada" {
			t.Errorf("cancelled application state = %s", got.State)
		}
		list, err := db.Reader().RegistrationApplicationsByNUI(ctx, app.NUI, 10)
		if err != nil || len(list) != 2 {
			t.Fatalf("applications of the N.U.I.: %d, %v; want 2", len(list), err)
		}
		if list[0].ID != other.ID || list[1].ID != app.ID {
			t.Errorf("applications not newest first: %s, %s", list[0].ID, list[1].ID)
		}
		if list, _ := db.Reader().RegistrationApplicationsByNUI(ctx, "1700000001", 10); len(list) != 0 {
			t.Errorf("%d applications of another N.U.I.", len(list))
		}
		if _, err := db.Reader().RegistrationApplicationOfIdentity(ctx, store.NewID()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("identity without application: %v, want ErrNotFound", err)
		}
	})
}

// regWrite runs fn in a write transaction and fails the test on error.
func regWrite(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Write(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}
