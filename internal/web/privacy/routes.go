// Package privacy is the site's data-protection area (LOPDP): the privacy
// notice (/privacidad) and the page where a signed-in person downloads
// everything the platform holds about him as one archive
// (/cuenta/mis-datos).
package privacy

import (
	"embed"
	"fmt"
	"net/http"

	"buzon/internal/evidence"
	"buzon/internal/notification"
	"buzon/internal/privacy"
	"buzon/internal/web/session"
	"buzon/internal/web/view"
)

//go:embed templates messages
var files embed.FS

// handler serves the privacy area.
type handler struct {
	views  *view.Set
	export *privacy.Exporter
}

// Routes registers the privacy notice and, with sessions and the
// notification service (whose database, keys and attachment store the
// export reads), the data export; with the evidence log, the export
// includes each notification's signed constancia (JSON twin).
func Routes(mux *http.ServeMux, v *view.Engine, sess *session.Manager, notes *notification.Service, evid *evidence.Log) error {
	views, err := v.Area("privacy", files)
	if err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	h := &handler{views: views}
	mux.HandleFunc("GET /privacidad", h.noticeShow)
	if sess == nil || notes == nil {
		return nil
	}
	h.export = &privacy.Exporter{DB: notes.DB, Keys: notes.Keys, Blobs: notes.Blobs, Evidence: evid, Now: notes.Time}
	mux.Handle("GET /cuenta/mis-datos", sess.RequireSignIn(h.exportShow))
	mux.Handle("GET /cuenta/mis-datos/descargar", sess.RequireSignIn(h.exportDownload))
	return nil
}
