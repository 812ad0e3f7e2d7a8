// Package registrations is the virtual registration channel's area of the
// site (DESIGN §3 flow 3):
//
//   - /registro: what the channel asks and the first form (N.U.I., email);
//   - /registro/solicitud: the application in progress, one step at a time
//     (the emailed code, the document to download, sign and upload, the
//     password), held by the browser that started it through a cookie;
//   - /registro/como-firmar: how to sign the document with FirmaEC;
//   - /cuenta/registro: the citizen's own registration evidence;
//   - /digercic/ciudadanos/{nui}/registro: the same evidence for DIGERCIC
//     operators and auditors (each view and download audited).
//
// Handlers parse the request, call internal/registration and render; every
// refusal is shown next to its field in the reader's language, with what to
// do next, and changes nothing but the record of verification attempts.
package registrations

import (
	"embed"
	"fmt"
	"net/http"
	"strings"

	"buzon/internal/identity"
	"buzon/internal/registration"
	"buzon/internal/web/session"
	"buzon/internal/web/view"
)

//go:embed templates messages
var files embed.FS

// CookieName holds the application in progress: its id and secret.
const CookieName = "buzon_registro"

// handler serves the registration area.
type handler struct {
	views  *view.Set
	sess   *session.Manager
	svc    *registration.Service
	secure bool
}

// Routes registers the area; without a session manager or a registration
// service it registers nothing. An https:// baseURL marks the application
// cookie Secure.
func Routes(mux *http.ServeMux, v *view.Engine, sess *session.Manager, svc *registration.Service, baseURL string) error {
	if sess == nil || svc == nil {
		return nil
	}
	views, err := v.Area("registrations", files)
	if err != nil {
		return fmt.Errorf("registrations: %w", err)
	}
	h := &handler{views: views, sess: sess, svc: svc, secure: strings.HasPrefix(baseURL, "https://")}
	signedIn := sess.RequireSignIn
	staff := func(next http.HandlerFunc) http.Handler {
		return sess.RequireRole(next, identity.RoleDIGERCIC, identity.RoleAuditor)
	}

	// The channel, public.
	mux.HandleFunc("GET /registro", h.startShow)
	mux.HandleFunc("POST /registro", h.startSubmit)
	mux.HandleFunc("GET /registro/como-firmar", h.howToSign)
	mux.HandleFunc("GET /registro/solicitud", h.applicationShow)
	mux.HandleFunc("POST /registro/solicitud/codigo", h.codeSubmit)
	mux.HandleFunc("POST /registro/solicitud/codigo/nuevo", h.codeResend)
	mux.HandleFunc("GET /registro/solicitud/documento", h.documentDownload)
	mux.HandleFunc("POST /registro/solicitud/firmado", h.signedUpload)
	mux.HandleFunc("POST /registro/solicitud/contrasena", h.passwordSubmit)
	mux.HandleFunc("POST /registro/solicitud/abandonar", h.abandon)
	mux.HandleFunc("GET /registro/listo", h.done)

	// The evidence: the citizen's own, and DIGERCIC's view of anyone's.
	mux.Handle("GET /cuenta/registro", signedIn(h.evidenceOwn))
	mux.Handle("GET /cuenta/registro/{file}", signedIn(h.evidenceOwnFile))
	mux.Handle("GET /digercic/ciudadanos/{nui}/registro", staff(h.evidenceCitizen))
	mux.Handle("GET /digercic/ciudadanos/{nui}/registro/{file}", staff(h.evidenceCitizenFile))
	return nil
}
