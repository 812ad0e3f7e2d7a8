-- The interconnection API (internal/api, internal/apikey, internal/webhook):
-- institutions' credentials, idempotency records, rate-limit windows,
-- uploaded files, batches, the sandbox of test keys and webhooks.

-- API keys of an institution in the interconnection modality. Only the
-- SHA-256 of the key is kept; the prefix (visible, unique) finds the row.
CREATE TABLE api_keys (
	id UUID PRIMARY KEY,
	institution_id UUID NOT NULL REFERENCES institutions (id),
	name TEXT NOT NULL,
	mode TEXT NOT NULL CHECK (mode IN ('live', 'test')),
	prefix TEXT NOT NULL UNIQUE,
	hash BYTEA NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	last_used_at BIGINT NOT NULL DEFAULT 0,
	revoked_at BIGINT NOT NULL DEFAULT 0,
	revoked_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX api_keys_institution ON api_keys (institution_id, created_at);

-- Idempotency-Key records, scoped per API key. A request first claims its
-- key (state in_progress, owner, lease); the response is written in the
-- same transaction as the work it answers (state done).
CREATE TABLE api_idempotency (
	api_key_id UUID NOT NULL REFERENCES api_keys (id),
	idem_key TEXT NOT NULL,
	fingerprint BYTEA NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
	owner TEXT NOT NULL,
	locked_until BIGINT NOT NULL,
	status INTEGER NOT NULL DEFAULT 0,
	headers TEXT NOT NULL DEFAULT '',
	body BYTEA,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	PRIMARY KEY (api_key_id, idem_key)
);
CREATE INDEX api_idempotency_expires ON api_idempotency (expires_at);

-- Fixed-window request counters per institution, shared by every node.
CREATE TABLE api_rate_windows (
	institution_id TEXT NOT NULL,
	window_start BIGINT NOT NULL,
	count INTEGER NOT NULL,
	PRIMARY KEY (institution_id, window_start)
);

-- Files uploaded through POST /api/v1/files, sealed in the blob store,
-- waiting to be named by a notification.
CREATE TABLE api_files (
	id UUID PRIMARY KEY,
	institution_id UUID NOT NULL REFERENCES institutions (id),
	api_key_id UUID NOT NULL REFERENCES api_keys (id),
	mode TEXT NOT NULL,
	filename TEXT NOT NULL,
	type_id TEXT NOT NULL,
	media_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	sha256 TEXT NOT NULL,
	blob_key TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX api_files_institution ON api_files (institution_id, created_at);

-- Batches: many notifications accepted at once and deposited in the
-- background; each item's request and outcome.
CREATE TABLE api_batches (
	id UUID PRIMARY KEY,
	institution_id UUID NOT NULL REFERENCES institutions (id),
	api_key_id UUID NOT NULL REFERENCES api_keys (id),
	mode TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('accepted', 'processing', 'completed')),
	total INTEGER NOT NULL,
	processed INTEGER NOT NULL DEFAULT 0,
	succeeded INTEGER NOT NULL DEFAULT 0,
	failed INTEGER NOT NULL DEFAULT 0,
	deposited INTEGER NOT NULL DEFAULT 0,
	refused INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	completed_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_batches_institution ON api_batches (institution_id, created_at);

CREATE TABLE api_batch_items (
	batch_id UUID NOT NULL REFERENCES api_batches (id),
	position INTEGER NOT NULL,
	request BYTEA NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
	result BYTEA,
	processed_at BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (batch_id, position)
);
CREATE INDEX api_batch_items_pending ON api_batch_items (batch_id, position) WHERE state = 'pending';

-- Notifications "sent" with test keys: validated and answered like live
-- ones, kept here so they can be read back, never deposited.
CREATE TABLE api_sandbox_notifications (
	id UUID PRIMARY KEY,
	institution_id UUID NOT NULL REFERENCES institutions (id),
	api_key_id UUID NOT NULL REFERENCES api_keys (id),
	recipient_nui TEXT NOT NULL,
	subject TEXT NOT NULL,
	reference TEXT NOT NULL,
	category TEXT NOT NULL,
	deadline TEXT NOT NULL DEFAULT '',
	due_date TEXT NOT NULL DEFAULT '',
	verification_code TEXT NOT NULL,
	attachments BYTEA,
	created_at BIGINT NOT NULL
);
CREATE INDEX api_sandbox_notifications_institution ON api_sandbox_notifications (institution_id, created_at, id);

-- Webhook endpoints of an institution. The signing secret is sealed.
CREATE TABLE webhooks (
	id UUID PRIMARY KEY,
	institution_id UUID NOT NULL REFERENCES institutions (id),
	url TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	event_types TEXT NOT NULL DEFAULT '',
	secret_sealed BYTEA NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('active', 'disabled', 'deleted')),
	state_reason TEXT NOT NULL DEFAULT '',
	-- the first failure since the last success; 0 while healthy
	failing_since BIGINT NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX webhooks_institution ON webhooks (institution_id, state);

-- One message for one endpoint (the same webhook-id on every attempt) and
-- the outcome of each attempt: the delivery log.
CREATE TABLE webhook_deliveries (
	id UUID PRIMARY KEY,
	webhook_id UUID NOT NULL REFERENCES webhooks (id),
	institution_id TEXT NOT NULL,
	message_id TEXT NOT NULL,
	event_type TEXT NOT NULL,
	payload BYTEA NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'retrying', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	last_status INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (webhook_id, message_id)
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at);

CREATE TABLE webhook_attempts (
	delivery_id UUID NOT NULL REFERENCES webhook_deliveries (id),
	attempt INTEGER NOT NULL,
	at BIGINT NOT NULL,
	status INTEGER NOT NULL,
	duration_ms INTEGER NOT NULL,
	error TEXT NOT NULL DEFAULT '',
	response TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (delivery_id, attempt)
);

-- How far the webhook dispatcher has read the evidence log (leaf index).
CREATE TABLE webhook_cursor (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	leaf BIGINT NOT NULL
);
INSERT INTO webhook_cursor (id, leaf) VALUES (1, -1);

-- The event feed reads one institution's integrated events in log order.
CREATE INDEX evidence_events_institution_leaf ON evidence_events (institution_id, leaf_index) WHERE leaf_index IS NOT NULL;
