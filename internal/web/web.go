package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/alexedwards/scs/v2"

	"buzon/internal/apikey"
	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/institution"
	"buzon/internal/metrics"
	"buzon/internal/notification"
	"buzon/internal/registration"
	"buzon/internal/store"
	"buzon/internal/web/session"
	"buzon/internal/web/view"
	"buzon/internal/webhook"
)

// Options is everything the web layer needs from the process that serves it.
// Later portals add their services here (an inbox, a session manager…);
// a nil service leaves its portal out, so tests build only what they use.
type Options struct {
	// Logger receives the access log and the errors; nil discards them.
	Logger *slog.Logger
	// Metrics receives one observation per request, labelled by route
	// pattern; its registry is served at /metrics. Nil turns both off.
	Metrics *metrics.Metrics
	// Dev shows the development mailbox at /dev/mail (404 otherwise).
	Dev bool
	// BaseURL is the public address of the site; an https:// URL turns on
	// Strict-Transport-Security for every response.
	BaseURL string
	// Version is shown in the footer, for support.
	Version string
	// Ready answers /readyz: nil means this node may receive traffic
	// (database reachable, migrations current). Its error text is shown.
	Ready func(ctx context.Context) error
	// DevMail is read by the development mailbox.
	DevMail DevMailbox
	// Evidence serves the public verification endpoints under /evidence/.
	Evidence EvidenceLog

	// Identity serves sign-in, the account pages and the DIGERCIC and
	// platform consoles, and puts the signed-in person in every request's
	// context; nil leaves them out (nobody is ever signed in).
	Identity *identity.Service
	// SessionStore keeps the session cookies' data (store.Sessions).
	SessionStore scs.Store
	// Institutions serves the activation requests, MINTEL's console and
	// the institutions' administrators; nil leaves them out.
	Institutions *institution.Service
	// Registration serves the virtual registration channel and the
	// registration evidence; nil leaves them out.
	Registration *registration.Service
	// API is the interconnection API (internal/api), mounted under
	// /api/v1/ inside the shell's middleware; nil leaves it out.
	API http.Handler
	// APIKeys and Webhooks serve the administrator's pages for the API's
	// keys and webhooks (with Institutions and Identity); nil leaves them
	// out. The API reference at /desarrolladores/api is always served.
	APIKeys  *apikey.Service
	Webhooks *webhook.Service
	// Notifications serves the buzón, the institutions' sending and
	// tracking, and the dashboards; nil leaves them out.
	Notifications *notification.Service
	// Constancias is the evidence log that issues constancias to a
	// notification's parties and backs the auditors' evidence console; nil
	// (or no Notifications) leaves them out.
	Constancias *evidence.Log
}

// DevMailbox is the store's development mailbox, where mail is kept instead
// of being sent when no SMTP server is configured.
type DevMailbox interface {
	DevMails(ctx context.Context, limit int) ([]store.DevMail, error)
	DevMail(ctx context.Context, id string) (*store.DevMail, error)
}

// handler holds what the shell's own handlers (operations, language switch,
// not-found) need. Each area has its own handler type in its own package.
type handler struct {
	opts  Options
	log   *slog.Logger
	views *view.Engine
	mux   *http.ServeMux
	// sessions is nil when Options.Identity is.
	sessions *session.Manager
}

// New builds the whole site: it parses every template, checks every
// translation key, registers every route and wraps them in the middleware.
// An error means a broken build (a template or catalog), never bad input.
func New(o Options) (http.Handler, error) { return build(o, nil) }

// build is New with a hook for tests to add routes (a handler that panics)
// to the real mux, inside the real middleware.
func build(o Options, extra func(mux *http.ServeMux, views *view.Engine)) (http.Handler, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.BaseURL != "" {
		if u, err := url.Parse(o.BaseURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("web: base URL %q is not an http:// or https:// URL", o.BaseURL)
		}
	}
	views, err := view.New(view.Config{Logger: o.Logger, Version: o.Version})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	h := &handler{opts: o, log: o.Logger, views: views, mux: http.NewServeMux()}
	if o.Identity != nil {
		if h.sessions, err = session.New(o.Identity, o.SessionStore, views, strings.HasPrefix(o.BaseURL, "https://")); err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
	}
	if err := h.routes(); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if extra != nil {
		extra(h.mux, views)
	}
	if err := views.Check(); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	cop := http.NewCrossOriginProtection()
	if o.BaseURL != "" {
		u, _ := url.Parse(o.BaseURL)
		if err := cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(h.crossOriginDenied))
	var site http.Handler = recordRoute(h.mux)
	if h.sessions != nil {
		site = h.sessions.Middleware(site)
	}
	return h.middleware(cop.Handler(site), strings.HasPrefix(o.BaseURL, "https://")), nil
}
