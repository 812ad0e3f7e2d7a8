// Package transparency is the web area that shows who looked at what: the
// citizen's list of staff accesses to his data and notifications
// (/cuenta/accesos) and the auditors' evidence console (/admin/evidencias),
// which sits beside the staff audit log of the accounts area
// (/admin/auditoria). Every staff access is written by the domain packages
// with identity.RecordAudit; this area only reads it back.
package transparency

import (
	"embed"
	"fmt"
	"net/http"

	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/store"
	"buzon/internal/web/session"
	"buzon/internal/web/view"
)

//go:embed templates messages
var files embed.FS

// handler serves the area.
type handler struct {
	views *view.Set
	db    *store.DB
	log   *evidence.Log
}

// Routes registers the area's pages. It reads the audit log and the
// evidence events through the evidence log's database; without a session
// manager or an evidence log the area is left out.
func Routes(mux *http.ServeMux, v *view.Engine, sm *session.Manager, log *evidence.Log) error {
	if sm == nil || log == nil || log.DB == nil {
		return nil
	}
	views, err := v.Area("transparency", files)
	if err != nil {
		return fmt.Errorf("transparency: %w", err)
	}
	h := &handler{views: views, db: log.DB, log: log}
	mux.Handle("GET /cuenta/accesos", sm.RequireSignIn(h.accessList))
	mux.Handle("GET /admin/evidencias", sm.RequireRole(h.auditorEvidence, identity.RoleAuditor, identity.RolePlatformAdmin))
	return nil
}
