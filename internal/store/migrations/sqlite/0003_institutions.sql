-- Institutions: the public bodies (Constitution art. 225) that send
-- notifications through Buzón. A row exists once MINTEL approved the
-- body's activation request; before that there is only the request.
CREATE TABLE institutions (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	acronym TEXT NOT NULL,
	ruc TEXT NOT NULL UNIQUE,
	-- natural, public or company (nui.Kind); anything but public was
	-- flagged for MINTEL's review when requested
	ruc_kind TEXT NOT NULL,
	sector TEXT NOT NULL,
	modality TEXT NOT NULL CHECK (modality IN ('plataforma', 'interconexion')),
	state TEXT NOT NULL CHECK (state IN ('activa', 'suspendida')),
	state_reason TEXT NOT NULL DEFAULT '',
	daily_quota INTEGER NOT NULL CHECK (daily_quota >= 0),
	-- the public profile citizens see beside each notification
	address TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	website TEXT NOT NULL DEFAULT '',
	office_hours TEXT NOT NULL DEFAULT '',
	-- the approved activation request
	request_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX institutions_state ON institutions (state, name);

-- An institution's logo, apart so that reading an institution stays cheap.
CREATE TABLE institution_logos (
	institution_id TEXT PRIMARY KEY REFERENCES institutions (id),
	content BLOB NOT NULL,
	content_type TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	updated_at BIGINT NOT NULL
);

-- Requests to MINTEL: an institution's activation (filed by its highest
-- authority or delegate) or a change of its Administrador Institucional
-- (filed by the new administrator). Personal data of the requester and of
-- the administrator are kept for the record of the decision.
CREATE TABLE institution_requests (
	id TEXT PRIMARY KEY,
	tracking TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL CHECK (kind IN ('activacion', 'cambio_administrador')),
	state TEXT NOT NULL CHECK (state IN ('pendiente', 'aprobada', 'rechazada')),
	ruc TEXT NOT NULL,
	ruc_kind TEXT NOT NULL,
	-- set on an activation's approval, and from the start for a change
	institution_id TEXT REFERENCES institutions (id),
	name TEXT NOT NULL DEFAULT '',
	acronym TEXT NOT NULL DEFAULT '',
	sector TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	website TEXT NOT NULL DEFAULT '',
	contact_phone TEXT NOT NULL DEFAULT '',
	contact_email TEXT NOT NULL DEFAULT '',
	modality TEXT NOT NULL DEFAULT '',
	requester_names TEXT NOT NULL DEFAULT '',
	requester_nui TEXT NOT NULL DEFAULT '',
	requester_position TEXT NOT NULL DEFAULT '',
	requester_email TEXT NOT NULL DEFAULT '',
	admin_names TEXT NOT NULL,
	admin_nui TEXT NOT NULL,
	admin_position TEXT NOT NULL,
	admin_email TEXT NOT NULL,
	admin_phone TEXT NOT NULL,
	submitted_at BIGINT NOT NULL,
	decided_at BIGINT NOT NULL DEFAULT 0,
	decided_by TEXT REFERENCES identities (id),
	decision_reason TEXT NOT NULL DEFAULT ''
);
-- One pending request per RUC: a second one is refused until MINTEL decides.
CREATE UNIQUE INDEX institution_requests_one_pending ON institution_requests (ruc) WHERE state = 'pendiente';
CREATE INDEX institution_requests_queue ON institution_requests (state, submitted_at);
CREATE INDEX institution_requests_institution ON institution_requests (institution_id, submitted_at);

-- The signed documents of a request: sealed in the blob store under
-- blob_key; only their size and SHA-256 are here.
CREATE TABLE institution_documents (
	id TEXT PRIMARY KEY,
	request_id TEXT NOT NULL REFERENCES institution_requests (id),
	kind TEXT NOT NULL CHECK (kind IN ('oficio', 'delegacion')),
	filename TEXT NOT NULL,
	blob_key TEXT NOT NULL UNIQUE,
	size BIGINT NOT NULL,
	sha256 TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (request_id, kind)
);

-- Who has run an institution's use of Buzón and who sends for it, with
-- the history: a row per appointment, closed (ended_at) when the person
-- leaves the role. The role itself is in identity_roles; this table keeps
-- the institutional contact data and the record.
CREATE TABLE institution_staff (
	id TEXT PRIMARY KEY,
	institution_id TEXT NOT NULL REFERENCES institutions (id),
	identity_id TEXT NOT NULL REFERENCES identities (id),
	role TEXT NOT NULL CHECK (role IN ('admin_institucional', 'notificador')),
	nui TEXT NOT NULL,
	full_name TEXT NOT NULL,
	position TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	request_id TEXT REFERENCES institution_requests (id),
	started_at BIGINT NOT NULL,
	started_by TEXT REFERENCES identities (id),
	ended_at BIGINT NOT NULL DEFAULT 0,
	ended_by TEXT REFERENCES identities (id),
	end_reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX institution_staff_current ON institution_staff (institution_id, identity_id, role) WHERE ended_at = 0;
CREATE INDEX institution_staff_institution ON institution_staff (institution_id, role, started_at);
CREATE INDEX institution_staff_identity ON institution_staff (identity_id);
