-- Large recipient lists, files kept while a send is composed, and the
-- citizen's language for the emails Buzón sends him (internal/notification,
-- internal/identity).

-- The language of a citizen's alerts and reminders: 'es', 'en', or '' for
-- the default (Spanish).
ALTER TABLE identities ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- A recipients file too large to check within the request: it is sealed in
-- the blob store, read and checked by a job that writes its progress here,
-- and, once the notifier confirms, deposited by a job in chunks. The id is
-- the id of the draft that holds the content of the send.
CREATE TABLE recipient_uploads (
	id UUID PRIMARY KEY,
	institution_id UUID NOT NULL REFERENCES institutions (id),
	created_by UUID NOT NULL REFERENCES identities (id),
	filename TEXT NOT NULL,
	-- the file as uploaded, sealed
	blob_key TEXT NOT NULL,
	size BIGINT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('validando', 'validada', 'rechazada', 'depositando', 'terminada', 'fallida')),
	-- reading and checking
	bytes_read BIGINT NOT NULL DEFAULT 0,
	rows_read INTEGER NOT NULL DEFAULT 0,
	entries INTEGER NOT NULL DEFAULT 0,
	checked INTEGER NOT NULL DEFAULT 0,
	ready INTEGER NOT NULL DEFAULT 0,
	problems INTEGER NOT NULL DEFAULT 0,
	var_columns TEXT NOT NULL DEFAULT '',
	-- the first recipient who will receive it, for the preview; sealed
	sample BYTEA,
	-- why the file was refused, or why the deposit stopped
	error_code TEXT NOT NULL DEFAULT '',
	error_es TEXT NOT NULL DEFAULT '',
	error_en TEXT NOT NULL DEFAULT '',
	-- the deposit: the content, sealed, from the confirmation on (the draft
	-- is then gone), and how far it went: chunks_done is written in the
	-- transaction of each chunk's deposit, so a job that resumes deposits
	-- nobody twice
	payload BYTEA,
	confirmed_by TEXT NOT NULL DEFAULT '',
	chunk_size INTEGER NOT NULL DEFAULT 0,
	chunks_done INTEGER NOT NULL DEFAULT 0,
	processed INTEGER NOT NULL DEFAULT 0,
	deposited INTEGER NOT NULL DEFAULT 0,
	refused INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	confirmed_at BIGINT NOT NULL DEFAULT 0,
	finished_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX recipient_uploads_institution ON recipient_uploads (institution_id, created_at);

-- The per-row report of an upload: rows refused while checking (stage
-- 'revision') and each row's outcome at the deposit (stage 'deposito').
CREATE TABLE recipient_upload_rows (
	upload_id UUID NOT NULL REFERENCES recipient_uploads (id),
	line INTEGER NOT NULL,
	stage TEXT NOT NULL CHECK (stage IN ('revision', 'deposito')),
	outcome TEXT NOT NULL CHECK (outcome IN ('depositada', 'rechazada')),
	-- the cédula as written in the file
	nui_text TEXT NOT NULL,
	column_name TEXT NOT NULL DEFAULT '',
	code TEXT NOT NULL DEFAULT '',
	reason_es TEXT NOT NULL DEFAULT '',
	reason_en TEXT NOT NULL DEFAULT '',
	notification_id UUID,
	PRIMARY KEY (upload_id, line)
);

-- Files a notifier stored while composing (attachments, recipient lists)
-- and not yet part of a deposited notification. The hourly cleanup deletes
-- one (sealed blob, then row) a day after it was stored when no live draft
-- or running upload (owner_id) still needs it; a deposit deletes the row of
-- each attachment it uses, in its transaction.
CREATE TABLE compose_files (
	blob_key TEXT PRIMARY KEY,
	institution_id UUID NOT NULL REFERENCES institutions (id),
	owner_id UUID,
	created_at BIGINT NOT NULL,
	deleting_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX compose_files_created ON compose_files (created_at);

-- The cleanup checks that an attachment was never deposited.
CREATE INDEX notification_attachments_blob ON notification_attachments (blob_key);
