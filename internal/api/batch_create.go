package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"buzon/internal/jobs"
	"buzon/internal/store"
)

// batchRequest is the body of POST /batches.
type batchRequest struct {
	Notifications []json.RawMessage `json:"notifications"`
}

// batchCreate accepts up to MaxBatchItems notifications at once and
// answers 202: they are deposited in the background, and GET
// /batches/{id} shows the progress and each one's result. Each item is
// checked for shape now (a malformed item refuses the whole batch);
// whether its content can be deposited is each item's own result.
func (h *API) batchCreate(w http.ResponseWriter, r *http.Request, c *call) {
	if h.o.Notifications == nil {
		h.notFound(w, r)
		return
	}
	key, ok := postPrelude(w, r)
	if !ok {
		return
	}
	var req batchRequest
	if p := readJSON(w, r, h.o.MaxBatchJSON, &req); p != nil {
		writeProblem(w, r, p)
		return
	}
	if n := len(req.Notifications); n == 0 || n > h.o.MaxBatchItems {
		h.fail(w, r, &requestError{"batch_size", "notifications",
			fmt.Sprintf("Un lote lleva entre 1 y %d notificaciones.", h.o.MaxBatchItems),
			fmt.Sprintf("A batch holds from 1 to %d notifications.", h.o.MaxBatchItems)})
		return
	}
	items := make([][]byte, len(req.Notifications))
	for i, raw := range req.Notifications {
		var item notificationRequest
		if p := decodeStrict(raw, &item); p != nil {
			p.Detail = fmt.Sprintf("Notificación %d del lote: %s", i+1, p.Detail)
			p.DetailEN = fmt.Sprintf("Notification %d of the batch: %s", i+1, p.DetailEN)
			for j := range p.Errors {
				p.Errors[j].Field = fmt.Sprintf("notifications[%d].%s", i, p.Errors[j].Field)
			}
			writeProblem(w, r, p)
			return
		}
		items[i], _ = json.Marshal(item) // canonical: what is processed is what was checked
	}
	h.idempotent(w, r, c, key, fingerprintOf(r, items), nil, func(ctx context.Context, tx *store.Tx) (*response, error) {
		now := h.now()
		b := &store.APIBatch{InstitutionID: c.cred.InstitutionID, APIKeyID: c.cred.KeyID, Mode: string(c.cred.Mode), CreatedAt: now}
		if err := tx.InsertAPIBatch(ctx, b, items); err != nil {
			return nil, err
		}
		if _, err := jobs.Enqueue(ctx, tx, BatchKind, batchJob{BatchID: b.ID}, now,
			jobs.Options{UniqueKey: "api-batch:" + b.ID + ":0", MaxAttempts: batchAttempts}); err != nil {
			return nil, err
		}
		return &response{status: http.StatusAccepted, location: Prefix + "/batches/" + b.ID, body: batchViewOf(b)}, nil
	})
}
