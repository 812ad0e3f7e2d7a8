package api

import (
	"net/http"
	"strconv"

	"buzon/internal/webhook"
)

// eventPage is a page of the event feed. NextCursor is always given: a
// system polls with it, and gets the events that came after.
type eventPage struct {
	Events     []webhook.Event `json:"events"`
	NextCursor string          `json:"next_cursor"`
	HasMore    bool            `json:"has_more"`
}

// eventList is the institution's event feed, for systems that pull rather
// than receive webhooks: the same events, with the same ids, in the order
// of the evidence log. Events appear once the evidence log has integrated
// them (within seconds), and then never change place, so a cursor never
// skips one.
func (h *API) eventList(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	if p := onlyParams(q, "cursor", "limit"); p != nil {
		writeProblem(w, r, p)
		return
	}
	limit := 100
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			h.fail(w, r, &requestError{"limit_invalid", "limit", "El parámetro limit debe ser un número entre 1 y 1000.",
				"The limit parameter must be a number from 1 to 1000."})
			return
		}
		limit = n
	}
	after := int64(-1)
	if s := q.Get("cursor"); s != "" {
		var ok bool
		if after, ok = parseEventCursor(s); !ok {
			h.fail(w, r, errCursor)
			return
		}
	}
	page := eventPage{Events: []webhook.Event{}, NextCursor: eventCursor(after)}
	if c.cred.Test() {
		// Nothing happens to sandbox notifications after they are answered.
		writeJSON(w, http.StatusOK, page)
		return
	}
	tx := h.o.DB.Reader()
	rows, err := tx.InstitutionEvents(r.Context(), c.cred.InstitutionID, webhook.EvidenceTypes(), after, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	evs, err := webhook.Events(r.Context(), tx, rows)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page.Events = append(page.Events, evs...)
	if len(rows) > 0 {
		page.NextCursor = eventCursor(rows[len(rows)-1].LeafIndex)
	}
	page.HasMore = len(rows) == limit
	writeJSON(w, http.StatusOK, page)
}
