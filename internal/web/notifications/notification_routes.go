// Package notifications is the web area of notifications: the citizen's
// buzón (inbox, notification page, downloads, reminder preferences), the
// institution's screens (compose, preview and send, tracking, templates,
// dashboard) and MINTEL's (dashboard, calendar decrees). Handlers parse the
// request, call internal/notification and render; the rules live there.
package notifications

import (
	"embed"
	"fmt"
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/notification"
	"buzon/internal/web/session"
	"buzon/internal/web/view"
)

//go:embed templates messages
var files embed.FS

// handler serves the area.
type handler struct {
	views *view.Set
	svc   *notification.Service
	sm    *session.Manager
}

// Routes registers the area's pages. Without a notification service or a
// session manager the area is left out.
func Routes(mux *http.ServeMux, v *view.Engine, sm *session.Manager, svc *notification.Service) error {
	if sm == nil || svc == nil {
		return nil
	}
	views, err := v.Area("notifications", files)
	if err != nil {
		return fmt.Errorf("notifications: %w", err)
	}
	h := &handler{views: views, svc: svc, sm: sm}
	citizen := func(f http.HandlerFunc) http.Handler { return sm.RequireRole(f, identity.RoleCitizen) }
	staff := func(f http.HandlerFunc) http.Handler {
		return sm.RequireRole(f, identity.RoleNotifier, identity.RoleInstitutionAdmin)
	}
	mintel := func(f http.HandlerFunc) http.Handler { return sm.RequireRole(f, identity.RolePlatformAdmin) }

	mux.Handle("GET /buzon", citizen(h.inboxList))
	mux.Handle("GET /buzon/preferencias", citizen(h.inboxPreferences))
	mux.Handle("POST /buzon/preferencias", citizen(h.inboxPreferencesSave))
	mux.Handle("POST /buzon/preferencias/idioma", citizen(h.inboxLanguageSave))
	mux.Handle("GET /buzon/{id}", citizen(h.notificationShow))
	mux.Handle("GET /buzon/{id}/anexos/{att}", citizen(h.notificationDownload))
	mux.Handle("GET /buzon/{id}/plazo.ics", citizen(h.notificationICS))
	mux.Handle("GET /buzon/{id}/todo.zip", citizen(h.notificationArchive))

	mux.Handle("GET /institucion", staff(h.trackingHome))
	mux.Handle("GET /institucion/{inst}/redactar", staff(h.composeForm))
	mux.Handle("POST /institucion/{inst}/redactar", staff(h.composeSubmit))
	mux.Handle("GET /institucion/{inst}/envios/{draft}", staff(h.composePreview))
	mux.Handle("POST /institucion/{inst}/envios/{draft}", staff(h.composeSend))
	mux.Handle("GET /institucion/{inst}/cargas/{id}", staff(h.uploadShow))
	mux.Handle("GET /institucion/{inst}/cargas/{id}/informe.csv", staff(h.uploadReport))
	mux.Handle("GET /institucion/{inst}/notificaciones", staff(h.trackingList))
	mux.Handle("GET /institucion/{inst}/notificaciones.csv", staff(h.trackingExport))
	mux.Handle("GET /institucion/{inst}/notificaciones/{id}", staff(h.trackingShow))
	mux.Handle("GET /institucion/{inst}/notificaciones/{id}/anexos/{att}", staff(h.trackingDownload))
	mux.Handle("GET /institucion/{inst}/plantillas", staff(h.composeTemplates))
	mux.Handle("POST /institucion/{inst}/plantillas", staff(h.composeTemplateSave))
	mux.Handle("POST /institucion/{inst}/plantillas/{id}/borrar", staff(h.composeTemplateDelete))
	mux.Handle("GET /institucion/{inst}/tablero", staff(h.dashboardInstitution))

	mux.Handle("GET /admin/tablero", mintel(h.dashboardPlatform))
	mux.Handle("GET /admin/calendario", mintel(h.calendarList))
	mux.Handle("POST /admin/calendario", mintel(h.calendarAdd))
	mux.Handle("POST /admin/calendario/importar", mintel(h.calendarImport))
	mux.Handle("POST /admin/calendario/{day}/quitar", mintel(h.calendarRemove))
	return nil
}
