package transparency

import (
	"strconv"
	"strings"
	"time"

	"buzon/internal/store"
)

// accessCursor is where a page of the access list ends: the last entry's
// time and id. The audit log is ordered by (time, id), newest first, so
// the next page is what comes strictly after that pair, even when many
// entries share one microsecond.
type accessCursor struct {
	At time.Time
	ID string
}

// String is the cursor as the "antes" query parameter: "<µs>.<id>".
func (c accessCursor) String() string { return strconv.FormatInt(c.At.UnixMicro(), 10) + "." + c.ID }

// parseAccessCursor reads an "antes" parameter; ok is false for anything
// this page did not write, which then shows the first page.
func parseAccessCursor(s string) (c accessCursor, ok bool) {
	us, id, found := strings.Cut(s, ".")
	if !found || len(us) > 19 || len(id) > 64 || id == "" {
		return c, false
	}
	n, err := strconv.ParseInt(us, 10, 64)
	if err != nil || n <= 0 || n == 1<<63-1 {
		return c, false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r == '-') {
			return c, false
		}
	}
	return accessCursor{At: time.UnixMicro(n).UTC(), ID: id}, true
}

// after drops the entries at or before the cursor from rows, which were
// read with Before just past the cursor's time.
func (c accessCursor) after(rows []store.AuditEntry) []store.AuditEntry {
	i := 0
	for i < len(rows) && rows[i].At.Equal(c.At) && rows[i].ID >= c.ID {
		i++
	}
	return rows[i:]
}
