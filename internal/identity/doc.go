// Package identity is who people are in Buzón and what they may do: one
// identity per N.U.I. (cédula), its roles, its credentials (argon2id
// password, TOTP with recovery codes, passkeys), its sessions, the single-use
// tokens sent by email, the throttling of failed attempts, and the audit log
// of staff actions. It knows nothing of HTTP: the web area internal/web/accounts
// and the session middleware internal/web/session are thin layers over it.
//
// # Model
//
// An identity (store table identities) carries the names given by the civil
// registry, an email and a State: pendiente (created, waiting for its holder
// to follow the activation link and choose a password), activa, suspendida
// (by a DIGERCIC operator, with a reason; sessions ended at once) or cerrada.
// Roles (identity_roles) attach to it: ciudadano, operador_digercic,
// admin_plataforma (MINTEL), admin_institucional and notificador (both
// scoped to an institution id: the institutions table comes with migration
// 0003, so identity_roles.institution_id has no foreign key) and auditor.
// Every role but ciudadano is staff: staff must use TOTP, and until they set
// it up Require refuses their staff roles (the web middleware sends them to
// the setup page).
//
// # For other packages
//
// The signed-in person of a request:
//
//	p := identity.FromContext(ctx)           // *Principal, nil if nobody
//	p.Has(identity.RoleCitizen)              // holds a role (any institution)
//	p.HasIn(identity.RoleNotifier, instID)   // holds a scoped role in one institution
//	p.Institutions(identity.RoleNotifier)    // where he holds it
//	identity.Require(p, roles...)            // nil, or ErrForbidden
//	identity.RequireIn(p, role, instID)      // nil, or ErrForbidden
//	identity.System("buzon demo")            // the principal of the command line or a job
//
// Institutions (in the caller's transaction, so an approval and the accounts
// it creates commit together; look people up first, outside it):
//
//	person, err := ids.LookupPerson(ctx, rawNUI)                    // registry check: exists, alive, cédula in force
//	acc, created, err := ids.EnsureIdentity(ctx, tx, actor, person, email, now) // find or create, activation email queued
//	inv, err := ids.InviteStaff(ctx, tx, actor, person, email, now) // same, link returned for the caller's own email
//	err = ids.GrantRole(ctx, tx, actor, acc.ID, identity.Grant{Role: identity.RoleNotifier, InstitutionID: id}, reason, now)
//	err = ids.RevokeRole(ctx, tx, actor, acc.ID, grant, reason, now)
//	n, err := identity.EndSessions(ctx, tx, acc.ID)                  // sign a person out everywhere
//	err = identity.RecordAudit(ctx, tx, actor, identity.RoleInstitutionAdmin, identity.AuditRecord{…}, now)
//
// GrantRole and RevokeRole audit the change but leave authorization to the
// caller (an institution administrator names his own notifiers). Staff TOTP
// needs nothing from callers: it is enforced on every staff role.
//
// # Sessions
//
// The web layer keeps the session cookie with alexedwards/scs (data in the
// sessions table, token hashed); this package keeps user_sessions, keyed by
// the SHA-256 of the same token: StartSession after a successful sign-in
// (with a renewed token), Authenticate on every request — one indexed read of
// the session joined with its identity, then the roles — which refuses an
// ended, revoked, idle (30 min) or expired (12 h) session and any account not
// active, EndSession at sign-out. A person lists and revokes his sessions
// (Sessions, RevokeSession, EndOtherSessions).
//
// # Signing in
//
// CheckPassword (N.U.I. and password; one generic error for a wrong N.U.I.,
// a wrong password, an account without a password) returns whether a second
// factor is due; VerifySecondFactor takes a TOTP code (a code of an already
// used time step is refused) or a recovery code; passkeys serve as the
// second factor (Begin/FinishPasskeySecondFactor) or alone, with user
// verification (Begin/FinishPasskeySignIn). Failures count per N.U.I. and per
// client address in auth_throttle (shared by every node): after the free
// allowance each failure locks the key for a growing time, up to an hour,
// and attempts are refused with a *ThrottleError ("Demasiados intentos;
// intente de nuevo en N minutos") without looking at the password.
//
// # Tokens
//
// Activation (72 h), password reset (1 h) and email change (24 h) links carry
// 32 random bytes; only their SHA-256 is stored, a newer token of the same
// purpose retires the older ones, and using one is a single UPDATE … WHERE
// used_at IS NULL AND expires_at > now.
//
// # Audit
//
// RecordAudit appends to audit_log (who, with which role, when, what, why,
// to whom, from which address) in the caller's transaction; the table is
// append-only (triggers refuse UPDATE and DELETE on both engines). AuditLog
// reads it for platform administrators and auditors; the DIGERCIC console
// shows an account's own history (AccountRecord).
//
// # Errors
//
// Every refusal meant for a person is an *Error (or a *ThrottleError) with a
// stable Code, a Spanish sentence (Error), an English one (English) and the
// form field it belongs to (Field); refusals of the nui, registry and
// eligibility packages pass through unchanged. FieldOf and IsShown help the
// web layer place them; anything else is a failure to log. A refusal writes
// nothing.
//
// # Clock and tests
//
// Config.Now is the only clock; tests move it. Config.PasswordParams makes
// argon2id cheap in tests. passkeytest is a software WebAuthn authenticator.
package identity
