// Package accounts is the identity area of the site: signing in and out,
// activating an account, resetting a password, confirming a new email, the
// person's account page (/cuenta: profile, password, two-step verification,
// passkeys, sessions, sign-in history), the DIGERCIC console (/digercic/:
// in-person registration, search, suspend, reactivate, change email, resend
// activation, unlock) and the platform console's staff roles and audit log
// (/admin/personal, /admin/auditoria).
//
// Handlers parse the form, call internal/identity and render; every refusal
// from the domain is shown next to its field (identity.FieldOf) in the
// reader's language (session.Message), and nothing is written on a refusal.
// The passkey buttons need JavaScript (static/passkey.js); everything else
// works without it.
package accounts

import (
	"embed"
	"fmt"
	"net/http"

	"buzon/internal/identity"
	"buzon/internal/web/session"
	"buzon/internal/web/view"
)

//go:embed templates messages
var files embed.FS

// handler serves the identity area.
type handler struct {
	views *view.Set
	sess  *session.Manager
	ids   *identity.Service
}

// Routes registers the identity area; with no session manager (no identity
// service configured) it registers nothing.
func Routes(mux *http.ServeMux, v *view.Engine, sess *session.Manager) error {
	if sess == nil {
		return nil
	}
	views, err := v.Area("accounts", files)
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	h := &handler{views: views, sess: sess, ids: sess.Identity()}
	signedIn := sess.RequireSignIn
	role := sess.RequireRole
	dig, admin, audit := identity.RoleDIGERCIC, identity.RolePlatformAdmin, identity.RoleAuditor

	// Signing in and out.
	mux.HandleFunc("GET /ingresar", h.signinShow)
	mux.HandleFunc("POST /ingresar", h.signinSubmit)
	mux.HandleFunc("GET /ingresar/codigo", h.secondFactorShow)
	mux.HandleFunc("POST /ingresar/codigo", h.secondFactorSubmit)
	mux.HandleFunc("POST /ingresar/llave/opciones", h.passkeySigninOptions)
	mux.HandleFunc("POST /ingresar/llave", h.passkeySigninFinish)
	mux.HandleFunc("POST /ingresar/codigo/llave/opciones", h.passkeySecondOptions)
	mux.HandleFunc("POST /ingresar/codigo/llave", h.passkeySecondFinish)
	mux.HandleFunc("POST /salir", h.signout)

	// Links sent by email.
	mux.HandleFunc("GET /activar/{token}", h.activateShow)
	mux.HandleFunc("POST /activar/{token}", h.activateSubmit)
	mux.HandleFunc("GET /restablecer", h.resetRequestShow)
	mux.HandleFunc("POST /restablecer", h.resetRequestSubmit)
	mux.HandleFunc("GET /restablecer/{token}", h.resetShow)
	mux.HandleFunc("POST /restablecer/{token}", h.resetSubmit)
	mux.HandleFunc("GET /correo/confirmar/{token}", h.emailConfirmShow)
	mux.HandleFunc("POST /correo/confirmar/{token}", h.emailConfirmSubmit)

	// The person's account.
	mux.Handle("GET /cuenta", signedIn(h.accountShow))
	mux.Handle("GET /cuenta/contrasena", signedIn(h.passwordShow))
	mux.Handle("POST /cuenta/contrasena", signedIn(h.passwordSubmit))
	mux.Handle("GET /cuenta/correo", signedIn(h.emailShow))
	mux.Handle("POST /cuenta/correo", signedIn(h.emailSubmit))
	mux.Handle("GET /cuenta/verificacion", signedIn(h.totpShow))
	mux.Handle("POST /cuenta/verificacion", signedIn(h.totpConfirm))
	mux.Handle("POST /cuenta/verificacion/desactivar", signedIn(h.totpDisable))
	mux.Handle("POST /cuenta/verificacion/codigos", signedIn(h.totpCodes))
	mux.Handle("GET /cuenta/llaves", signedIn(h.passkeysShow))
	mux.Handle("POST /cuenta/llaves/opciones", signedIn(h.passkeyAddOptions))
	mux.Handle("POST /cuenta/llaves", signedIn(h.passkeyAddFinish))
	mux.Handle("POST /cuenta/llaves/{id}/eliminar", signedIn(h.passkeyDelete))
	mux.Handle("POST /cuenta/sesiones/{id}/cerrar", signedIn(h.sessionRevoke))
	mux.Handle("POST /cuenta/sesiones/cerrar-otras", signedIn(h.sessionsRevokeOthers))

	// The DIGERCIC console.
	mux.Handle("GET /digercic/{$}", role(h.digercicHome, dig))
	mux.Handle("GET /digercic/buscar", role(h.digercicSearch, dig))
	mux.Handle("GET /digercic/cuentas/{id}", role(h.digercicAccount, dig))
	mux.Handle("POST /digercic/cuentas/{id}/{action}", role(h.digercicAction, dig))
	mux.Handle("GET /digercic/registro", role(h.registerStart, dig))
	mux.Handle("POST /digercic/registro/consulta", role(h.registerCheck, dig))
	mux.Handle("POST /digercic/registro", role(h.registerSubmit, dig))

	// The platform console: staff roles and the audit log.
	mux.Handle("GET /admin/personal", role(h.staffShow, admin, audit))
	mux.Handle("POST /admin/personal", role(h.staffGrant, admin))
	mux.Handle("POST /admin/personal/{id}/revocar", role(h.staffRevoke, admin))
	mux.Handle("GET /admin/auditoria", role(h.auditShow, admin, audit))
	return nil
}
