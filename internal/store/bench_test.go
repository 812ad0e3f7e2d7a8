package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestBenchRawInserts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.CreateBenchTable(ctx); err != nil {
			t.Fatal(err)
		}
		payload := make([]byte, 1024)
		for i := range 3 {
			if err := db.BenchInsertOne(ctx, store.BenchRow{ID: int64(i), Recipient: "r", CreatedAt: 1, Payload: payload}); err != nil {
				t.Fatal(err)
			}
		}
		var rows []store.BenchRow
		for i := 3; i < 2503; i++ {
			rows = append(rows, store.BenchRow{ID: int64(i), Recipient: fmt.Sprint("r", i%7), CreatedAt: int64(i), Payload: payload})
		}
		if err := db.BenchInsertMany(ctx, rows); err != nil {
			t.Fatal(err)
		}
		if n, err := db.BenchCount(ctx, "bench_rows"); err != nil || n != 2503 {
			t.Errorf("bench rows = %d, %v; want 2503", n, err)
		}
		// A failed bulk insert (a repeated id) leaves nothing behind.
		if err := db.BenchInsertMany(ctx, []store.BenchRow{{ID: 9000, Recipient: "x", Payload: payload}, {ID: 5, Recipient: "x", Payload: payload}}); err == nil {
			t.Error("a bulk insert repeating an id succeeded")
		}
		if n, _ := db.BenchCount(ctx, "bench_rows"); n != 2503 {
			t.Errorf("bench rows after a failed bulk insert = %d, want 2503", n)
		}
		if _, err := db.BenchCount(ctx, "sessions; DROP TABLE jobs"); err == nil {
			t.Error("BenchCount accepted a table outside its list")
		}
		if err := db.DropBenchTable(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSeedCitizensAndNotifications(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
		inst := &store.Institution{Name: "Servicio de Rentas Internas", Acronym: "SRI", RUC: "1760013210001", RUCKind: "public",
			Sector: "ejecutivo", Modality: "interconexion", State: "activa", DailyQuota: 1000, Address: "Quito",
			RequestID: store.NewID(), CreatedAt: now}
		batch := &store.NotificationBatch{InstitutionID: "", ActorKind: "api", ActorID: "seed", CreatedAt: now}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateInstitution(ctx, inst); err != nil {
				return err
			}
			batch.InstitutionID = inst.ID
			return tx.InsertNotificationBatch(ctx, batch)
		}); err != nil {
			t.Fatal(err)
		}
		citizens := []store.Identity{
			{NUI: "1714307103", GivenNames: "Ana", Surnames: "Pérez", Email: "ana@correo.example", PasswordHash: "x", PasskeyHandle: []byte{1}, CreatedAt: now},
			{NUI: "1700000001", GivenNames: "Luis", Surnames: "Mora", Email: "luis@correo.example", PasswordHash: "x", PasskeyHandle: []byte{2}, CreatedAt: now},
		}
		if err := db.SeedCitizens(ctx, citizens); err != nil {
			t.Fatal(err)
		}
		active, err := db.Reader().ActiveRecipients(ctx, []string{"1714307103", "1700000001"})
		if err != nil || len(active) != 2 {
			t.Fatalf("active recipients after seeding = %v, %v", active, err)
		}
		var ns []store.Notification
		for i := range 25 {
			c := citizens[min(i/23, 1)] // 23 for Ana, 2 for Luis
			ns = append(ns, store.Notification{BatchID: batch.ID, InstitutionID: inst.ID, InstitutionName: inst.Name,
				RecipientID: c.ID, RecipientNUI: c.NUI, Subject: fmt.Sprint("Aviso ", i), Category: "informativa",
				BodySealed: []byte("sealed"), BodySHA256: "00", SearchText: "aviso", DeadlineKind: "none",
				VerificationCode: "ABC-DEF", ActorKind: "api", ActorID: "seed",
				DepositedAt: now.Add(time.Duration(i) * time.Minute), DepositDay: "2026-03-02"})
		}
		if err := db.SeedNotifications(ctx, ns); err != nil {
			t.Fatal(err)
		}
		if err := db.BenchAnalyze(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := db.BenchLatest(ctx, citizens[0].ID)
		if err != nil || n != 20 {
			t.Errorf("BenchLatest = %d, %v; want 20", n, err)
		}
		page, err := db.Reader().InboxPage(ctx, store.InboxQuery{RecipientID: citizens[0].ID, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var subjects []string
		for _, p := range page[:3] {
			subjects = append(subjects, p.Subject)
		}
		if diff := cmp.Diff([]string{"Aviso 22", "Aviso 21", "Aviso 20"}, subjects); diff != "" {
			t.Errorf("seeded inbox, newest first (-want +got):\n%s", diff)
		}
		if page[0].AlertState != store.AlertSent || !page[0].Unread {
			t.Errorf("seeded notification state = %q unread %v", page[0].AlertState, page[0].Unread)
		}
		if c, err := db.BenchCount(ctx, "notifications"); err != nil || c != 25 {
			t.Errorf("notifications = %d, %v", c, err)
		}
	})
}
