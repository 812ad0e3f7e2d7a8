package webhook

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"buzon/internal/evidence"
	"buzon/internal/store"
)

// dispatchBatch is how many evidence events one dispatch transaction reads.
const dispatchBatch = 500

// Dispatch reads the evidence events integrated since its last run and
// queues a delivery for every active endpoint that wants each, moving its
// cursor in the same transaction: an event is queued once per endpoint,
// whatever crashes. It returns the number of deliveries queued. Any number
// of processes may call it at once; they take turns on the cursor.
//
// An endpoint receives only events that happened after it was registered.
func (s *Service) Dispatch(ctx context.Context) (int, error) {
	total := 0
	for {
		var queued int
		var more bool
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			queued, more = 0, false
			cursor, err := tx.LockWebhookCursor(ctx)
			if err != nil {
				return err
			}
			rows, err := tx.EventsAfterLeaf(ctx, cursor, dispatchBatch)
			if err != nil || len(rows) == 0 {
				return err
			}
			more = len(rows) == dispatchBatch
			var insts []string
			seen := map[string]bool{}
			for _, r := range rows {
				if _, ok := TypeOf(evidence.Type(r.Type)); ok && r.InstitutionID != "" && !seen[r.InstitutionID] {
					seen[r.InstitutionID] = true
					insts = append(insts, r.InstitutionID)
				}
			}
			hooks, err := tx.ActiveWebhooksOf(ctx, insts)
			if err != nil {
				return err
			}
			byInst := map[string][]store.Webhook{}
			for _, w := range hooks {
				byInst[w.InstitutionID] = append(byInst[w.InstitutionID], w)
			}
			refs := map[string]string{}
			now := s.now()
			for _, r := range rows {
				et, ok := TypeOf(evidence.Type(r.Type))
				if !ok || len(byInst[r.InstitutionID]) == 0 {
					continue
				}
				ev, err := eventOf(ctx, tx, r, refs)
				if err != nil {
					return err
				}
				for i := range byInst[r.InstitutionID] {
					w := &byInst[r.InstitutionID][i]
					ep := endpointOf(w)
					if !ep.Wants(et) || w.CreatedAt.After(r.OccurredAt) {
						continue
					}
					d, err := s.queue(ctx, tx, w, Message{Type: et, Timestamp: ev.OccurredAt, Data: ev}, now, false)
					if err != nil {
						return err
					}
					if d != nil {
						queued++
					}
				}
			}
			return tx.SetWebhookCursor(ctx, rows[len(rows)-1].LeafIndex)
		})
		if err != nil {
			return total, fmt.Errorf("dispatch webhooks: %w", err)
		}
		total += queued
		if queued > 0 {
			s.wake()
		}
		if !more {
			return total, nil
		}
	}
}

// Run dispatches every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Dispatch(ctx); err != nil && ctx.Err() == nil {
			s.logger().Error("dispatch webhooks", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Events turns evidence rows into published events, dropping the types
// that are not published; it looks up each notification's reference. The
// API's event feed and the dispatcher share it.
func Events(ctx context.Context, tx *store.Tx, rows []store.EvidenceEvent) ([]Event, error) {
	refs := map[string]string{}
	var out []Event
	for _, r := range rows {
		if _, ok := TypeOf(evidence.Type(r.Type)); !ok {
			continue
		}
		ev, err := eventOf(ctx, tx, r, refs)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

func eventOf(ctx context.Context, tx *store.Tx, r store.EvidenceEvent, refs map[string]string) (Event, error) {
	et, _ := TypeOf(evidence.Type(r.Type))
	parsed, err := evidence.ParseRecord(r.Record)
	if err != nil {
		return Event{}, fmt.Errorf("event %s: %w", r.ID, err)
	}
	ev := Event{ID: r.ID, Type: et, OccurredAt: parsed.Time, NotificationID: r.NotificationID, Recipient: r.RecipientNUI,
		Details: parsed.Details}
	if validID(r.NotificationID) {
		ref, ok := refs[r.NotificationID]
		if !ok {
			n, err := tx.Notification(ctx, r.NotificationID)
			switch {
			case err == nil:
				ref = n.Reference
			case !errors.Is(err, store.ErrNotFound):
				return Event{}, fmt.Errorf("event %s: %w", r.ID, err)
			}
			refs[r.NotificationID] = ref
		}
		ev.Reference = ref
	}
	return ev, nil
}

// validID reports whether s is a UUID, as notification ids are (PostgreSQL
// refuses to compare anything else with a UUID column).
func validID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
