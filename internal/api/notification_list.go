package api

import (
	"net/http"
	"strconv"
	"time"

	"buzon/internal/store"
)

// notificationPage is a page of the list.
type notificationPage struct {
	Notifications []*notificationView `json:"notifications"`
	NextCursor    string              `json:"next_cursor,omitempty"`
}

var (
	errCursor = &requestError{"cursor_invalid", "cursor",
		"El cursor no es válido: use el next_cursor de la página anterior, sin cambiarlo.",
		"The cursor is not valid: use the previous page's next_cursor unchanged."}
	errSince = &requestError{"since_invalid", "since",
		"El parámetro since debe ser una fecha y hora RFC 3339, p. ej. 2026-03-02T00:00:00-05:00.",
		"The since parameter must be an RFC 3339 date and time, e.g. 2026-03-02T00:00:00-05:00."}
	errState = &requestError{"state_invalid", "state",
		"El parámetro state debe ser deposited, opened, alert_failed o deadline_reached.",
		"The state parameter must be deposited, opened, alert_failed or deadline_reached."}
	errLimit = &requestError{"limit_invalid", "limit",
		"El parámetro limit debe ser un número entre 1 y 100.", "The limit parameter must be a number from 1 to 100."}
	errReference = &requestError{"reference_invalid", "reference",
		"El parámetro reference es demasiado largo (hasta 100 caracteres).", "The reference parameter is too long (up to 100 characters)."}
)

// notificationList pages through the institution's notifications, oldest
// first, filtered by reference, state and deposit time (since). The cursor
// is keyset-based: a page never repeats or skips rows however many are
// added meanwhile.
func (h *API) notificationList(w http.ResponseWriter, r *http.Request, c *call) {
	if h.o.Notifications == nil {
		h.notFound(w, r)
		return
	}
	q := r.URL.Query()
	if p := onlyParams(q, "reference", "state", "since", "cursor", "limit"); p != nil {
		writeProblem(w, r, p)
		return
	}
	limit := 50
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			h.fail(w, r, errLimit)
			return
		}
		limit = n
	}
	var since time.Time
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			h.fail(w, r, errSince)
			return
		}
		since = t.UTC()
	}
	state := q.Get("state")
	switch state {
	case store.APIStateAny, store.APIStateDeposited, store.APIStateOpened, store.APIStateAlertFailed, store.APIStateDeadlineReached:
	default:
		h.fail(w, r, errState)
		return
	}
	ref := q.Get("reference")
	if len([]rune(ref)) > 100 {
		h.fail(w, r, errReference)
		return
	}
	var afterAt time.Time
	var afterID string
	if s := q.Get("cursor"); s != "" {
		var ok bool
		if afterAt, afterID, ok = parseListCursor(s); !ok {
			h.fail(w, r, errCursor)
			return
		}
	}
	page := notificationPage{Notifications: []*notificationView{}}
	tx := h.o.DB.Reader()
	if c.cred.Test() {
		if state != store.APIStateAny && state != store.APIStateDeposited {
			writeJSON(w, http.StatusOK, page) // nothing happens to sandbox notifications
			return
		}
		rows, err := tx.SandboxNotifications(r.Context(), store.SandboxQuery{InstitutionID: c.cred.InstitutionID, Reference: ref,
			Since: since, AfterAt: afterAt, AfterID: afterID, Limit: limit})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for i := range rows {
			page.Notifications = append(page.Notifications, sandboxViewOf(&rows[i]))
		}
		if len(rows) == limit {
			last := rows[len(rows)-1]
			page.NextCursor = listCursor(last.CreatedAt, last.ID)
		}
		writeJSON(w, http.StatusOK, page)
		return
	}
	rows, err := tx.APINotifications(r.Context(), store.APINotificationQuery{InstitutionID: c.cred.InstitutionID, Reference: ref,
		State: state, Since: since, AfterAt: afterAt, AfterID: afterID, Limit: limit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for i := range rows {
		page.Notifications = append(page.Notifications, viewOf(&rows[i]))
	}
	if len(rows) == limit {
		last := rows[len(rows)-1]
		page.NextCursor = listCursor(last.DepositedAt, last.ID)
	}
	writeJSON(w, http.StatusOK, page)
}

// onlyParams refuses query parameters an operation does not know, as
// unknown body fields are refused.
func onlyParams(q map[string][]string, known ...string) *Problem {
	for name, vals := range q {
		ok := false
		for _, k := range known {
			if name == k {
				ok = true
			}
		}
		if !ok {
			p := newProblem(http.StatusBadRequest, "unknown_parameter", "El parámetro "+strconvQuote(name)+" no existe en esta operación.",
				"The parameter "+strconvQuote(name)+" does not exist in this operation.")
			p.Errors = []ProblemEntry{{Code: "unknown_parameter", Field: name, Detail: p.Detail, DetailEN: p.DetailEN}}
			return p
		}
		if len(vals) > 1 {
			return newProblem(http.StatusBadRequest, "invalid_parameter", "El parámetro "+strconvQuote(name)+" está repetido.",
				"The parameter "+strconvQuote(name)+" is repeated.")
		}
	}
	return nil
}

func strconvQuote(s string) string { return strconv.Quote(s) }
