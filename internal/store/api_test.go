package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

var apiT0 = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// apiInstitution creates an active institution in the interconnection modality.
func apiInstitution(t *testing.T, db *store.DB, ruc string) *store.Institution {
	t.Helper()
	inst := &store.Institution{Name: "Servicio de Pruebas " + ruc, Acronym: "SP", RUC: ruc, RUCKind: "public", Sector: "ejecutiva",
		Modality: "interconexion", State: "activa", DailyQuota: 100, Address: "Quito", RequestID: store.NewID(), CreatedAt: apiT0}
	if err := db.Write(context.Background(), func(tx *store.Tx) error { return tx.CreateInstitution(context.Background(), inst) }); err != nil {
		t.Fatal(err)
	}
	return inst
}

func apiKey(t *testing.T, db *store.DB, inst *store.Institution, prefix string) *store.APIKey {
	t.Helper()
	k := &store.APIKey{InstitutionID: inst.ID, Name: "ERP", Mode: "live", Prefix: prefix, Hash: []byte("h-" + prefix), CreatedAt: apiT0}
	if err := db.Write(context.Background(), func(tx *store.Tx) error { return tx.InsertAPIKey(context.Background(), k) }); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestAPIKeysRoundTripRevokeAndTouch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inst := apiInstitution(t, db, "1760000010001")
		other := apiInstitution(t, db, "1760000020001")
		k := apiKey(t, db, inst, "bzn_live_aaaa1111")
		dup := &store.APIKey{InstitutionID: inst.ID, Name: "x", Mode: "test", Prefix: k.Prefix, Hash: []byte("x"), CreatedAt: apiT0}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertAPIKey(ctx, dup) }); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("second key with one prefix = %v, want ErrDuplicate", err)
		}
		got, err := db.Reader().APIKeyByPrefix(ctx, k.Prefix)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(k, got); diff != "" {
			t.Errorf("key read back differs (-want +got):\n%s", diff)
		}
		if _, err := db.Reader().APIKeyByID(ctx, other.ID, k.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("key read by another institution = %v, want ErrNotFound", err)
		}
		// Touch writes at most once per interval.
		used := apiT0.Add(time.Hour)
		touch := func(now time.Time) {
			if err := db.Write(ctx, func(tx *store.Tx) error { return tx.TouchAPIKey(ctx, k.ID, now, now.Add(-time.Minute)) }); err != nil {
				t.Fatal(err)
			}
		}
		touch(used)
		touch(used.Add(30 * time.Second))
		if got, _ := db.Reader().APIKeyByID(ctx, inst.ID, k.ID); !got.LastUsedAt.Equal(used) {
			t.Errorf("last used = %v, want %v (the second touch came within the interval)", got.LastUsedAt, used)
		}
		touch(used.Add(2 * time.Minute))
		if got, _ := db.Reader().APIKeyByID(ctx, inst.ID, k.ID); !got.LastUsedAt.Equal(used.Add(2 * time.Minute)) {
			t.Errorf("last used = %v, want the later touch", got.LastUsedAt)
		}
		revoke := func(inst string) error {
			return db.Write(ctx, func(tx *store.Tx) error { return tx.RevokeAPIKey(ctx, inst, k.ID, "admin", used) })
		}
		if err := revoke(other.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoking another institution's key = %v, want ErrNotFound", err)
		}
		if err := revoke(inst.ID); err != nil {
			t.Fatal(err)
		}
		if err := revoke(inst.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoking twice = %v, want ErrNotFound", err)
		}
		list, err := db.Reader().APIKeysOf(ctx, inst.ID)
		if err != nil || len(list) != 1 || !list[0].RevokedAt.Equal(used) {
			t.Errorf("keys of institution = %+v, %v", list, err)
		}
	})
}

func TestIdempotencyClaims(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inst := apiInstitution(t, db, "1760000030001")
		k := apiKey(t, db, inst, "bzn_live_bbbb2222")
		claim := func(owner, fp string, now time.Time) (bool, *store.IdempotencyRecord) {
			t.Helper()
			var ok bool
			var ex *store.IdempotencyRecord
			err := db.Write(ctx, func(tx *store.Tx) error {
				var err error
				ok, ex, err = tx.ClaimIdempotencyKey(ctx, &store.IdempotencyRecord{APIKeyID: k.ID, Key: "k1", Fingerprint: []byte(fp),
					Owner: owner, LockedUntil: now.Add(time.Minute), CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}, now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return ok, ex
		}
		if ok, _ := claim("a", "fp1", apiT0); !ok {
			t.Fatal("first claim refused")
		}
		if ok, ex := claim("b", "fp1", apiT0.Add(time.Second)); ok || ex.State != store.IdempotencyInProgress || ex.Owner != "a" {
			t.Fatalf("claim while in progress = %v, %+v", ok, ex)
		}
		// The lease runs out: a retry with the same request takes over; with another it does not.
		if ok, _ := claim("c", "fp2", apiT0.Add(2*time.Minute)); ok {
			t.Fatal("abandoned claim taken over by a different request")
		}
		if ok, _ := claim("b", "fp1", apiT0.Add(2*time.Minute)); !ok {
			t.Fatal("abandoned claim not taken over")
		}
		// The old owner lost it.
		err := db.Write(ctx, func(tx *store.Tx) error { return tx.ConfirmIdempotencyClaim(ctx, k.ID, "k1", "a") })
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("confirm by the old owner = %v, want ErrNotFound", err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.ConfirmIdempotencyClaim(ctx, k.ID, "k1", "b"); err != nil {
				return err
			}
			return tx.CompleteIdempotency(ctx, k.ID, "k1", "b", 201, `{"Location":"/x"}`, []byte(`{"ok":true}`))
		})
		if err != nil {
			t.Fatal(err)
		}
		ok, ex := claim("d", "fp1", apiT0.Add(time.Hour))
		if ok || ex.State != store.IdempotencyDone || ex.Status != 201 || string(ex.Body) != `{"ok":true}` || ex.Headers != `{"Location":"/x"}` {
			t.Fatalf("claim of a done key = %v, %+v", ok, ex)
		}
		// After it expires the key is new again.
		if ok, _ := claim("e", "fp9", apiT0.Add(25*time.Hour)); !ok {
			t.Fatal("expired key not reclaimed")
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.ReleaseIdempotencyKey(ctx, k.ID, "k1", "e") }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Reader().IdempotencyRecordOf(ctx, k.ID, "k1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("released key still stored: %v", err)
		}
	})
}

