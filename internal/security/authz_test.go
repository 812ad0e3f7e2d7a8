package security_test

import (
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// access is who a route is for, by the domain's rules (DESIGN §2).
type access string

const (
	open        access = "público"
	closed      access = "cerrado (404 en producción)"
	signedIn    access = "con sesión"
	citizenAny  access = "ciudadano"
	citizenOwn  access = "ciudadano, su notificación"
	staffAny    access = "personal de institución"
	staffOwn    access = "personal de esa institución"
	adminAny    access = "admin. institucional"
	adminOwn    access = "admin. de esa institución"
	mintelOnly  access = "MINTEL"
	digOnly     access = "DIGERCIC"
	digOrAudit  access = "DIGERCIC o auditor"
	mintOrAudit access = "MINTEL o auditor"
	apiOpen     access = "API, público"
	apiKey      access = "API, clave de esa institución"
	apiAnyKey   access = "API, cualquier clave"
	secondStep  access = "en el segundo paso de ingreso"
)

// row is one route of the matrix: who it is for and the path that calls it.
// In path, :i is an institution's id, :n a notification's, :a its
// attachment's, :tpl a template's, :staff a notifier's identity id, :nui
// and :cid a citizen's N.U.I. and account id; each is taken from side A
// (institution A, citizen A), from side B, and, where a path mixes an
// institution with its objects, from A for the institution and B for the
// objects (an id guessed across tenants).
type row struct {
	access access
	path   string
	// fake marks a path whose object does not exist (a guessed id, a token):
	// an allowed caller may get 404 from the handler.
	fake bool
}

// matrix has one row per registered route; TestAuthorizationMatrix fails on
// a route without a row and on a row without a route.
var matrix = map[string]row{
	// Operations and shell.
	"GET /healthz":                    {open, "/healthz", false},
	"GET /readyz":                     {open, "/readyz", false},
	"GET /metrics":                    {open, "/metrics", false},
	"GET /static/{file}":              {open, "/static/nada.css", true},
	"GET /favicon.ico":                {open, "/favicon.ico", false},
	"GET /idioma/{lang}":              {open, "/idioma/en", false},
	"/":                               {closed, "/no-existe", false},
	"/api/v1/":                        {apiOpen, "/api/v1/no-existe", true},
	"GET /dev/mail":                   {closed, "/dev/mail", false},
	"GET /dev/mail/{id}":              {closed, "/dev/mail/x", false},
	"GET /evidence/checkpoint":        {open, "/evidence/checkpoint", false},
	"GET /evidence/proof/inclusion":   {open, "/evidence/proof/inclusion?index=0&size=1", true},
	"GET /evidence/proof/consistency": {open, "/evidence/proof/consistency?old=1&new=1", true},
	"GET /evidence/records/{index}":   {open, "/evidence/records/0", true},
	"GET /evidence/keys":              {open, "/evidence/keys", false},

	// Public site.
	"GET /{$}":                        {open, "/", false},
	"GET /acerca":                     {open, "/acerca", false},
	"GET /como-crear-mi-cuenta":       {open, "/como-crear-mi-cuenta", false},
	"GET /recibiste-una-notificacion": {open, "/recibiste-una-notificacion", false},
	"GET /instituciones":              {open, "/instituciones", false},
	"GET /preguntas-frecuentes":       {open, "/preguntas-frecuentes", false},

	// Institution activation requests (public) and logos.
	"GET /instituciones/solicitud":                {open, "/instituciones/solicitud", false},
	"POST /instituciones/solicitud":               {open, "/instituciones/solicitud", false},
	"GET /instituciones/cambio-de-administrador":  {open, "/instituciones/cambio-de-administrador", false},
	"POST /instituciones/cambio-de-administrador": {open, "/instituciones/cambio-de-administrador", false},
	"GET /instituciones/solicitudes":              {open, "/instituciones/solicitudes", false},
	"GET /instituciones/solicitudes/{tracking}":   {open, "/instituciones/solicitudes/XXXX-0000", true},
	"GET /instituciones/logo/{id}":                {open, "/instituciones/logo/:i", true},

	// MINTEL.
	"GET /mintel/{$}":                                                  {mintelOnly, "/mintel/", false},
	"GET /mintel/solicitudes":                                          {mintelOnly, "/mintel/solicitudes", false},
	"GET /mintel/solicitudes/{id}":                                     {mintelOnly, "/mintel/solicitudes/0190f000-0000-7000-8000-000000000000", true},
	"GET /mintel/solicitudes/{id}/documentos/{doc}":                    {mintelOnly, "/mintel/solicitudes/0190f000-0000-7000-8000-000000000000/documentos/delegacion", true},
	"POST /mintel/solicitudes/{id}/decision":                           {mintelOnly, "/mintel/solicitudes/0190f000-0000-7000-8000-000000000000/decision", true},
	"GET /mintel/instituciones":                                        {mintelOnly, "/mintel/instituciones", false},
	"GET /mintel/instituciones/{id}":                                   {mintelOnly, "/mintel/instituciones/:i", false},
	"POST /mintel/instituciones/{id}/estado":                           {mintelOnly, "/mintel/instituciones/:i/estado", false},
	"POST /mintel/instituciones/{id}/modalidad":                        {mintelOnly, "/mintel/instituciones/:i/modalidad", false},
	"POST /mintel/instituciones/{id}/cuota":                            {mintelOnly, "/mintel/instituciones/:i/cuota", false},
	"POST /mintel/instituciones/{id}/administradores/{staff}/reenviar": {mintelOnly, "/mintel/instituciones/:i/administradores/:staff/reenviar", true},
	"GET /admin/tablero":                                               {mintelOnly, "/admin/tablero", false},
	"GET /admin/calendario":                                            {mintelOnly, "/admin/calendario", false},
	"POST /admin/calendario":                                           {mintelOnly, "/admin/calendario", false},
	"POST /admin/calendario/importar":                                  {mintelOnly, "/admin/calendario/importar", false},
	"POST /admin/calendario/{day}/quitar":                              {mintelOnly, "/admin/calendario/2026-12-31/quitar", true},
	"GET /admin/personal":                                              {mintOrAudit, "/admin/personal", false},
	"POST /admin/personal":                                             {mintelOnly, "/admin/personal", false},
	"POST /admin/personal/{id}/revocar":                                {mintelOnly, "/admin/personal/0190f000-0000-7000-8000-000000000000/revocar", true},
	"GET /admin/evidencias":                                            {mintOrAudit, "/admin/evidencias", false},
	"GET /privacidad":                                                  {open, "/privacidad", false},
	"GET /cuenta/mis-datos":                                            {signedIn, "/cuenta/mis-datos", false},
	"GET /cuenta/mis-datos/descargar":                                  {signedIn, "/cuenta/mis-datos/descargar", false},
	"GET /cuenta/accesos":                                              {signedIn, "/cuenta/accesos", false},
	"GET /admin/auditoria":                                             {mintOrAudit, "/admin/auditoria", false},

	// Institution administrators.
	"GET /institucion/{$}":                               {adminAny, "/institucion/", false},
	"GET /institucion/{id}":                              {adminOwn, "/institucion/:i", false},
	"GET /institucion/{id}/perfil":                       {adminOwn, "/institucion/:i/perfil", false},
	"POST /institucion/{id}/perfil":                      {adminOwn, "/institucion/:i/perfil", false},
	"POST /institucion/{id}/logo":                        {adminOwn, "/institucion/:i/logo", false},
	"POST /institucion/{id}/logo/quitar":                 {adminOwn, "/institucion/:i/logo/quitar", false},
	"GET /institucion/{id}/personal":                     {adminOwn, "/institucion/:i/personal", false},
	"POST /institucion/{id}/personal":                    {adminOwn, "/institucion/:i/personal", false},
	"POST /institucion/{id}/personal/{staff}/desactivar": {adminOwn, "/institucion/:i/personal/0190f000-0000-7000-8000-000000000000/desactivar", true},
	"POST /institucion/{id}/personal/{staff}/reenviar":   {adminOwn, "/institucion/:i/personal/:staff/reenviar", true},
	"GET /institucion/{id}/actividad":                    {adminOwn, "/institucion/:i/actividad", false},

	// Interconnection: API keys and webhooks, by the institution's administrator.
	"GET /desarrolladores/api":                        {open, "/desarrolladores/api", false},
	"GET /institucion/{id}/api":                       {adminOwn, "/institucion/:i/api", false},
	"POST /institucion/{id}/api/claves":               {adminOwn, "/institucion/:i/api/claves", false},
	"POST /institucion/{id}/api/claves/{key}/revocar": {adminOwn, "/institucion/:i/api/claves/0190f000-0000-7000-8000-000000000000/revocar", true},
	"GET /institucion/{id}/webhooks":                  {adminOwn, "/institucion/:i/webhooks", false},
	"POST /institucion/{id}/webhooks":                 {adminOwn, "/institucion/:i/webhooks", false},
	"GET /institucion/{id}/webhooks/{wh}":             {adminOwn, "/institucion/:i/webhooks/0190f000-0000-7000-8000-000000000000", true},
	"POST /institucion/{id}/webhooks/{wh}/probar":     {adminOwn, "/institucion/:i/webhooks/0190f000-0000-7000-8000-000000000000/probar", true},
	"POST /institucion/{id}/webhooks/{wh}/eliminar":   {adminOwn, "/institucion/:i/webhooks/0190f000-0000-7000-8000-000000000000/eliminar", true},
	"POST /institucion/{id}/webhooks/{wh}/reactivar":  {adminOwn, "/institucion/:i/webhooks/0190f000-0000-7000-8000-000000000000/reactivar", true},

	// Sending and tracking.
	"GET /institucion":                                            {staffAny, "/institucion", false},
	"GET /institucion/{inst}/redactar":                            {staffOwn, "/institucion/:i/redactar", false},
	"POST /institucion/{inst}/redactar":                           {staffOwn, "/institucion/:i/redactar", false},
	"GET /institucion/{inst}/envios/{draft}":                      {staffOwn, "/institucion/:i/envios/0190f000-0000-7000-8000-000000000000", true},
	"POST /institucion/{inst}/envios/{draft}":                     {staffOwn, "/institucion/:i/envios/0190f000-0000-7000-8000-000000000000", true},
	"GET /institucion/{inst}/notificaciones":                      {staffOwn, "/institucion/:i/notificaciones", false},
	"GET /institucion/{inst}/notificaciones.csv":                  {staffOwn, "/institucion/:i/notificaciones.csv", false},
	"GET /institucion/{inst}/notificaciones/{id}":                 {staffOwn, "/institucion/:i/notificaciones/:n", false},
	"GET /institucion/{inst}/notificaciones/{id}/anexos/{att}":    {staffOwn, "/institucion/:i/notificaciones/:n/anexos/:a", false},
	"GET /institucion/{inst}/notificaciones/{id}/constancia.pdf":  {staffOwn, "/institucion/:i/notificaciones/:n/constancia.pdf", false},
	"GET /institucion/{inst}/notificaciones/{id}/constancia.json": {staffOwn, "/institucion/:i/notificaciones/:n/constancia.json", false},
	"GET /institucion/{inst}/cargas/{id}":                         {staffOwn, "/institucion/:i/cargas/0190f000-0000-7000-8000-000000000000", true},
	"GET /institucion/{inst}/cargas/{id}/informe.csv":             {staffOwn, "/institucion/:i/cargas/0190f000-0000-7000-8000-000000000000/informe.csv", true},
	"GET /institucion/{inst}/plantillas":                          {staffOwn, "/institucion/:i/plantillas", false},
	"POST /institucion/{inst}/plantillas":                         {staffOwn, "/institucion/:i/plantillas", false},
	"POST /institucion/{inst}/plantillas/{id}/borrar":             {staffOwn, "/institucion/:i/plantillas/0190f000-0000-7000-8000-000000000000/borrar", true},
	"GET /institucion/{inst}/tablero":                             {staffOwn, "/institucion/:i/tablero", false},

	// The buzón.
	"GET /buzon":                      {citizenAny, "/buzon", false},
	"GET /buzon/preferencias":         {citizenAny, "/buzon/preferencias", false},
	"POST /buzon/preferencias":        {citizenAny, "/buzon/preferencias", false},
	"POST /buzon/preferencias/idioma": {citizenAny, "/buzon/preferencias/idioma", false},
	"GET /buzon/{id}":                 {citizenOwn, "/buzon/:n", false},
	"GET /buzon/{id}/anexos/{att}":    {citizenOwn, "/buzon/:n/anexos/:a", false},
	"GET /buzon/{id}/plazo.ics":       {citizenOwn, "/buzon/:n/plazo.ics", false},
	"GET /buzon/{id}/constancia.pdf":  {citizenOwn, "/buzon/:n/constancia.pdf", false},
	"GET /buzon/{id}/constancia.json": {citizenOwn, "/buzon/:n/constancia.json", false},
	"GET /buzon/{id}/todo.zip":        {citizenOwn, "/buzon/:n/todo.zip", false},

	// Accounts.
	"GET /ingresar":                        {open, "/ingresar", false},
	"POST /ingresar":                       {open, "/ingresar", false},
	"GET /ingresar/codigo":                 {secondStep, "/ingresar/codigo", false},
	"POST /ingresar/codigo":                {secondStep, "/ingresar/codigo", false},
	"POST /ingresar/llave/opciones":        {open, "/ingresar/llave/opciones", false},
	"POST /ingresar/llave":                 {open, "/ingresar/llave", false},
	"POST /ingresar/codigo/llave/opciones": {open, "/ingresar/codigo/llave/opciones", false},
	"POST /ingresar/codigo/llave":          {open, "/ingresar/codigo/llave", false},
	"POST /salir":                          {open, "/salir", false},
	"GET /activar/{token}":                 {open, "/activar/token-inventado", true},
	"POST /activar/{token}":                {open, "/activar/token-inventado", true},
	"GET /restablecer":                     {open, "/restablecer", false},
	"POST /restablecer":                    {open, "/restablecer", false},
	"GET /restablecer/{token}":             {open, "/restablecer/token-inventado", true},
	"POST /restablecer/{token}":            {open, "/restablecer/token-inventado", true},
	"GET /correo/confirmar/{token}":        {open, "/correo/confirmar/token-inventado", true},
	"POST /correo/confirmar/{token}":       {open, "/correo/confirmar/token-inventado", true},
	"GET /cuenta":                          {signedIn, "/cuenta", false},
	"GET /cuenta/contrasena":               {signedIn, "/cuenta/contrasena", false},
	"POST /cuenta/contrasena":              {signedIn, "/cuenta/contrasena", false},
	"GET /cuenta/correo":                   {signedIn, "/cuenta/correo", false},
	"POST /cuenta/correo":                  {signedIn, "/cuenta/correo", false},
	"GET /cuenta/verificacion":             {signedIn, "/cuenta/verificacion", false},
	"POST /cuenta/verificacion":            {signedIn, "/cuenta/verificacion", false},
	"POST /cuenta/verificacion/desactivar": {signedIn, "/cuenta/verificacion/desactivar", false},
	"POST /cuenta/verificacion/codigos":    {signedIn, "/cuenta/verificacion/codigos", false},
	"GET /cuenta/llaves":                   {signedIn, "/cuenta/llaves", false},
	"POST /cuenta/llaves/opciones":         {signedIn, "/cuenta/llaves/opciones", false},
	"POST /cuenta/llaves":                  {signedIn, "/cuenta/llaves", false},
	"POST /cuenta/llaves/{id}/eliminar":    {signedIn, "/cuenta/llaves/0190f000-0000-7000-8000-000000000000/eliminar", true},
	"POST /cuenta/sesiones/{id}/cerrar":    {signedIn, "/cuenta/sesiones/0190f000-0000-7000-8000-000000000000/cerrar", true},
	"POST /cuenta/sesiones/cerrar-otras":   {signedIn, "/cuenta/sesiones/cerrar-otras", false},

	// DIGERCIC.
	"GET /digercic/{$}":                    {digOnly, "/digercic/", false},
	"GET /digercic/buscar":                 {digOnly, "/digercic/buscar?nui=:nui", false},
	"GET /digercic/cuentas/{id}":           {digOnly, "/digercic/cuentas/:cid", false},
	"POST /digercic/cuentas/{id}/{action}": {digOnly, "/digercic/cuentas/:cid/inventada", true},
	"GET /digercic/registro":               {digOnly, "/digercic/registro", false},
	"POST /digercic/registro/consulta":     {digOnly, "/digercic/registro/consulta", false},
	"POST /digercic/registro":              {digOnly, "/digercic/registro", false},

	// Registration (virtual channel) and its evidence.
	"GET /registro":                                  {open, "/registro", false},
	"POST /registro":                                 {open, "/registro", false},
	"GET /registro/como-firmar":                      {open, "/registro/como-firmar", false},
	"GET /registro/solicitud":                        {open, "/registro/solicitud", false},
	"POST /registro/solicitud/codigo":                {open, "/registro/solicitud/codigo", false},
	"POST /registro/solicitud/codigo/nuevo":          {open, "/registro/solicitud/codigo/nuevo", false},
	"GET /registro/solicitud/documento":              {open, "/registro/solicitud/documento", true},
	"POST /registro/solicitud/firmado":               {open, "/registro/solicitud/firmado", false},
	"POST /registro/solicitud/contrasena":            {open, "/registro/solicitud/contrasena", false},
	"POST /registro/solicitud/abandonar":             {open, "/registro/solicitud/abandonar", false},
	"GET /registro/listo":                            {open, "/registro/listo", false},
	"GET /cuenta/registro":                           {signedIn, "/cuenta/registro", false},
	"GET /cuenta/registro/{file}":                    {signedIn, "/cuenta/registro/documento.pdf", true},
	"GET /digercic/ciudadanos/{nui}/registro":        {digOrAudit, "/digercic/ciudadanos/:nui/registro", false},
	"GET /digercic/ciudadanos/{nui}/registro/{file}": {digOrAudit, "/digercic/ciudadanos/:nui/registro/documento.pdf", true},

	// The interconnection API: only a bearer key counts; session cookies do not.
	"GET /api/v1/openapi.json":        {apiOpen, "/api/v1/openapi.json", false},
	"POST /api/v1/files":              {apiKey, "/api/v1/files", false},
	"POST /api/v1/notifications":      {apiKey, "/api/v1/notifications", false},
	"GET /api/v1/notifications":       {apiKey, "/api/v1/notifications", false},
	"GET /api/v1/notifications/{id}":  {apiKey, "/api/v1/notifications/:n", false},
	"POST /api/v1/batches":            {apiKey, "/api/v1/batches", false},
	"GET /api/v1/batches/{id}":        {apiKey, "/api/v1/batches/0190f000-0000-7000-8000-000000000000", true},
	"GET /api/v1/recipients/{nui}":    {apiAnyKey, "/api/v1/recipients/:nui", false},
	"GET /api/v1/events":              {apiKey, "/api/v1/events", false},
	"GET /api/v1/webhooks":            {apiKey, "/api/v1/webhooks", false},
	"POST /api/v1/webhooks":           {apiKey, "/api/v1/webhooks", false},
	"GET /api/v1/webhooks/{id}":       {apiKey, "/api/v1/webhooks/0190f000-0000-7000-8000-000000000000", true},
	"DELETE /api/v1/webhooks/{id}":    {apiKey, "/api/v1/webhooks/0190f000-0000-7000-8000-000000000000", true},
	"POST /api/v1/webhooks/{id}/test": {apiKey, "/api/v1/webhooks/0190f000-0000-7000-8000-000000000000/test", true},
}

// Outcomes, as the matrix prints them.
const (
	allowed  = "✓"
	toSignIn = "→ingresar"
	either   = "403 o 404"
)

// variant names whose objects a request uses.
type variant string

const (
	none  variant = ""
	sideA variant = "A"
	sideB variant = "B"
	mixed variant = "A+B" // institution A, objects of B
)

func (f *fixture) expand(path string, v variant) string {
	inst, obj := f.a, f.a
	switch v {
	case sideB:
		inst, obj = f.b, f.b
	case mixed:
		obj = f.b
	}
	return strings.NewReplacer(":i", inst.inst.ID, ":nui", obj.citizenNUI, ":n", obj.notif, ":a", obj.att,
		":tpl", obj.template, ":staff", obj.staffID, ":cid", obj.citizenID).Replace(path)
}

func variants(path string) []variant {
	switch {
	case strings.Contains(path, ":i") && (strings.Contains(path, ":n") || strings.Contains(path, ":a") || strings.Contains(path, ":staff")):
		return []variant{sideA, sideB, mixed}
	case strings.Contains(path, ":"):
		return []variant{sideA, sideB}
	}
	return []variant{none}
}

// side of a role: which tenant's objects are its own.
func ownSide(who Role) variant {
	switch who {
	case Citizen, Notifier, InstAdmin, SystemA:
		return sideA
	case OtherCitizen, OtherNotifier, SystemB:
		return sideB
	}
	return none
}

// expect is the outcome the domain's rules require of who calling a route
// of access a with the objects of v.
func expect(a access, who Role, v variant) string {
	web := a != apiOpen && a != apiKey
	anonymous := who == Anonymous || (web && (who == SystemA || who == SystemB))
	// Whose objects: for a mixed path, the institution is A's and the
	// objects are B's, so nobody owns both.
	own := v == none || v == ownSide(who)
	switch a {
	case open, apiOpen:
		return allowed
	case closed:
		return "404"
	case apiKey, apiAnyKey:
		if who != SystemA && who != SystemB {
			return "401"
		}
		if own || a == apiAnyKey {
			return allowed
		}
		return "404"
	case secondStep:
		return toSignIn // nobody here is half-way through signing in
	}
	if anonymous {
		return toSignIn
	}
	has := func(rs ...Role) bool {
		for _, r := range rs {
			if r == who {
				return true
			}
		}
		return false
	}
	switch a {
	case signedIn:
		return allowed
	case citizenAny:
		if has(Citizen, OtherCitizen) {
			return allowed
		}
	case citizenOwn:
		if has(Citizen, OtherCitizen) {
			if own {
				return allowed
			}
			return "404" // another's notification looks like a missing one
		}
	case staffAny:
		if has(Notifier, OtherNotifier, InstAdmin) {
			return allowed
		}
	case staffOwn:
		if has(Notifier, OtherNotifier, InstAdmin) {
			if own {
				return allowed
			}
			// Another institution's data, or his institution with another's
			// object: refused (pages of the institution as a whole say 403,
			// its objects look missing).
			return either
		}
	case adminAny:
		if has(InstAdmin) {
			return allowed
		}
	case adminOwn:
		if has(InstAdmin) {
			switch {
			case own:
				return allowed
			case v == mixed:
				return "404"
			}
			return "403"
		}
	case mintelOnly:
		if has(Mintel) {
			return allowed
		}
	case digOnly:
		if has(Digercic) {
			return allowed
		}
	case digOrAudit:
		if has(Digercic, Auditor) {
			return allowed
		}
	case mintOrAudit:
		if has(Mintel, Auditor) {
			return allowed
		}
	}
	return "403"
}

// outcome classifies an answer.
func outcome(r result, fake bool) string {
	switch {
	case r.status == http.StatusSeeOther && strings.HasPrefix(r.location, "/ingresar") && !strings.HasPrefix(r.location, "/ingresar?salio"):
		return toSignIn
	case r.status == http.StatusUnauthorized, r.status == http.StatusForbidden:
		return fmt.Sprint(r.status)
	case r.status == http.StatusNotFound && !fake:
		return "404"
	case r.status >= 500:
		return fmt.Sprint(r.status)
	}
	return allowed
}

// sessionEnding are routes that end the caller's session when allowed:
// they are called last.
var sessionEnding = map[string]bool{"POST /salir": true}

// TestAuthorizationMatrix calls every route of the web and the API as
// every role, on its own and on others' objects, and compares the outcome
// with the domain's rules. A route without a row, or a row whose request is
// not served by its route, fails.
func TestAuthorizationMatrix(t *testing.T) {
	patterns := registeredRoutes(t)
	var missing, extra []string
	for _, p := range patterns {
		if _, ok := matrix[p]; !ok {
			missing = append(missing, p)
		}
	}
	for p := range matrix {
		if !contains(patterns, p) {
			extra = append(extra, p)
		}
	}
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Fatalf("routes without a row in the authorization matrix (add one to matrix in internal/security/authz_test.go): %q", missing)
	}
	// A row left behind by a removed route is only noise: say so, and go on.
	for _, p := range extra {
		t.Logf("a row without a route (remove it): %q", p)
		delete(matrix, p)
	}

	sort.SliceStable(patterns, func(i, j int) bool { return !sessionEnding[patterns[i]] && sessionEnding[patterns[j]] })
	f := newFixture(t, nil)
	type cell struct{ route, variant, who, got string }
	var cells []cell
	var checked, refusals int
	kinds := map[string]int{}
	for _, p := range patterns {
		rw := matrix[p]
		method, _, ok := strings.Cut(p, " ")
		if !ok || strings.HasPrefix(method, "/") {
			method = http.MethodGet
		}
		for _, v := range variants(rw.path) {
			path := f.expand(rw.path, v)
			for _, who := range roles {
				want := expect(rw.access, who, v)
				r := f.do(who, method, path, strings.NewReader(""), "application/x-www-form-urlencoded")
				got := outcome(r, rw.fake)
				if rw.fake && r.status == http.StatusNotFound && (want == "404" || want == either) {
					got = "404" // refused, or allowed to a missing object: the same answer
				}
				if want == either && (got == "403" || got == "404") {
					want = got
				}
				checked++
				if want != allowed {
					refusals++
				}
				if got != want {
					t.Errorf("%s %s as %s (objects %s): got %s (status %d, Location %q), want %s", method, path, who, v, got, r.status, r.location, want)
				}
				wantRoute := p
				switch {
				case rw.access == closed:
					wantRoute = "unmatched"
				}
				if r.route != wantRoute {
					t.Errorf("%s %s as %s was served by route %q, not %q: fix the row's path", method, path, who, r.route, p)
				}
				checkHeaders(t, fmt.Sprintf("%s %s as %s (%d)", method, path, who, r.status), r.header)
				kinds[kind(r)]++
				cells = append(cells, cell{p, string(v), string(who), got})
			}
		}
	}
	t.Logf("%d routes, %d requests, %d refusals checked; security headers checked on %v", len(patterns), checked, refusals, kinds)

	// The matrix as docs/SECURITY.md prints it.
	var b strings.Builder
	fmt.Fprintf(&b, "%d routes (%d of the web, %d of the API), %d roles, %d requests, of which %d must be refused.\n\n",
		len(patterns), len(patterns)-countAPI(patterns), countAPI(patterns), len(roles), checked, refusals)
	b.WriteString("| route | for | objects |")
	for _, who := range roles {
		b.WriteString(" " + string(who) + " |")
	}
	b.WriteString("\n|---|---|---|")
	for range roles {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for i := 0; i < len(cells); i += len(roles) {
		c := cells[i]
		v := c.variant
		if v == "" {
			v = "—"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |", c.route, matrix[c.route].access, v)
		for _, x := range cells[i : i+len(roles)] {
			b.WriteString(" " + x.got + " |")
		}
		b.WriteString("\n")
	}
	checkDoc(t, "authz", b.String())
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func countAPI(patterns []string) int {
	n := 0
	for _, p := range patterns {
		if strings.Contains(p, "/api/v1/") {
			n++
		}
	}
	return n
}

const docPath = "../../docs/SECURITY.md"

// checkDoc compares the section named name of docs/SECURITY.md (between
// <!-- name:begin --> and <!-- name:end -->) with text, or rewrites it
// with -update, so the document cannot drift from the tests.
func checkDoc(t *testing.T, name, text string) {
	t.Helper()
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	i, j := strings.Index(string(doc), begin), strings.Index(string(doc), end)
	if i < 0 || j < i {
		t.Fatalf("docs/SECURITY.md lacks the markers %q and %q", begin, end)
	}
	have := string(doc[i+len(begin) : j])
	if have == text {
		return
	}
	if *update {
		out := string(doc[:i+len(begin)]) + text + string(doc[j:])
		if err := os.WriteFile(docPath, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("docs/SECURITY.md section %q is out of date (go test ./internal/security -update):\n%s", name, cmp.Diff(have, text))
}
