package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"buzon/internal/notification"
	"buzon/internal/store"
)

// batchView is a batch's progress and, with batchGet, a page of its items.
type batchView struct {
	ID          string      `json:"id"`
	Mode        string      `json:"mode"`
	State       string      `json:"state"`
	Total       int         `json:"total"`
	Processed   int         `json:"processed"`
	Succeeded   int         `json:"succeeded"`
	Failed      int         `json:"failed"`
	Deposited   int         `json:"deposited"`
	Refused     int         `json:"refused"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
	CompletedAt *time.Time  `json:"completed_at,omitempty"`
	Items       []batchItem `json:"items,omitempty"`
	NextAfter   *int        `json:"next_after,omitempty"`
}

// batchItem is one notification of a batch: pending, or its result (the
// answer POST /notifications would have given), or the problem that
// refused it as a whole.
type batchItem struct {
	Position int               `json:"position"`
	Status   string            `json:"status"`
	Result   *submissionResult `json:"result,omitempty"`
	Error    *Problem          `json:"error,omitempty"`
}

func batchViewOf(b *store.APIBatch) *batchView {
	return &batchView{ID: b.ID, Mode: b.Mode, State: b.State, Total: b.Total, Processed: b.Processed, Succeeded: b.Succeeded,
		Failed: b.Failed, Deposited: b.Deposited, Refused: b.Refused, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
		CompletedAt: timePtr(b.CompletedAt)}
}

// batchGet shows a batch's progress and its items after position ?after=
// (100 at a time, up to ?limit=1000).
func (h *API) batchGet(w http.ResponseWriter, r *http.Request, c *call) {
	id := r.PathValue("id")
	if h.o.Notifications == nil || !notification.ValidID(id) {
		h.notFound(w, r)
		return
	}
	q := r.URL.Query()
	if p := onlyParams(q, "after", "limit"); p != nil {
		writeProblem(w, r, p)
		return
	}
	after, limit := 0, 100
	if s := q.Get("after"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			h.fail(w, r, &requestError{"after_invalid", "after", "El parámetro after debe ser una posición (0 o más).",
				"The after parameter must be a position (0 or more)."})
			return
		}
		after = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			h.fail(w, r, &requestError{"limit_invalid", "limit", "El parámetro limit debe ser un número entre 1 y 1000.",
				"The limit parameter must be a number from 1 to 1000."})
			return
		}
		limit = n
	}
	tx := h.o.DB.Reader()
	b, err := tx.APIBatch(r.Context(), c.cred.InstitutionID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && b.Mode != string(c.cred.Mode)) {
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, err := tx.APIBatchItems(r.Context(), id, after, limit, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := batchViewOf(b)
	v.Items = []batchItem{}
	for _, it := range items {
		bi := batchItem{Position: it.Position, Status: it.State}
		switch it.State {
		case store.APIBatchItemSucceeded:
			var res submissionResult
			if err := json.Unmarshal(it.Result, &res); err != nil {
				h.fail(w, r, err)
				return
			}
			bi.Result = &res
		case store.APIBatchItemFailed:
			var p Problem
			if err := json.Unmarshal(it.Result, &p); err != nil {
				h.fail(w, r, err)
				return
			}
			bi.Error = &p
		}
		v.Items = append(v.Items, bi)
	}
	if len(items) == limit && items[len(items)-1].Position < b.Total {
		next := items[len(items)-1].Position
		v.NextAfter = &next
	}
	writeJSON(w, http.StatusOK, v)
}
