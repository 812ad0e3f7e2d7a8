-- Notifications (internal/notification). A notification is immutable once
-- deposited: the content columns are never updated (the triggers below
-- refuse it); what happens to it afterwards lives in the state columns
-- (read, alert, deadline) and in notification_downloads.

-- Trámites: an institution's administrative procedures, by expediente
-- number, grouping the notifications sent about them.
CREATE TABLE tramites (
	id TEXT PRIMARY KEY,
	institution_id TEXT NOT NULL REFERENCES institutions (id),
	expediente TEXT NOT NULL,
	title TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (institution_id, expediente)
);

-- One submission (a notifier's send, an API request): its attachments are
-- stored once and shared by every notification of the batch.
CREATE TABLE notification_batches (
	id TEXT PRIMARY KEY,
	institution_id TEXT NOT NULL REFERENCES institutions (id),
	actor_kind TEXT NOT NULL,
	actor_id TEXT NOT NULL,
	recipients INTEGER NOT NULL,
	deposited INTEGER NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX notification_batches_institution ON notification_batches (institution_id, created_at);

-- Attachments of a batch: the sealed blob's key, the plaintext's size and
-- SHA-256, and the type detected from the content.
CREATE TABLE notification_attachments (
	id TEXT PRIMARY KEY,
	batch_id TEXT NOT NULL REFERENCES notification_batches (id),
	position INTEGER NOT NULL,
	filename TEXT NOT NULL,
	type_id TEXT NOT NULL,
	media_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	sha256 TEXT NOT NULL,
	blob_key TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (batch_id, position)
);

CREATE TABLE notifications (
	id TEXT PRIMARY KEY,
	batch_id TEXT NOT NULL REFERENCES notification_batches (id),
	institution_id TEXT NOT NULL REFERENCES institutions (id),
	-- the institution's name when it sent, as the notification showed it
	institution_name TEXT NOT NULL,
	recipient_id TEXT NOT NULL REFERENCES identities (id),
	recipient_nui TEXT NOT NULL,
	subject TEXT NOT NULL,
	reference TEXT NOT NULL,
	category TEXT NOT NULL,
	-- the body (rich text source), sealed with the notification id as context
	body_sealed BLOB NOT NULL,
	body_sha256 TEXT NOT NULL,
	-- subject, reference and expediente folded (lower case, no accents) for search
	search_text TEXT NOT NULL,
	tramite_id TEXT REFERENCES tramites (id),
	rectifies_id TEXT REFERENCES notifications (id),
	deadline_kind TEXT NOT NULL,
	deadline_count INTEGER NOT NULL,
	deadline_date TEXT NOT NULL,
	-- YYYY-MM-DD in Ecuador, '' without a deadline
	due_date TEXT NOT NULL,
	verification_code TEXT NOT NULL,
	actor_kind TEXT NOT NULL,
	actor_id TEXT NOT NULL,
	deposited_at BIGINT NOT NULL,
	-- YYYY-MM-DD in Ecuador of deposited_at, for daily figures
	deposit_day TEXT NOT NULL,
	-- state: changes after the deposit
	unread SMALLINT NOT NULL DEFAULT 1,
	first_opened_at BIGINT NOT NULL DEFAULT 0,
	last_opened_at BIGINT NOT NULL DEFAULT 0,
	open_count INTEGER NOT NULL DEFAULT 0,
	first_download_at BIGINT NOT NULL DEFAULT 0,
	alert_state TEXT NOT NULL DEFAULT 'pendiente',
	alert_at BIGINT NOT NULL DEFAULT 0,
	alert_attempts INTEGER NOT NULL DEFAULT 0,
	alert_error TEXT NOT NULL DEFAULT '',
	deadline_reached_at BIGINT NOT NULL DEFAULT 0
);
-- The inbox: one citizen's notifications, unread first, newest first; also
-- the unread counter and the keyset cursor (unread, deposited_at, id).
CREATE INDEX notifications_inbox ON notifications (recipient_id, unread, deposited_at, id);
-- Tracking, quotas and dashboards of one institution.
CREATE INDEX notifications_institution ON notifications (institution_id, deposited_at, id);
-- Dashboards over every institution.
CREATE INDEX notifications_deposited ON notifications (deposited_at);
CREATE INDEX notifications_batch ON notifications (batch_id);
CREATE INDEX notifications_tramite ON notifications (tramite_id, deposited_at) WHERE tramite_id IS NOT NULL;
-- A notification is rectified at most once; a later correction rectifies the correction.
CREATE UNIQUE INDEX notifications_rectifies ON notifications (rectifies_id) WHERE rectifies_id IS NOT NULL;
-- The daily sweep: deadlines not yet reached.
CREATE INDEX notifications_due ON notifications (due_date) WHERE due_date <> '' AND deadline_reached_at = 0;

CREATE TRIGGER notifications_immutable BEFORE UPDATE OF id, batch_id, institution_id, institution_name,
	recipient_id, recipient_nui, subject, reference, category, body_sealed, body_sha256, search_text, tramite_id,
	rectifies_id, deadline_kind, deadline_count, deadline_date, due_date, verification_code, actor_kind, actor_id,
	deposited_at, deposit_day ON notifications
BEGIN
	SELECT RAISE(ABORT, 'a deposited notification never changes');
END;
CREATE TRIGGER notifications_no_delete BEFORE DELETE ON notifications
BEGIN
	SELECT RAISE(ABORT, 'a deposited notification is never deleted');
END;

-- Downloads of each attachment by the recipient (every one is also an
-- evidence event): what the institution's tracking shows.
CREATE TABLE notification_downloads (
	notification_id TEXT NOT NULL REFERENCES notifications (id),
	attachment_id TEXT NOT NULL REFERENCES notification_attachments (id),
	first_at BIGINT NOT NULL,
	last_at BIGINT NOT NULL,
	times INTEGER NOT NULL,
	PRIMARY KEY (notification_id, attachment_id)
);

-- Reusable texts of an institution, with placeholders such as {{nombres}}.
CREATE TABLE notification_templates (
	id TEXT PRIMARY KEY,
	institution_id TEXT NOT NULL REFERENCES institutions (id),
	name TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	category TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (institution_id, name)
);

-- A citizen's choice of reminder days (business days before a due date);
-- without a row, the defaults (3 and 1).
CREATE TABLE reminder_preferences (
	identity_id TEXT PRIMARY KEY REFERENCES identities (id),
	days TEXT NOT NULL,
	updated_at BIGINT NOT NULL
);

-- Decrees that add or cancel non-working days, entered by the platform
-- administrator; the business-day calendar is built from them.
CREATE TABLE calendar_overrides (
	day TEXT PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('feriado', 'laborable')),
	name TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

-- A notifier's send between the form and the confirmation: the content and
-- the stored attachments, sealed (the body is personal data), kept a day.
CREATE TABLE notification_drafts (
	id TEXT PRIMARY KEY,
	institution_id TEXT NOT NULL REFERENCES institutions (id),
	created_by TEXT NOT NULL REFERENCES identities (id),
	payload BLOB NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX notification_drafts_created ON notification_drafts (created_at);