func TestRateWindowsCountAndCleanUp(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		count := func(inst string, w time.Time) int {
			var n int
			if err := db.Write(ctx, func(tx *store.Tx) error {
				var err error
				n, err = tx.CountAPIRequest(ctx, inst, w, w.Add(-time.Hour))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		var got []int
		for range 3 {
			got = append(got, count("a", apiT0))
		}
		got = append(got, count("b", apiT0), count("a", apiT0.Add(time.Minute)), count("a", apiT0.Add(2*time.Hour)))
		if diff := cmp.Diff([]int{1, 2, 3, 1, 1, 1}, got); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
	})
}

func TestSavepointUndoesOnlyWhatFollows(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inst := apiInstitution(t, db, "1760000040001")
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.InsertAPIKey(ctx, &store.APIKey{InstitutionID: inst.ID, Name: "kept", Mode: "live", Prefix: "p1", Hash: []byte{1}, CreatedAt: apiT0}); err != nil {
				return err
			}
			if err := tx.Savepoint(ctx, "try_1"); err != nil {
				return err
			}
			if err := tx.InsertAPIKey(ctx, &store.APIKey{InstitutionID: inst.ID, Name: "undone", Mode: "live", Prefix: "p2", Hash: []byte{2}, CreatedAt: apiT0}); err != nil {
				return err
			}
			// A failing statement: on PostgreSQL it would abort the transaction without the savepoint.
			if err := tx.InsertAPIKey(ctx, &store.APIKey{InstitutionID: inst.ID, Name: "dup", Mode: "live", Prefix: "p2", Hash: []byte{3}, CreatedAt: apiT0}); !errors.Is(err, store.ErrDuplicate) {
				return fmt.Errorf("duplicate prefix = %v", err)
			}
			return tx.RollbackTo(ctx, "try_1")
		})
		if err != nil {
			t.Fatal(err)
		}
		keys, err := db.Reader().APIKeysOf(ctx, inst.ID)
		if err != nil || len(keys) != 1 || keys[0].Name != "kept" {
			t.Errorf("keys after the savepoint = %+v, %v", keys, err)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.Savepoint(ctx, "bad name; DROP") }); err == nil {
			t.Error("a savepoint name with SQL in it was accepted")
		}
	})
}

func TestAPIBatchItemsAndProgress(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inst := apiInstitution(t, db, "1760000050001")
		k := apiKey(t, db, inst, "bzn_live_cccc3333")
		b := &store.APIBatch{InstitutionID: inst.ID, APIKeyID: k.ID, Mode: "live", CreatedAt: apiT0}
		reqs := make([][]byte, 600)
		for i := range reqs {
			reqs[i] = []byte(fmt.Sprintf(`{"n":%d}`, i))
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertAPIBatch(ctx, b, reqs) }); err != nil {
			t.Fatal(err)
		}
		pending, err := db.Reader().APIBatchItems(ctx, b.ID, 0, 10, true)
		if err != nil || len(pending) != 10 || pending[0].Position != 1 || string(pending[9].Request) != `{"n":9}` {
			t.Fatalf("pending items = %+v, %v", pending, err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			for _, it := range pending {
				if err := tx.FinishAPIBatchItem(ctx, b.ID, it.Position, store.APIBatchItemSucceeded, []byte(`{}`), apiT0); err != nil {
					return err
				}
			}
			return tx.AddAPIBatchProgress(ctx, b.ID, store.APIBatchProgress{Processed: 10, Succeeded: 10, Deposited: 9, Refused: 1}, false, apiT0)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.FinishAPIBatchItem(ctx, b.ID, 1, store.APIBatchItemFailed, nil, apiT0)
		}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("finishing an item twice = %v, want ErrNotFound", err)
		}
		got, err := db.Reader().APIBatch(ctx, inst.ID, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != store.APIBatchProcessing || got.Total != 600 || got.Processed != 10 || got.Deposited != 9 || got.Refused != 1 {
			t.Errorf("batch = %+v", got)
		}
		next, _ := db.Reader().APIBatchItems(ctx, b.ID, 0, 1, true)
		if len(next) != 1 || next[0].Position != 11 {
			t.Errorf("first pending after the chunk = %+v", next)
		}
		other := apiInstitution(t, db, "1760000060001")
		if _, err := db.Reader().APIBatch(ctx, other.ID, b.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("batch read by another institution = %v, want ErrNotFound", err)
		}
	})
}
