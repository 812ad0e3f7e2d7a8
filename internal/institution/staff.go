package institution

import (
	"context"
	"errors"
	"time"

	"buzon/internal/identity"
	"buzon/internal/mail"
	"buzon/internal/nui"
	"buzon/internal/registry"
	"buzon/internal/store"
)

// StaffMember is one appointment of a person as an institution's
// administrator or notifier: current while EndedAt is zero.
type StaffMember struct {
	ID            string
	InstitutionID string
	AccountID     string
	Role          identity.Role
	NUI           string
	FullName      string
	Position      string
	Email         string
	Phone         string
	// RequestID is the MINTEL request that appointed an administrator.
	RequestID string
	StartedAt time.Time
	EndedAt   time.Time
	EndReason string
	// Pending is true while the person has not followed the invitation
	// (his account is pending activation).
	Pending bool
}

// Current reports whether the appointment is still open.
func (m *StaffMember) Current() bool { return m.EndedAt.IsZero() }

func staffOf(r *store.InstitutionStaff) StaffMember {
	return StaffMember{ID: r.ID, InstitutionID: r.InstitutionID, AccountID: r.IdentityID, Role: identity.Role(r.Role),
		NUI: r.NUI, FullName: r.FullName, Position: r.Position, Email: r.Email, Phone: r.Phone, RequestID: r.RequestID,
		StartedAt: r.StartedAt, EndedAt: r.EndedAt, EndReason: r.EndReason, Pending: r.AccountState == string(identity.StatePending)}
}

// staffData is what an appointment records besides the person.
type staffData struct {
	names, position, email, phone, requestID string
	invitedBy                                string
}

// appoint gives person role in inst inside the caller's transaction: it
// finds or creates his identity, grants the role, opens the appointment
// and queues the invitation (with the activation link while his account is
// pending). The role already held is ErrStaffHeld, except for an
// administrator re-appointed with new contact data.
func (s *Service) appoint(ctx context.Context, tx *store.Tx, actor *identity.Principal, inst *store.Institution, role identity.Role, person registry.Person, d staffData, now time.Time) error {
	inv, err := s.ids.InviteStaff(ctx, tx, actor, person, d.email, now)
	if err != nil {
		return onField("email", err)
	}
	if st := inv.Account.State; st == identity.StateSuspended || st == identity.StateClosed {
		return ErrAccountUnavailable
	}
	why := "designado por la institución"
	if d.requestID != "" {
		why = "solicitud aprobada por el MINTEL"
	}
	err = s.ids.GrantRole(ctx, tx, actor, inv.Account.ID, identity.Grant{Role: role, InstitutionID: inst.ID}, why, now)
	switch {
	case errors.Is(err, identity.ErrRoleHeld) && role == identity.RoleInstitutionAdmin:
	case errors.Is(err, identity.ErrRoleHeld):
		return ErrStaffHeld
	case err != nil:
		return err
	}
	name := inv.Account.FullName()
	if name == "" {
		name = d.names
	}
	err = tx.AddInstitutionStaff(ctx, &store.InstitutionStaff{InstitutionID: inst.ID, IdentityID: inv.Account.ID,
		Role: string(role), NUI: string(inv.Account.NUI), FullName: name, Position: d.position, Email: d.email,
		Phone: d.phone, RequestID: d.requestID, StartedAt: now, StartedBy: actor.ID})
	if errors.Is(err, store.ErrDuplicate) {
		return ErrStaffHeld
	}
	if err != nil {
		return err
	}
	return s.invite(ctx, tx, inst, role, inv, name, d, now)
}

// invite queues the invitation of an appointment: with the activation link
// while the account is pending, a note to sign in as usual otherwise.
func (s *Service) invite(ctx context.Context, tx *store.Tx, inst *store.Institution, role identity.Role, inv *identity.Invitation, name string, d staffData, now time.Time) error {
	switch {
	case inv.Link == "":
		return s.queueMail(ctx, tx, "institution_role_granted", d.email, mail.InstitutionRoleGrantedData{
			Name: name, Institution: inst.Name, Role: string(role), InvitedBy: d.invitedBy, SiteURL: s.baseURL}, now)
	case role == identity.RoleInstitutionAdmin:
		return s.queueMail(ctx, tx, "institution_admin_invitation", d.email, mail.InstitutionAdminInvitationData{
			Name: name, Institution: inst.Name, Link: inv.Link, Expires: inv.Expires}, now)
	default:
		return s.queueMail(ctx, tx, "staff_invitation", d.email, mail.StaffInvitationData{
			Name: name, Institution: inst.Name, Role: string(role), InvitedBy: d.invitedBy, Link: inv.Link, Expires: inv.Expires}, now)
	}
}

