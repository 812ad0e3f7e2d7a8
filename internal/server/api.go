package server

import (
	"fmt"
	"log/slog"
	"time"

	"buzon/internal/api"
	"buzon/internal/apikey"
	"buzon/internal/config"
	"buzon/internal/jobs"
	"buzon/internal/notification"
	"buzon/internal/seal"
	"buzon/internal/store"
	"buzon/internal/webhook"
)

// Interconnection is the interconnection API of a process: the institutions'
// keys, their webhooks and the /api/v1 handler.
type Interconnection struct {
	Keys     *apikey.Service
	Webhooks *webhook.Service
	API      *api.API
}

// webhookDispatchInterval is how often the dispatcher reads the evidence
// log for new events to post.
const webhookDispatchInterval = 2 * time.Second

// NewInterconnection builds the API and registers its jobs (batches,
// webhook deliveries) with the runner. On SQLite (one node) requests are
// counted in memory; on PostgreSQL in the database, so the rate limit
// holds across every node.
func NewInterconnection(cfg *config.Config, db *store.DB, keys *seal.Keyring, notes *notification.Service, runner *jobs.Runner,
	logger *slog.Logger) (*Interconnection, error) {
	ic := &Interconnection{
		Keys: &apikey.Service{DB: db, Logger: logger.With("component", "apikey")},
		Webhooks: &webhook.Service{DB: db, Keys: keys, AllowPrivate: cfg.WebhooksAllowPrivate, MailFrom: cfg.MailFrom,
			ConsoleURL: cfg.BaseURL + "/institucion/", Wake: runner.Wake, Logger: logger.With("component", "webhook")},
	}
	if cfg.WebhooksAllowPrivate {
		logger.Warn("webhooks may point to http:// URLs and private or loopback addresses (--webhooks-allow-private): for development and tests only")
	}
	rate := cfg.APIRateLimit
	if rate <= 0 {
		rate = 600
	}
	var limiter api.Limiter = &api.StoreLimiter{DB: db, Limit: rate, Window: time.Minute}
	if db.Engine() == store.SQLite {
		limiter = &api.MemoryLimiter{Limit: rate, Window: time.Minute}
	}
	var err error
	ic.API, err = api.New(api.Options{DB: db, Keys: ic.Keys, Notifications: notes, Webhooks: ic.Webhooks, Limiter: limiter,
		Wake: runner.Wake, Logger: logger.With("component", "api")})
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	runner.Register(ic.API.BatchJob())
	runner.Register(ic.Webhooks.Job())
	return ic, nil
}
