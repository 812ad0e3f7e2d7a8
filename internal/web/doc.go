// Package web is Buzón's web shell: it builds the one http.Handler that
// serves every page, the operations endpoints and the static files, and
// wraps them in the middleware every response needs.
//
// # How a request flows
//
// The handler New returns is, from the outside in:
//
//  1. context (middleware.go): the request id (X-Request-Id, kept when
//     valid, else generated, echoed in the response) and the language
//     (i18n.Negotiate: the buzon_lang cookie, else Accept-Language, else
//     Spanish) go into the request context. This is the only layer that
//     replaces the *http.Request, so every inner layer and the mux share
//     one request value.
//  2. observe: after the request, one access-log line (method, route
//     pattern, path, status, duration, bytes, request id, remote address)
//     and one metrics observation labelled by r.Pattern, which the mux sets
//     on that shared request; requests no route claimed are "unmatched".
//  3. securityHeaders (headers.go): Content-Security-Policy and the other
//     security headers, set before any handler writes, so 404s, static
//     files, 500s and operations carry them too; HSTS when the base URL is
//     https or the request came over TLS.
//  4. recoverer: a panic becomes the 500 page (with the request id, never
//     the cause) and an error log with the stack.
//  5. http.CrossOriginProtection: a non-safe request (POST…) from another
//     origin gets the 403 page. No token is needed in forms.
//  6. The http.ServeMux, whose routes are all listed in routes.go.
//
// Handlers render through package view: Set.Render executes a page in the
// request's language into a buffer and writes it with Cache-Control:
// no-store; Set.NotFound and Set.ServerError give the shared error pages.
// Templates and catalogs are parsed once, in New; New fails if a template
// uses a message key missing in any language, so a test run catches it.
//
// # Where things live
//
//	web/            New, Options, routes.go, middleware, /healthz, /readyz, language switch
//	web/view/       engine, layout, error pages, buzon.css and favicon (static/), site.* messages
//	web/i18n/       languages, negotiation, message catalogs
//	web/request/    request id in the context
//	web/public/     the public site (one area)
//	web/devmail/    the development mailbox, only with --dev (another area)
//
// # Adding a page to an area
//
// In the area's package: add templates/<name>.html defining "title" and
// "content" (or <name>.es.html and <name>.en.html for long texts written per
// language), add its keys to messages/es.json and messages/en.json (keys
// start with the area's name), add one handler file with one method on the
// area's handler type, and register it in the area's Routes function:
//
//	// inbox_list.go
//	func (h *handler) inboxList(w http.ResponseWriter, r *http.Request) {
//		list, err := h.inbox.List(r.Context(), …)
//		if err != nil {
//			h.views.ServerError(w, r, err)
//			return
//		}
//		h.views.Render(w, r, "inbox_list", list)
//	}
//
// Templates get a view.Page: .Lang, .Path, .Return, .RequestID, .Version
// and the handler's value as .Data; functions t (translate, with fmt
// arguments), asset (hashed URL of a static file) and datetime (Ecuador
// time, in the page's language). A file in templates/partials/ is parsed
// into every page of the area; a partial may redefine the layout's "nav"
// (main navigation) and "account" (the sign-in link in the masthead) blocks.
//
// # Adding an area (a portal)
//
// Create internal/web/<area>/ with routes.go holding
//
//	//go:embed templates messages
//	var files embed.FS
//
//	func Routes(mux *http.ServeMux, v *view.Engine, deps …) error {
//		views, err := v.Area("<area>", files)
//		…
//		h := &handler{views: views, …}
//		mux.HandleFunc("GET /buzon", h.inboxList)
//		return nil
//	}
//
// add the services it needs to Options (a nil service may leave the area
// out), and add one line to the list at the end of routes.go. Forms post to
// the same origin and need no CSRF token; pages must use no inline script
// or style (the CSP forbids them) and must pass the axe-core check of the
// browser tests in e2e/.
package web
