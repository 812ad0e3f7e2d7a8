package transparency

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"buzon/internal/identity"
	"buzon/internal/store"
	"buzon/internal/web/i18n"
	"buzon/internal/web/session"
)

// accessPageSize is how many accesses one page lists.
const accessPageSize = 25

// accessView is one staff access as the citizen reads it.
type accessView struct {
	At          time.Time
	Role        string
	Institution string
	Action      string
	Detail      string
}

// accessPage is the citizen's list of staff accesses, newest first.
type accessPage struct {
	Me       *identity.Principal
	Accesses []accessView
	// Older is the cursor of the next page, "" on the last.
	Older string
}

// accessList shows the signed-in person every audited staff action whose
// subject is him: which role of which institution did what, and when. The
// staff member's own identity is not shown; the auditors have it.
func (h *handler) accessList(w http.ResponseWriter, r *http.Request) {
	p := session.Principal(r)
	// One more than a page tells whether there is a next one; twice that
	// leaves room for the entries of the cursor's microsecond already shown.
	f := store.AuditFilter{SubjectNUI: p.NUI.String(), Limit: 2*accessPageSize + 1}
	cur, paged := parseAccessCursor(r.URL.Query().Get("antes"))
	if paged {
		f.Before = cur.At.Add(time.Microsecond)
	}
	rd := h.db.Reader()
	rows, err := rd.AuditEntries(r.Context(), f)
	if err != nil {
		h.views.ServerError(w, r, err)
		return
	}
	if paged {
		rows = cur.after(rows)
	}
	d := accessPage{Me: p}
	if len(rows) > accessPageSize {
		rows = rows[:accessPageSize]
		last := rows[len(rows)-1]
		d.Older = accessCursor{At: last.At, ID: last.ID}.String()
	}
	names := map[string]string{}
	for _, e := range rows {
		if e.ActorID != "" && e.ActorID == p.ID {
			continue // his own actions are not accesses by others
		}
		v := accessView{At: e.At, Role: h.roleLabel(r, e.ActorRole), Action: h.actionLabel(r, e.Action), Detail: e.Detail}
		if id := e.InstitutionID; id != "" {
			name, ok := names[id]
			if !ok {
				inst, err := rd.InstitutionByID(r.Context(), id)
				switch {
				case err == nil:
					name = inst.Name
				case !errors.Is(err, store.ErrNotFound):
					h.views.ServerError(w, r, err)
					return
				}
				names[id] = name
			}
			v.Institution = name
		}
		d.Accesses = append(d.Accesses, v)
	}
	h.views.Render(w, r, "accesses", d)
}

// roleLabel names a role in the request's language.
func (h *handler) roleLabel(r *http.Request, code string) string {
	if code == "sistema" {
		return h.views.T(r, "transparency.role.system")
	}
	role := identity.Role(code)
	if i18n.Lang(r) == i18n.English {
		return role.English()
	}
	return role.Spanish()
}

// actionLabel says an audit action code ("notificacion.consultar") in
// plain words, or the code itself when no words are known for it.
func (h *handler) actionLabel(r *http.Request, code string) string {
	key := "transparency.action." + code
	if s := h.views.T(r, key); s != key {
		return s
	}
	return strings.ReplaceAll(code, "_", " ")
}
