package accounts

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"buzon/internal/identity"
	"buzon/internal/web/session"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// auditPage is the staff audit log, filtered and paged.
type auditPage struct {
	base
	Entries []identity.AuditEntry
	NUI     string
	Action  string
	// Older is the cursor of the next page, "" on the last one.
	Older string
}

// auditShow shows the audit log to platform administrators and auditors.
func (h *handler) auditShow(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := auditPage{base: h.base(r), NUI: strings.TrimSpace(q.Get("nui")), Action: strings.TrimSpace(q.Get("accion"))}
	f := identity.AuditFilter{NUI: d.NUI, Action: d.Action, Limit: auditPageSize}
	if us, err := strconv.ParseInt(q.Get("antes"), 10, 64); err == nil && us > 0 {
		f.Before = time.UnixMicro(us)
	}
	entries, err := h.ids.AuditLog(r.Context(), session.Principal(r), f)
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	d.Entries = entries
	if len(entries) == auditPageSize {
		d.Older = strconv.FormatInt(entries[len(entries)-1].At.UnixMicro(), 10)
	}
	h.views.Render(w, r, "audit", d)
}
