package api

import (
	"context"
	"net/http"

	"buzon/internal/store"
)

// notificationCreate deposits one notification for one or more recipients
// and answers, recipient by recipient, whether it was deposited or why not:
// 201 when at least one was deposited, 200 when every recipient was refused.
func (h *API) notificationCreate(w http.ResponseWriter, r *http.Request, c *call) {
	if h.o.Notifications == nil {
		h.notFound(w, r)
		return
	}
	key, ok := postPrelude(w, r)
	if !ok {
		return
	}
	var req notificationRequest
	if p := readJSON(w, r, h.o.MaxJSON, &req); p != nil {
		writeProblem(w, r, p)
		return
	}
	h.idempotent(w, r, c, key, fingerprintOf(r, req), h.warmCalendar, func(ctx context.Context, tx *store.Tx) (*response, error) {
		in, err := submission(ctx, tx, c.cred, &req)
		if err != nil {
			return nil, err
		}
		res, err := h.deposit(ctx, tx, c.cred, in, h.now())
		if err != nil {
			return nil, err
		}
		status := http.StatusCreated
		if res.Deposited == 0 {
			status = http.StatusOK
		}
		return &response{status: status, body: res}, nil
	})
}

// warmCalendar loads the business-day calendar before the deposit's
// transaction opens. The notification package reads it through the reader
// pool: loading it inside a transaction holds one connection while asking
// for another, which under load can exhaust PostgreSQL's pool. Warm, the
// deposit finds it cached.
func (h *API) warmCalendar(ctx context.Context) error {
	if h.o.Notifications.Calendars == nil {
		return nil
	}
	_, err := h.o.Notifications.Calendars.Current(ctx)
	return err
}
