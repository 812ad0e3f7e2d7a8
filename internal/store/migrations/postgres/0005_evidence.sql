-- The evidence log (internal/evidence, docs/EVIDENCE.md). Events are recorded
-- in the transaction of the change they record, with no leaf index; the
-- integrator later gives them consecutive leaf indexes, stores the Merkle
-- tree's hashes and signs a checkpoint.
CREATE TABLE evidence_events (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	type TEXT NOT NULL,
	occurred_at BIGINT NOT NULL,
	notification_id TEXT NOT NULL DEFAULT '',
	institution_id TEXT NOT NULL DEFAULT '',
	recipient_nui TEXT NOT NULL DEFAULT '',
	record BYTEA NOT NULL,
	record_hash BYTEA NOT NULL,
	leaf_index BIGINT UNIQUE,
	recorded_at BIGINT NOT NULL,
	integrated_at BIGINT
);
CREATE INDEX evidence_events_pending ON evidence_events (seq) WHERE leaf_index IS NULL;
CREATE INDEX evidence_events_notification ON evidence_events (notification_id, occurred_at);
CREATE INDEX evidence_events_recipient ON evidence_events (recipient_nui, occurred_at);
CREATE INDEX evidence_events_hash ON evidence_events (record_hash);

-- The tree's stored hashes, by tlog stored-hash index (tlog.StoredHashIndex).
CREATE TABLE evidence_hashes (
	idx BIGINT PRIMARY KEY,
	hash BYTEA NOT NULL
);

-- Signed checkpoints: the note text as served at /evidence/checkpoint.
CREATE TABLE evidence_checkpoints (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	size BIGINT NOT NULL,
	root BYTEA NOT NULL,
	note TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX evidence_checkpoints_size ON evidence_checkpoints (size);

-- Every public key the platform has signed evidence with, kept after
-- rotation so that earlier checkpoints and constancias stay verifiable.
CREATE TABLE evidence_keys (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('note', 'x509')),
	public TEXT NOT NULL,
	first_seen BIGINT NOT NULL,
	last_seen BIGINT NOT NULL
);
