package web

import (
	"errors"

	"buzon/internal/api"
	"buzon/internal/web/accounts"
	"buzon/internal/web/devmail"
	"buzon/internal/web/institutions"
	"buzon/internal/web/interconnection"
	"buzon/internal/web/notifications"
	"buzon/internal/web/privacy"
	"buzon/internal/web/public"
	"buzon/internal/web/registrations"
	"buzon/internal/web/transparency"
)

// routes registers every route of the site. This is the only file shared by
// all areas: a new area adds one line to the list at the end, and keeps its
// routes, handlers, templates and messages in its own package.
func (h *handler) routes() error {
	mux := h.mux

	// Operations.
	mux.HandleFunc("GET /healthz", h.healthz)
	mux.HandleFunc("GET /readyz", h.readyz)
	if h.opts.Metrics != nil {
		mux.Handle("GET /metrics", h.opts.Metrics.Handler())
	}

	// Shell.
	mux.HandleFunc("GET /static/{file}", h.views.ServeStatic)
	mux.HandleFunc("GET /favicon.ico", h.views.ServeFavicon)
	mux.HandleFunc("GET /idioma/{lang}", h.languageSet)
	mux.HandleFunc("/", h.notFound)
	if h.opts.API != nil {
		// The interconnection API: its own handler tree, answering problem+json.
		mux.Handle("/api/v1/", h.opts.API)
	}

	// Areas, one line each.
	return errors.Join(
		public.Routes(mux, h.views),
		devmail.Routes(mux, h.views, devmail.Options{Enabled: h.opts.Dev, Mailbox: h.opts.DevMail}),
		accounts.Routes(mux, h.views, h.sessions),
		h.evidenceRoutes(),
		notifications.Routes(mux, h.views, h.sessions, h.opts.Notifications),
		notifications.ConstanciaRoutes(mux, h.views, h.sessions, h.opts.Notifications, h.opts.Constancias),
		transparency.Routes(mux, h.views, h.sessions, h.opts.Constancias),
		institutions.Routes(mux, h.views, h.sessions, h.opts.Institutions),
		registrations.Routes(mux, h.views, h.sessions, h.opts.Registration, h.opts.BaseURL),
		privacy.Routes(mux, h.views, h.sessions, h.opts.Notifications, h.opts.Constancias),
		interconnection.Routes(mux, h.views, h.sessions, interconnection.Deps{Keys: h.opts.APIKeys, Webhooks: h.opts.Webhooks,
			Institutions: h.opts.Institutions, Spec: api.Spec()}),
	)
}