// dismiss ends an appointment inside the caller's transaction: the role is
// revoked, the person's sessions end (his next request finds him signed
// out) and he is told why.
func (s *Service) dismiss(ctx context.Context, tx *store.Tx, actor *identity.Principal, inst *store.Institution, m *store.InstitutionStaff, reason string, now time.Time) error {
	err := s.ids.RevokeRole(ctx, tx, actor, m.IdentityID, identity.Grant{Role: identity.Role(m.Role), InstitutionID: inst.ID}, reason, now)
	if err != nil && !errors.Is(err, identity.ErrRoleNotHeld) {
		return err
	}
	if _, err := identity.EndSessions(ctx, tx, m.IdentityID); err != nil {
		return err
	}
	if err := tx.EndInstitutionStaff(ctx, m.ID, actor.ID, reason, now); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrStaffEnded
		}
		return err
	}
	return s.queueMail(ctx, tx, "institution_role_revoked", m.Email, mail.InstitutionRoleRevokedData{
		Name: m.FullName, Institution: inst.Name, Role: m.Role, Reason: reason, At: now}, now)
}

// Staff lists an institution's administrators and notifiers, current ones
// first, with the history of past appointments: to its administrator and
// to MINTEL.
func (s *Service) Staff(ctx context.Context, p *identity.Principal, institutionID string) ([]StaffMember, error) {
	if err := s.requireAdminOrMINTEL(p, institutionID); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().InstitutionStaffOf(ctx, institutionID, "", false)
	if err != nil {
		return nil, err
	}
	out := make([]StaffMember, len(rows))
	for i := range rows {
		out[i] = staffOf(&rows[i])
	}
	return out, nil
}

// AdminHistory lists an institution's administrators, the current one
// first, then who held the role before.
func (s *Service) AdminHistory(ctx context.Context, p *identity.Principal, institutionID string) ([]StaffMember, error) {
	if err := s.requireAdminOrMINTEL(p, institutionID); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().InstitutionStaffOf(ctx, institutionID, string(identity.RoleInstitutionAdmin), false)
	if err != nil {
		return nil, err
	}
	out := make([]StaffMember, len(rows))
	for i := range rows {
		out[i] = staffOf(&rows[i])
	}
	return out, nil
}

// NotifierForm is the administrator's invitation of a notifier.
type NotifierForm struct {
	NUI      string // nui
	Email    string // email: institutional
	Position string // position
}

// InviteNotifier names a notifier of the administrator's institution by
// cédula and institutional email. A person without an account gets one,
// pending activation (the civil registry is asked); the invitation carries
// the activation link. Refusals come as *Invalid, next to their fields,
// and change nothing. A suspended institution cannot name notifiers.
func (s *Service) InviteNotifier(ctx context.Context, p *identity.Principal, institutionID string, f NotifierForm) (*StaffMember, error) {
	if err := requireAdmin(p, institutionID); err != nil {
		return nil, err
	}
	inst, err := s.db.Reader().InstitutionByID(ctx, institutionID)
	if err != nil {
		return nil, notFound(err)
	}
	if State(inst.State) != StateActive {
		return nil, ErrSuspended
	}
	var pr problems
	id := cedula(&pr, "nui", f.NUI)
	addr := email(&pr, "email", f.Email)
	position := text(&pr, "position", f.Position, maxPosition, true)
	if err := pr.err(); err != nil {
		return nil, err
	}
	person, err := s.person(ctx, string(id))
	if err != nil {
		if IsShown(err) {
			return nil, &Invalid{Errors: []error{onField("nui", err)}}
		}
		return nil, err
	}
	now := s.Now()
	var member StaffMember
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.appoint(ctx, tx, p, inst, identity.RoleNotifier, person, staffData{
			position: position, email: addr, invitedBy: p.FullName()}, now); err != nil {
			return err
		}
		rows, err := tx.InstitutionStaffOf(ctx, inst.ID, string(identity.RoleNotifier), true)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.NUI == string(id) {
				member = staffOf(&r)
			}
		}
		return s.audit(ctx, tx, p, identity.RoleInstitutionAdmin, identity.AuditRecord{Action: ActionInviteNotifier,
			SubjectID: member.AccountID, SubjectNUI: string(id), InstitutionID: inst.ID, Detail: "correo: " + addr}, now)
	})
	if err != nil {
		if IsShown(err) {
			return nil, &Invalid{Errors: []error{onFieldDefault("nui", err)}}
		}
		return nil, err
	}
	return &member, nil
}

