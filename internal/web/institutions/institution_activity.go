package institutions

import (
	"net/http"
	"strconv"
	"time"
)

// activityPage is the institution's activity, newest first, a page at a time.
type activityPage struct {
	*consolePage
	Activity []activityRow
	// Older is the query of the next page, "" on the last one.
	Older string
}

const activityPageSize = 50

// institutionActivity shows what was done in the institution: invitations,
// deactivations, profile changes, MINTEL's decisions. ?antes= (unix
// microseconds) pages back.
func (h *handler) institutionActivity(w http.ResponseWriter, r *http.Request) {
	c, ok := h.console(w, r, "activity")
	if !ok {
		return
	}
	var before time.Time
	if v, err := strconv.ParseInt(r.URL.Query().Get("antes"), 10, 64); err == nil && v > 0 {
		before = time.UnixMicro(v)
	}
	entries, err := h.svc.Activity(r.Context(), c.Me, c.Institution.ID, before, activityPageSize)
	if err != nil {
		h.denied(w, r, err)
		return
	}
	page := &activityPage{consolePage: c, Activity: h.activityRows(r, entries)}
	if len(entries) == activityPageSize {
		page.Older = "?antes=" + strconv.FormatInt(entries[len(entries)-1].At.UnixMicro(), 10)
	}
	h.views.Render(w, r, "institution_activity", page)
}
