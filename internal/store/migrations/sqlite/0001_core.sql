-- Jobs are the persisted outbox: written in the same transaction as the work
-- that causes them, claimed by workers with a lease, retried with backoff.
CREATE TABLE jobs (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	payload BLOB NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL,
	run_at BIGINT NOT NULL,
	locked_by TEXT,
	locked_until BIGINT,
	last_error TEXT NOT NULL DEFAULT '',
	unique_key TEXT UNIQUE,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- The development mailbox: where mail goes when no SMTP server is configured.
CREATE TABLE dev_mail (
	id TEXT PRIMARY KEY,
	message_id TEXT NOT NULL,
	sender TEXT NOT NULL,
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL,
	text_body TEXT NOT NULL,
	html_body TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX dev_mail_recent ON dev_mail (created_at);

-- Web sessions (alexedwards/scs), kept in the database so any node serves any user.
CREATE TABLE sessions (
	token TEXT PRIMARY KEY,
	data BLOB NOT NULL,
	expiry BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);
