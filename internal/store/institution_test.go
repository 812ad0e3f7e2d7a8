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

func newInstitutionRequest(ruc string) *store.InstitutionRequest {
	return &store.InstitutionRequest{
		Tracking: "SOL-" + ruc, Kind: "activacion", State: "pendiente", RUC: ruc, RUCKind: "public",
		Name: "Ministerio de Pruebas", Acronym: "MP", Sector: "ejecutiva", Address: "Av. Amazonas N1-1, Quito",
		Website: "https://mp.gob.ec", ContactPhone: "022000000", ContactEmail: "info@mp.gob.ec", Modality: "plataforma",
		RequesterNames: "Ana Pérez", RequesterNUI: "1714307103", RequesterPosition: "Ministra", RequesterEmail: "ana@mp.gob.ec",
		AdminNames: "Luis Mora", AdminNUI: "1700000001", AdminPosition: "Director TIC", AdminEmail: "luis@mp.gob.ec",
		AdminPhone: "022000001", SubmittedAt: t0,
	}
}

func TestInstitutionRequestsOnePendingPerRUC(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newInstitutionRequest("1760000000001")
		write := func(r *store.InstitutionRequest) error {
			return db.Write(ctx, func(tx *store.Tx) error { return tx.CreateInstitutionRequest(ctx, r) })
		}
		if err := write(r); err != nil {
			t.Fatal(err)
		}
		got, err := db.Reader().InstitutionRequestByTracking(ctx, r.Tracking)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r, got); diff != "" {
			t.Errorf("request read back differs (-want +got):\n%s", diff)
		}
		second := newInstitutionRequest("1760000000001")
		second.Tracking = "SOL-OTRA"
		if err := write(second); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("second pending request for one RUC = %v, want ErrDuplicate", err)
		}
		// Once decided, the RUC may ask again.
		err = db.Write(ctx, func(tx *store.Tx) error {
			return tx.DecideInstitutionRequest(ctx, r.ID, "rechazada", "", "", "falta la firma", t0.Add(time.Hour))
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			return tx.DecideInstitutionRequest(ctx, r.ID, "aprobada", "", "", "otra vez", t0.Add(2*time.Hour))
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deciding a decided request = %v, want ErrNotFound", err)
		}
		if err := write(second); err != nil {
			t.Errorf("new request after a decision: %v", err)
		}
		decided, err := db.Reader().InstitutionRequestByID(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if decided.State != "rechazada" || decided.DecisionReason != "falta la firma" || !decided.DecidedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("decided request = %+v", decided)
		}
	})
}

func TestInstitutionRequestQueueFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newInstitutionRequest("1760000000001")
		b := newInstitutionRequest("1790011223001")
		b.Tracking, b.Name, b.Acronym, b.RUCKind, b.SubmittedAt = "SOL-B", "Empresa Eléctrica", "EE", "company", t0.Add(time.Minute)
		for _, r := range []*store.InstitutionRequest{a, b} {
			if err := db.Write(ctx, func(tx *store.Tx) error { return tx.CreateInstitutionRequest(ctx, r) }); err != nil {
				t.Fatal(err)
			}
		}
		trackings := func(f store.InstitutionRequestFilter) []string {
			rs, err := db.Reader().ListInstitutionRequests(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rs {
				out = append(out, r.Tracking)
			}
			return out
		}
		for _, tc := range []struct {
			name string
			f    store.InstitutionRequestFilter
			want []string
		}{
			{"all, oldest first", store.InstitutionRequestFilter{}, []string{a.Tracking, "SOL-B"}},
			{"flagged RUC", store.InstitutionRequestFilter{Flagged: true}, []string{"SOL-B"}},
			{"text in name", store.InstitutionRequestFilter{Text: "eléctrica"}, []string{"SOL-B"}},
			{"text in RUC", store.InstitutionRequestFilter{Text: "17600"}, []string{a.Tracking}},
			{"like wildcards are literal", store.InstitutionRequestFilter{Text: "%"}, nil},
			{"state", store.InstitutionRequestFilter{State: "aprobada"}, nil},
			{"malformed institution id", store.InstitutionRequestFilter{InstitutionID: "x'; --"}, nil},
		} {
			if diff := cmp.Diff(tc.want, trackings(tc.f)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, diff)
			}
		}
		n, err := db.Reader().CountInstitutionRequests(ctx, "pendiente")
		if err != nil || n != 2 {
			t.Errorf("pending count = %d, %v; want 2", n, err)
		}
	})
}

