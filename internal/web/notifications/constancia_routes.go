package notifications

import (
	"net/http"

	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/notification"
	"buzon/internal/web/session"
	"buzon/internal/web/view"
)

// ActionConstanciaDownload is the audit action of a staff member
// downloading the constancia of one of his institution's notifications.
const ActionConstanciaDownload = "notificacion.descargar_constancia"

// constancias serves the constancia de notificación of a notification, in
// PDF and in JSON, to its recipient and to its institution's staff.
type constancias struct {
	views *view.Engine
	svc   *notification.Service
	log   *evidence.Log
	cache constanciaCache
}

// ConstanciaRoutes registers the constancia downloads beside the
// notification pages they belong to:
//
//	/buzon/{id}/constancia.pdf|.json                               the recipient
//	/institucion/{inst}/notificaciones/{id}/constancia.pdf|.json   its institution's staff
//
// Who may download is exactly who may see the page. Without a notification
// service, a session manager or an evidence log the routes are left out.
func ConstanciaRoutes(mux *http.ServeMux, v *view.Engine, sm *session.Manager, svc *notification.Service, log *evidence.Log) error {
	if sm == nil || svc == nil || log == nil {
		return nil
	}
	h := &constancias{views: v, svc: svc, log: log}
	citizen := func(f http.HandlerFunc) http.Handler { return sm.RequireRole(f, identity.RoleCitizen) }
	staff := func(f http.HandlerFunc) http.Handler {
		return sm.RequireRole(f, identity.RoleNotifier, identity.RoleInstitutionAdmin)
	}
	mux.Handle("GET /buzon/{id}/constancia.pdf", citizen(h.citizenDownload(formatPDF)))
	mux.Handle("GET /buzon/{id}/constancia.json", citizen(h.citizenDownload(formatJSON)))
	mux.Handle("GET /institucion/{inst}/notificaciones/{id}/constancia.pdf", staff(h.staffDownload(formatPDF)))
	mux.Handle("GET /institucion/{inst}/notificaciones/{id}/constancia.json", staff(h.staffDownload(formatJSON)))
	return nil
}
