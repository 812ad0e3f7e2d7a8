package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// seedNotification stores an institution, a citizen and one notification.
func seedNotification(t *testing.T, db *store.DB) *store.Notification {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	n := &store.Notification{}
	err := db.Write(ctx, func(tx *store.Tx) error {
		inst := &store.Institution{Name: "SRI", Acronym: "SRI", RUC: "1760013210001", RUCKind: "public", Sector: "ejecutivo",
			Modality: "plataforma", State: "activa", DailyQuota: 10, Address: "Quito", RequestID: store.NewID(), CreatedAt: now}
		if err := tx.CreateInstitution(ctx, inst); err != nil {
			return err
		}
		id := &store.Identity{NUI: "1714307103", GivenNames: "Ana", Surnames: "Pérez", Email: "ana@example.test", State: "activa",
			Channel: "presencial", PasskeyHandle: []byte("h"), CreatedAt: now}
		if err := tx.CreateIdentity(ctx, id); err != nil {
			return err
		}
		b := &store.NotificationBatch{InstitutionID: inst.ID, ActorKind: "staff", ActorID: "x", Recipients: 1, Deposited: 1, CreatedAt: now}
		if err := tx.InsertNotificationBatch(ctx, b); err != nil {
			return err
		}
		*n = store.Notification{BatchID: b.ID, InstitutionID: inst.ID, InstitutionName: inst.Name, RecipientID: id.ID,
			RecipientNUI: id.NUI, Subject: "Asunto", Category: "otra", BodySealed: []byte{1, 2, 3}, BodySHA256: "00",
			DeadlineKind: "none", VerificationCode: "AAA-AAA", ActorKind: "staff", ActorID: "x", DepositedAt: now, DepositDay: "2026-12-01"}
		return tx.InsertNotification(ctx, n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A deposited notification never changes: the schema itself refuses any
// update of its content and any deletion, while its state may move on.
func TestNotificationContentIsImmutable(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := seedNotification(t, db)
		for _, set := range []string{"subject = 'Otro asunto'", "body_sealed = body_sealed || body_sealed", "due_date = '2027-01-01'",
			"recipient_nui = '0962467429'", "deposited_at = deposited_at + 1", "verification_code = 'BBB-BBB'"} {
			err := db.Write(ctx, func(tx *store.Tx) error {
				return tx.ExecForTest(ctx, fmt.Sprintf("UPDATE notifications SET %s WHERE id = '%s'", set, n.ID))
			})
			if err == nil {
				t.Errorf("UPDATE notifications SET %s was accepted", set)
			}
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.ExecForTest(ctx, fmt.Sprintf("DELETE FROM notifications WHERE id = '%s'", n.ID))
		}); err == nil {
			t.Error("a notification was deleted")
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.MarkNotificationOpened(ctx, n.ID, n.DepositedAt.Add(time.Hour))
			return err
		})
		if err != nil {
			t.Fatalf("the read state cannot change: %v", err)
		}
		got, err := db.Reader().Notification(ctx, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Unread || got.OpenCount != 1 || got.Subject != "Asunto" {
			t.Errorf("after opening: %+v", got)
		}
	})
}

// The inbox query walks the index notifications_inbox: keyset pages, no
// sort step, whatever the page.
func TestInboxUsesItsIndex(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		n := seedNotification(t, db)
		ctx := context.Background()
		page, err := db.Reader().InboxPage(ctx, store.InboxQuery{RecipientID: n.RecipientID,
			After: &store.InboxCursor{Unread: true, DepositedAt: n.DepositedAt.Add(time.Second), ID: n.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 1 {
			t.Fatalf("page after a later cursor has %d rows, want 1", len(page))
		}
		var plan string
		if err := db.Write(ctx, func(tx *store.Tx) error {
			plan, err = tx.ExplainInbox(ctx, n.RecipientID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !containsAny(plan, "notifications_inbox") || containsAny(plan, "TEMP B-TREE", "Sort ") {
			t.Errorf("inbox plan does not walk notifications_inbox in order:\n%s", plan)
		}
	})
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
