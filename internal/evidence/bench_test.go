package evidence

import (
	"context"
	"testing"

	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// BenchmarkRecord is the cost a deposit pays for its evidence: one insert
// in its own transaction.
func BenchmarkRecord(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	ctx := context.Background()
	e := testEvent(1, 1)
	for b.Loop() {
		err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := Record(ctx, tx, e)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIntegrate is the integrator's cost per event, in batches of 512.
func BenchmarkIntegrate(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	ctx := context.Background()
	l := newLog(db)
	e := testEvent(1, 1)
	for b.Loop() {
		b.StopTimer()
		err := db.Write(ctx, func(tx *store.Tx) error {
			for range 512 {
				if _, err := Record(ctx, tx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := l.Integrate(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*512), "ns/event")
}

// BenchmarkVerifyPDF is what `buzon verify` spends on a constancia.
func BenchmarkVerifyPDF(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	l := newLog(db)
	record(b, db, testEvent(1, 1))
	iss, err := l.IssueConstancia(context.Background(), Constancia{NotificationID: "notif-1", InstitutionID: "inst-1", RecipientNUI: "1714307103", ContentSHA256: hashA})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !VerifyPDF(iss.PDF, VerifyOptions{}).OK() {
			b.Fatal("does not verify")
		}
	}
}
