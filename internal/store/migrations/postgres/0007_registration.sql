-- Virtual registration (DESIGN §3 flow 3): a citizen's application, from the
-- N.U.I. and email he typed to the account it created, and every attempt to
-- verify the registration document he signed. The issued PDF and the
-- accepted signed PDF are sealed in the blob store under *_key; only their
-- size and SHA-256 are here.
CREATE TABLE registration_applications (
	id UUID PRIMARY KEY,
	-- SHA-256 of the secret the applicant's browser holds (a cookie)
	secret_hash BYTEA NOT NULL,
	nui TEXT NOT NULL,
	given_names TEXT NOT NULL,
	surnames TEXT NOT NULL,
	email TEXT NOT NULL,
	-- language of the emails and of the document's help text: es or en
	lang TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('correo_pendiente', 'por_firmar', 'verificada', 'activada', 'anulada')),
	client_address TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	-- the email code: SHA-256 of application id and code, never the code
	email_code_hash BYTEA,
	email_code_expires_at BIGINT NOT NULL DEFAULT 0,
	email_code_failures INTEGER NOT NULL DEFAULT 0,
	email_codes_sent INTEGER NOT NULL DEFAULT 0,
	email_verified_at BIGINT NOT NULL DEFAULT 0,
	-- the registration document, once issued (esign.RegistrationMarker)
	code TEXT UNIQUE,
	document_key TEXT UNIQUE,
	document_sha256 TEXT NOT NULL DEFAULT '',
	document_size BIGINT NOT NULL DEFAULT 0,
	issued_at BIGINT NOT NULL DEFAULT 0,
	-- the outcome
	verified_at BIGINT NOT NULL DEFAULT 0,
	identity_id UUID REFERENCES identities (id),
	-- the account's activation token, sealed with the application id as
	-- context; cleared once the password is set
	activation_token BYTEA,
	activated_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX registration_applications_nui ON registration_applications (nui, created_at);
CREATE INDEX registration_applications_email ON registration_applications (email, created_at);
CREATE INDEX registration_applications_client ON registration_applications (client_address, created_at);
CREATE UNIQUE INDEX registration_applications_identity ON registration_applications (identity_id) WHERE identity_id IS NOT NULL;

-- Every upload of a signed document that reached the verifier, accepted or
-- refused, with the verifier's report (JSON) as evidence. Only an accepted
-- upload keeps its file (signed_key) and the signer's certificate.
CREATE TABLE registration_attempts (
	id UUID PRIMARY KEY,
	application_id UUID NOT NULL REFERENCES registration_applications (id),
	attempted_at BIGINT NOT NULL,
	outcome TEXT NOT NULL CHECK (outcome IN ('aceptada', 'rechazada')),
	-- the failing step and error code (esign.Step*, esign.Error.Code); empty when accepted
	step TEXT NOT NULL DEFAULT '',
	code TEXT NOT NULL DEFAULT '',
	file_sha256 TEXT NOT NULL,
	file_size BIGINT NOT NULL,
	report TEXT NOT NULL,
	signed_key TEXT UNIQUE,
	-- pdf[:signed_size] is the document as signed
	signed_size BIGINT NOT NULL DEFAULT 0,
	certificate BYTEA,
	client_address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX registration_attempts_application ON registration_attempts (application_id, attempted_at);
CREATE UNIQUE INDEX registration_attempts_one_accepted ON registration_attempts (application_id) WHERE outcome = 'aceptada';
