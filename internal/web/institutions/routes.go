// Package institutions is the institutions' area of the site:
//
//   - the public activation request of an institution (/instituciones/solicitud),
//     the administrator change request (/instituciones/cambio-de-administrador)
//     and the follow-up page of a request by its tracking number
//     (/instituciones/solicitudes/{numero});
//   - MINTEL's console (/mintel/…): the queue of requests with their
//     documents and the decision, the institutions with their state,
//     modality, quota, administrator history and activity;
//   - the Administrador Institucional's console (/institucion/…): the public
//     profile and logo, the notifiers, the activity;
//   - the logos, public (/instituciones/logo/{id}).
//
// Handlers parse the form, call internal/institution and render; the domain
// checks every role and institution again, so a route's wrapper is a first
// gate, not the only one. Refusals are shown next to their field in the
// reader's language and change nothing.
package institutions

import (
	"embed"
	"fmt"
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/institution"
	"buzon/internal/web/session"
	"buzon/internal/web/view"
)

//go:embed templates messages
var files embed.FS

// handler serves the institutions' area.
type handler struct {
	views *view.Set
	sess  *session.Manager
	svc   *institution.Service
}

// Routes registers the area; without a session manager or an institutions
// service it registers nothing.
func Routes(mux *http.ServeMux, v *view.Engine, sess *session.Manager, svc *institution.Service) error {
	if sess == nil || svc == nil {
		return nil
	}
	views, err := v.Area("institutions", files)
	if err != nil {
		return fmt.Errorf("institutions: %w", err)
	}
	h := &handler{views: views, sess: sess, svc: svc}
	mintel := func(next http.HandlerFunc) http.Handler { return sess.RequireRole(next, identity.RolePlatformAdmin) }
	admin := func(next http.HandlerFunc) http.Handler { return sess.RequireRole(next, identity.RoleInstitutionAdmin) }

	// Public: the requests and the logos.
	mux.HandleFunc("GET /instituciones/solicitud", h.requestNew)
	mux.HandleFunc("POST /instituciones/solicitud", h.requestSubmit)
	mux.HandleFunc("GET /instituciones/cambio-de-administrador", h.requestAdminChangeNew)
	mux.HandleFunc("POST /instituciones/cambio-de-administrador", h.requestAdminChangeSubmit)
	mux.HandleFunc("GET /instituciones/solicitudes", h.requestLookup)
	mux.HandleFunc("GET /instituciones/solicitudes/{tracking}", h.requestStatus)
	mux.HandleFunc("GET /instituciones/logo/{id}", h.institutionLogo)

	// MINTEL's console.
	mux.Handle("GET /mintel/{$}", mintel(h.mintelHome))
	mux.Handle("GET /mintel/solicitudes", mintel(h.mintelRequests))
	mux.Handle("GET /mintel/solicitudes/{id}", mintel(h.mintelRequestShow))
	mux.Handle("GET /mintel/solicitudes/{id}/documentos/{doc}", mintel(h.mintelRequestDocument))
	mux.Handle("POST /mintel/solicitudes/{id}/decision", mintel(h.mintelRequestDecide))
	mux.Handle("GET /mintel/instituciones", mintel(h.mintelInstitutions))
	mux.Handle("GET /mintel/instituciones/{id}", mintel(h.mintelInstitutionShow))
	mux.Handle("POST /mintel/instituciones/{id}/estado", mintel(h.mintelInstitutionState))
	mux.Handle("POST /mintel/instituciones/{id}/modalidad", mintel(h.mintelInstitutionModality))
	mux.Handle("POST /mintel/instituciones/{id}/cuota", mintel(h.mintelInstitutionQuota))
	mux.Handle("POST /mintel/instituciones/{id}/administradores/{staff}/reenviar", mintel(h.mintelInstitutionResend))

	// The Administrador Institucional's console.
	mux.Handle("GET /institucion/{$}", admin(h.institutionHome))
	mux.Handle("GET /institucion/{id}", admin(h.institutionShow))
	mux.Handle("GET /institucion/{id}/perfil", admin(h.institutionProfile))
	mux.Handle("POST /institucion/{id}/perfil", admin(h.institutionProfileSave))
	mux.Handle("POST /institucion/{id}/logo", admin(h.institutionLogoSave))
	mux.Handle("POST /institucion/{id}/logo/quitar", admin(h.institutionLogoRemove))
	mux.Handle("GET /institucion/{id}/personal", admin(h.institutionStaff))
	mux.Handle("POST /institucion/{id}/personal", admin(h.institutionStaffInvite))
	mux.Handle("POST /institucion/{id}/personal/{staff}/desactivar", admin(h.institutionStaffDeactivate))
	mux.Handle("POST /institucion/{id}/personal/{staff}/reenviar", admin(h.institutionStaffResend))
	mux.Handle("GET /institucion/{id}/actividad", admin(h.institutionActivity))
	return nil
}