func TestInstitutionsAndStaff(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		req := newInstitutionRequest("1760000000001")
		admin := newIdentity(t, db, "1700000001")
		inst := &store.Institution{Name: "Ministerio de Pruebas", Acronym: "MP", RUC: "1760000000001", RUCKind: "public",
			Sector: "ejecutiva", Modality: "plataforma", State: "activa", DailyQuota: 1000, Address: "Quito",
			CreatedAt: t0}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateInstitutionRequest(ctx, req); err != nil {
				return err
			}
			inst.RequestID = req.ID
			if err := tx.CreateInstitution(ctx, inst); err != nil {
				return err
			}
			if err := tx.DecideInstitutionRequest(ctx, req.ID, "aprobada", inst.ID, admin.ID, "completo", t0); err != nil {
				return err
			}
			return tx.AddInstitutionStaff(ctx, &store.InstitutionStaff{InstitutionID: inst.ID, IdentityID: admin.ID,
				Role: "admin_institucional", NUI: admin.NUI, FullName: "Luis Mora", Email: "luis@mp.gob.ec", RequestID: req.ID,
				StartedAt: t0})
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Reader().InstitutionByRUC(ctx, "1760000000001")
		if err != nil {
			t.Fatal(err)
		}
		inst.UpdatedAt = inst.CreatedAt
		if diff := cmp.Diff(inst, got); diff != "" {
			t.Errorf("institution read back differs (-want +got):\n%s", diff)
		}
		dup := *inst
		dup.ID = ""
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.CreateInstitution(ctx, &dup) }); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("second institution with one RUC = %v, want ErrDuplicate", err)
		}
		// A second open appointment in the same role is refused; after it ends, a new one is fine.
		staff, err := db.Reader().InstitutionStaffOf(ctx, inst.ID, "admin_institucional", true)
		if err != nil || len(staff) != 1 {
			t.Fatalf("current administrators = %v, %v", staff, err)
		}
		again := &store.InstitutionStaff{InstitutionID: inst.ID, IdentityID: admin.ID, Role: "admin_institucional",
			NUI: admin.NUI, FullName: "Luis Mora", Email: "luis@mp.gob.ec", StartedAt: t0.Add(time.Hour)}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.AddInstitutionStaff(ctx, again) }); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("second open appointment = %v, want ErrDuplicate", err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.EndInstitutionStaff(ctx, staff[0].ID, admin.ID, "cambio", t0.Add(time.Hour)); err != nil {
				return err
			}
			return tx.AddInstitutionStaff(ctx, again)
		})
		if err != nil {
			t.Fatal(err)
		}
		history, err := db.Reader().InstitutionStaffOf(ctx, inst.ID, "", false)
		if err != nil {
			t.Fatal(err)
		}
		if len(history) != 2 || history[0].ID != again.ID || history[1].EndReason != "cambio" {
			t.Errorf("history = %+v", history)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.EndInstitutionStaff(ctx, staff[0].ID, "", "", t0)
		}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ending an ended appointment = %v, want ErrNotFound", err)
		}

		// State, quota, modality, profile.
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.SetInstitutionState(ctx, inst.ID, "suspendida", "auditoría", t0); err != nil {
				return err
			}
			if err := tx.SetInstitutionQuota(ctx, inst.ID, 50, t0); err != nil {
				return err
			}
			if err := tx.SetInstitutionModality(ctx, inst.ID, "interconexion", t0); err != nil {
				return err
			}
			return tx.SetInstitutionProfile(ctx, inst.ID, store.InstitutionProfile{Address: "Guayaquil", OfficeHours: "8:00–17:00"}, t0)
		})
		if err != nil {
			t.Fatal(err)
		}
		state, err := db.Reader().InstitutionState(ctx, inst.ID)
		if err != nil || state != "suspendida" {
			t.Errorf("state = %q, %v", state, err)
		}
		got, _ = db.Reader().InstitutionByID(ctx, inst.ID)
		if got.DailyQuota != 50 || got.Modality != "interconexion" || got.Address != "Guayaquil" || got.StateReason != "auditoría" {
			t.Errorf("after changes: %+v", got)
		}
		list, err := db.Reader().ListInstitutions(ctx, store.InstitutionFilter{State: "activa"})
		if err != nil || len(list) != 0 {
			t.Errorf("active institutions = %v, %v; want none", list, err)
		}
		if _, err := db.Reader().InstitutionState(ctx, "garbage"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("state of a malformed id = %v, want ErrNotFound", err)
		}

		// Logo.
		if sum, err := db.Reader().InstitutionLogoSum(ctx, inst.ID); err != nil || sum != "" {
			t.Errorf("logo sum before upload = %q, %v", sum, err)
		}
		for _, content := range []string{"one", "two"} {
			l := &store.InstitutionLogo{InstitutionID: inst.ID, Content: []byte(content), ContentType: "image/png", SHA256: content, UpdatedAt: t0}
			if err := db.Write(ctx, func(tx *store.Tx) error { return tx.SetInstitutionLogo(ctx, l) }); err != nil {
				t.Fatal(err)
			}
		}
		logo, err := db.Reader().InstitutionLogoOf(ctx, inst.ID)
		if err != nil || string(logo.Content) != "two" {
			t.Errorf("logo = %v, %v", logo, err)
		}
	})
}

func TestInstitutionDocuments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		req := newInstitutionRequest("1760000000001")
		docs := []*store.InstitutionDocument{
			{Kind: "oficio", Filename: "oficio.pdf", BlobKey: "k/1", Size: 10, SHA256: "aa", CreatedAt: t0},
			{Kind: "delegacion", Filename: "delegacion.pdf", BlobKey: "k/2", Size: 20, SHA256: "bb", CreatedAt: t0},
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateInstitutionRequest(ctx, req); err != nil {
				return err
			}
			for _, d := range docs {
				d.RequestID = req.ID
				if err := tx.AddInstitutionDocument(ctx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Reader().InstitutionDocumentsOf(ctx, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]store.InstitutionDocument{*docs[0], *docs[1]}, got); diff != "" {
			t.Errorf("documents (-want +got):\n%s", diff)
		}
	})
}
