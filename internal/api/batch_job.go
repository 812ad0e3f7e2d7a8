package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"buzon/internal/apikey"
	"buzon/internal/jobs"
	"buzon/internal/store"
)

// BatchKind is the job kind that deposits a batch's notifications.
const BatchKind = "api.batch"

const (
	batchAttempts = 20
	// batchChunk is how many items one transaction deposits: each chunk
	// commits its deposits, their evidence and alert jobs, the items'
	// results and the batch's progress together.
	batchChunk = 250
	// batchBudget is how long one job runs before handing the rest of the
	// batch to a new job, so that no job outlives its lease.
	batchBudget = 2 * time.Minute
)

type batchJob struct {
	BatchID string `json:"batch_id"`
}

// BatchJob returns the job kind that processes batches.
func (h *API) BatchJob() jobs.Kind {
	return jobs.Kind{Name: BatchKind, MaxAttempts: batchAttempts, Timeout: batchBudget + 3*time.Minute, Handler: h.runBatch}
}

func (h *API) runBatch(ctx context.Context, j *store.Job) error {
	var p batchJob
	if err := jobs.Decode(j, &p); err != nil {
		return err
	}
	stop := time.Now().Add(batchBudget)
	for {
		processed, done, err := h.ProcessBatch(ctx, p.BatchID, batchChunk)
		if err != nil || done {
			return err
		}
		if time.Now().After(stop) {
			return h.write(ctx, func(tx *store.Tx) error {
				_, err := jobs.Enqueue(ctx, tx, BatchKind, p, h.now(), jobs.Options{
					UniqueKey: "api-batch:" + p.BatchID + ":" + strconv.Itoa(processed), MaxAttempts: batchAttempts})
				return err
			})
		}
	}
}

// ProcessBatch deposits up to n pending items of a batch in one
// transaction, recording each item's result and the batch's progress with
// them. Each item runs inside a savepoint, so an item refused as a whole
// (invalid, over the quota) is recorded as failed without spoiling the
// others. It returns how many items are processed so far and whether the
// batch is complete. A crash loses nothing: the chunk either committed
// with its results or left its items pending for the next run.
func (h *API) ProcessBatch(ctx context.Context, batchID string, n int) (processed int, done bool, err error) {
	if err := h.warmCalendar(ctx); err != nil {
		return 0, false, fmt.Errorf("process batch %s: %w", batchID, err)
	}
	err = h.write(ctx, func(tx *store.Tx) error {
		b, err := tx.APIBatch(ctx, "", batchID)
		if err != nil {
			return err
		}
		if b.State == store.APIBatchCompleted {
			processed, done = b.Processed, true
			return nil
		}
		items, err := tx.APIBatchItems(ctx, batchID, 0, n, true)
		if err != nil {
			return err
		}
		cred := &apikey.Credential{KeyID: b.APIKeyID, InstitutionID: b.InstitutionID, Mode: apikey.Mode(b.Mode)}
		now := h.now()
		var prog store.APIBatchProgress
		for _, it := range items {
			state, result, res, err := h.processItem(ctx, tx, cred, it, now)
			if err != nil {
				return err
			}
			if err := tx.FinishAPIBatchItem(ctx, batchID, it.Position, state, result, now); err != nil {
				return err
			}
			prog.Processed++
			if state == store.APIBatchItemSucceeded {
				prog.Succeeded++
				prog.Deposited += res.Deposited
				prog.Refused += res.Refused
			} else {
				prog.Failed++
			}
		}
		processed = b.Processed + prog.Processed
		done = processed >= b.Total || len(items) == 0
		return tx.AddAPIBatchProgress(ctx, batchID, prog, done, now)
	})
	if err != nil {
		return 0, false, fmt.Errorf("process batch %s: %w", batchID, err)
	}
	return processed, done, nil
}

// processItem deposits one item inside a savepoint; a refusal becomes the
// item's failed result, any other error the chunk's.
func (h *API) processItem(ctx context.Context, tx *store.Tx, cred *apikey.Credential, it store.APIBatchItem, now time.Time) (string, []byte, *submissionResult, error) {
	var req notificationRequest
	if err := json.Unmarshal(it.Request, &req); err != nil {
		return "", nil, nil, fmt.Errorf("item %d: %w", it.Position, err)
	}
	if err := tx.Savepoint(ctx, "batch_item"); err != nil {
		return "", nil, nil, err
	}
	res, err := func() (*submissionResult, error) {
		in, err := submission(ctx, tx, cred, &req)
		if err != nil {
			return nil, err
		}
		return h.deposit(ctx, tx, cred, in, now)
	}()
	if err != nil {
		if rerr := tx.RollbackTo(ctx, "batch_item"); rerr != nil {
			return "", nil, nil, rerr
		}
		p, ok := problemOf(err)
		if !ok {
			return "", nil, nil, err
		}
		body, _ := json.Marshal(p)
		return store.APIBatchItemFailed, body, nil, nil
	}
	if err := tx.Release(ctx, "batch_item"); err != nil {
		return "", nil, nil, err
	}
	body, err := json.Marshal(res)
	if err != nil {
		return "", nil, nil, err
	}
	return store.APIBatchItemSucceeded, body, res, nil
}
