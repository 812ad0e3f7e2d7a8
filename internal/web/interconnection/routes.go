// Package interconnection is the site's area for the interconnection API:
//
//   - in the Administrador Institucional's console, for an institution in
//     the interconnection modality, its API keys (/institucion/{id}/api:
//     create — the key is shown once —, revoke, last use) and its webhooks
//     (/institucion/{id}/webhooks: register — the signing secret is shown
//     once —, delivery log, "send a test event", delete, enable again);
//   - the public API reference (/desarrolladores/api), generated at start
//     from the OpenAPI document the API serves, in Spanish with English,
//     with a curl example for every operation.
//
// Handlers parse the form, call internal/apikey or internal/webhook, and
// render; those packages check the administrator's role again.
package interconnection

import (
	"embed"
	"fmt"
	"net/http"

	"buzon/internal/apikey"
	"buzon/internal/identity"
	"buzon/internal/institution"
	"buzon/internal/web/session"
	"buzon/internal/web/view"
	"buzon/internal/webhook"
)

//go:embed templates messages
var files embed.FS

// Deps are the services the area uses; a nil Keys, Webhooks, Institutions
// or session manager leaves the console pages out (the reference stays).
type Deps struct {
	Keys         *apikey.Service
	Webhooks     *webhook.Service
	Institutions *institution.Service
	// Spec is the OpenAPI document the reference page is generated from.
	Spec []byte
}

// handler serves the area.
type handler struct {
	views *view.Set
	sess  *session.Manager
	deps  Deps
	ref   *reference
}

// Routes registers the area.
func Routes(mux *http.ServeMux, v *view.Engine, sess *session.Manager, deps Deps) error {
	views, err := v.Area("interconnection", files)
	if err != nil {
		return fmt.Errorf("interconnection: %w", err)
	}
	h := &handler{views: views, sess: sess, deps: deps}
	if len(deps.Spec) > 0 {
		if h.ref, err = newReference(deps.Spec); err != nil {
			return fmt.Errorf("interconnection: API reference: %w", err)
		}
		mux.HandleFunc("GET /desarrolladores/api", h.referenceShow)
	}
	if sess == nil || deps.Keys == nil || deps.Webhooks == nil || deps.Institutions == nil {
		return nil
	}
	admin := func(next http.HandlerFunc) http.Handler { return sess.RequireRole(next, identity.RoleInstitutionAdmin) }
	mux.Handle("GET /institucion/{id}/api", admin(h.keyList))
	mux.Handle("POST /institucion/{id}/api/claves", admin(h.keyCreate))
	mux.Handle("POST /institucion/{id}/api/claves/{key}/revocar", admin(h.keyRevoke))
	mux.Handle("GET /institucion/{id}/webhooks", admin(h.webhookList))
	mux.Handle("POST /institucion/{id}/webhooks", admin(h.webhookCreate))
	mux.Handle("GET /institucion/{id}/webhooks/{wh}", admin(h.webhookShow))
	mux.Handle("POST /institucion/{id}/webhooks/{wh}/probar", admin(h.webhookPing))
	mux.Handle("POST /institucion/{id}/webhooks/{wh}/eliminar", admin(h.webhookDelete))
	mux.Handle("POST /institucion/{id}/webhooks/{wh}/reactivar", admin(h.webhookEnable))
	return nil
}