// onFieldDefault places a refusal that names no field next to field.
func onFieldDefault(field string, err error) error {
	if FieldOf(err) != "" {
		return err
	}
	return onField(field, err)
}

// DeactivateNotifier ends a notifier's appointment: the role is revoked
// and his sessions end at once; the reason is mandatory and he is told.
// Another institution's appointment is ErrNotFound, like a missing one.
func (s *Service) DeactivateNotifier(ctx context.Context, p *identity.Principal, institutionID, staffID, reason string) error {
	if err := requireAdmin(p, institutionID); err != nil {
		return err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		m, err := tx.InstitutionStaffByID(ctx, staffID)
		if err != nil {
			return notFound(err)
		}
		if m.InstitutionID != institutionID || m.Role != string(identity.RoleNotifier) {
			return ErrNotFound
		}
		if !m.EndedAt.IsZero() {
			return ErrStaffEnded
		}
		inst, err := tx.InstitutionByID(ctx, institutionID)
		if err != nil {
			return notFound(err)
		}
		if err := s.dismiss(ctx, tx, p, inst, m, reason, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, identity.RoleInstitutionAdmin, identity.AuditRecord{Action: ActionEndNotifier, Reason: reason,
			SubjectID: m.IdentityID, SubjectNUI: m.NUI, InstitutionID: inst.ID}, now)
	})
}

// requireAdmin lets through the institution's administrator only.
func requireAdmin(p *identity.Principal, institutionID string) error {
	if identity.RequireIn(p, identity.RoleInstitutionAdmin, institutionID) != nil {
		return ErrForbidden
	}
	return nil
}

// requireAdminOrMINTEL lets through the institution's administrator and
// platform administrators.
func (s *Service) requireAdminOrMINTEL(p *identity.Principal, institutionID string) error {
	if requireAdmin(p, institutionID) == nil || requireMINTEL(p) == nil {
		return nil
	}
	return ErrForbidden
}

// ResendInvitation sends a fresh invitation to someone appointed who has
// not activated his account yet (the first link lasts three days): the
// institution's administrator resends his notifiers', MINTEL the
// administrators'. Another institution's appointment is ErrNotFound.
func (s *Service) ResendInvitation(ctx context.Context, p *identity.Principal, institutionID, staffID string) error {
	if err := s.requireAdminOrMINTEL(p, institutionID); err != nil {
		return err
	}
	now := s.Now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		m, err := tx.InstitutionStaffByID(ctx, staffID)
		if err != nil {
			return notFound(err)
		}
		if m.InstitutionID != institutionID {
			return ErrNotFound
		}
		role := identity.Role(m.Role)
		actingAs := identity.RoleInstitutionAdmin
		if role == identity.RoleInstitutionAdmin {
			if err := requireMINTEL(p); err != nil {
				return err
			}
			actingAs = identity.RolePlatformAdmin
		} else if err := requireAdmin(p, institutionID); err != nil {
			return err
		}
		if !m.EndedAt.IsZero() {
			return ErrStaffEnded
		}
		if m.AccountState != string(identity.StatePending) {
			return ErrAlreadyActivated
		}
		inst, err := tx.InstitutionByID(ctx, institutionID)
		if err != nil {
			return notFound(err)
		}
		inv, err := s.ids.InviteStaff(ctx, tx, p, registry.Person{NUI: nui.NUI(m.NUI)}, m.Email, now)
		if err != nil {
			return err
		}
		d := staffData{email: m.Email}
		if role == identity.RoleNotifier {
			d.invitedBy = p.FullName()
		}
		if err := s.invite(ctx, tx, inst, role, inv, m.FullName, d, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, actingAs, identity.AuditRecord{Action: ActionResendInvitation, SubjectID: m.IdentityID,
			SubjectNUI: m.NUI, InstitutionID: institutionID, Detail: "correo: " + m.Email}, now)
	})
}
