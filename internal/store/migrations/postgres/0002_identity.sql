-- Identities: one per person, keyed by N.U.I. Roles attach to an identity
-- (a civil servant is also a citizen). Names come from the civil registry.
CREATE TABLE identities (
	id UUID PRIMARY KEY,
	nui TEXT NOT NULL UNIQUE,
	given_names TEXT NOT NULL,
	surnames TEXT NOT NULL,
	email TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('pendiente', 'activa', 'suspendida', 'cerrada')),
	state_reason TEXT NOT NULL DEFAULT '',
	-- how the identity was created: presencial, virtual, consola, institucion
	channel TEXT NOT NULL,
	password_hash TEXT NOT NULL DEFAULT '',
	password_changed_at BIGINT NOT NULL DEFAULT 0,
	-- TOTP secrets are sealed (internal/seal) with the identity id as context
	totp_secret BYTEA,
	totp_pending BYTEA,
	totp_enabled_at BIGINT NOT NULL DEFAULT 0,
	-- the last TOTP time step accepted, so a code cannot be used twice
	totp_last_step BIGINT NOT NULL DEFAULT 0,
	-- the WebAuthn user handle: random, so it reveals nothing about the person
	passkey_handle BYTEA NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	activated_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX identities_email ON identities (email);

-- Roles of an identity. Institution roles (admin_institucional, notificador)
-- carry the institution's id; the institutions table arrives in migration
-- 0003, so there is no foreign key here yet.
CREATE TABLE identity_roles (
	id UUID PRIMARY KEY,
	identity_id UUID NOT NULL REFERENCES identities (id),
	role TEXT NOT NULL,
	institution_id UUID,
	granted_at BIGINT NOT NULL,
	granted_by UUID
);
CREATE UNIQUE INDEX identity_roles_unique ON identity_roles (identity_id, role, COALESCE(institution_id::text, ''));
CREATE INDEX identity_roles_institution ON identity_roles (institution_id, role);

-- Single-use tokens sent by email (activation, password reset, email
-- change). Only the SHA-256 of the token is kept.
CREATE TABLE identity_tokens (
	token_hash BYTEA PRIMARY KEY,
	identity_id UUID NOT NULL REFERENCES identities (id),
	purpose TEXT NOT NULL,
	email TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT
);
CREATE INDEX identity_tokens_identity ON identity_tokens (identity_id, purpose);

-- TOTP recovery codes, hashed, each usable once.
CREATE TABLE recovery_codes (
	identity_id UUID NOT NULL REFERENCES identities (id),
	code_hash BYTEA NOT NULL,
	created_at BIGINT NOT NULL,
	used_at BIGINT,
	PRIMARY KEY (identity_id, code_hash)
);

-- WebAuthn credentials (passkeys); credential is the library's record as JSON.
CREATE TABLE passkeys (
	id UUID PRIMARY KEY,
	identity_id UUID NOT NULL REFERENCES identities (id),
	credential_id BYTEA NOT NULL UNIQUE,
	name TEXT NOT NULL,
	credential BYTEA NOT NULL,
	created_at BIGINT NOT NULL,
	last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX passkeys_identity ON passkeys (identity_id);

-- The signed-in sessions of each person, beside scs's own sessions table:
-- the hash of the session token, so a person can list and end his sessions
-- and suspending an account ends them at once.
CREATE TABLE user_sessions (
	id UUID PRIMARY KEY,
	token_hash BYTEA NOT NULL UNIQUE,
	identity_id UUID NOT NULL REFERENCES identities (id),
	method TEXT NOT NULL,
	address TEXT NOT NULL,
	user_agent TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX user_sessions_identity ON user_sessions (identity_id);
CREATE INDEX user_sessions_expiry ON user_sessions (expires_at);

-- Sign-in history of each identity: successes and refusals.
CREATE TABLE sign_ins (
	id UUID PRIMARY KEY,
	identity_id UUID NOT NULL REFERENCES identities (id),
	at BIGINT NOT NULL,
	method TEXT NOT NULL,
	outcome TEXT NOT NULL,
	address TEXT NOT NULL,
	user_agent TEXT NOT NULL
);
CREATE INDEX sign_ins_identity ON sign_ins (identity_id, at);

-- Failed attempts per key (an N.U.I., a client address), for growing delays
-- and temporary lockout shared by every node.
CREATE TABLE auth_throttle (
	throttle_key TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	last_failure_at BIGINT NOT NULL,
	locked_until BIGINT NOT NULL
);

-- What staff did (DIGERCIC operators, administrators): who, with which role,
-- when, what, why, to whom, from where. Append-only: the triggers refuse any
-- change or deletion.
CREATE TABLE audit_log (
	id UUID PRIMARY KEY,
	at BIGINT NOT NULL,
	actor_id UUID,
	actor_nui TEXT NOT NULL,
	actor_role TEXT NOT NULL,
	action TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	subject_id UUID,
	subject_nui TEXT NOT NULL DEFAULT '',
	institution_id UUID,
	address TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_subject ON audit_log (subject_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
