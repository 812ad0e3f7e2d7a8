package identity

import (
	"context"
	"strings"
	"time"

	"buzon/internal/store"
)

// Audit actions written by this package. Other packages add their own,
// named "<thing>.<verb>" the same way. The values are stored.
const (
	ActionRegistryLookup   = "registro.consultar"
	ActionRegister         = "cuenta.registrar"
	ActionCreateIdentity   = "cuenta.crear"
	ActionAccountView      = "cuenta.consultar"
	ActionSuspend          = "cuenta.suspender"
	ActionReactivate       = "cuenta.reactivar"
	ActionChangeEmail      = "cuenta.cambiar_correo"
	ActionResendActivation = "cuenta.reenviar_activacion"
	ActionUnlock           = "cuenta.desbloquear"
	ActionEndSessions      = "cuenta.cerrar_sesiones"
	ActionGrantRole        = "rol.otorgar"
	ActionRevokeRole       = "rol.revocar"
)

// AuditRecord is what an action writes to the audit log besides who did it,
// when and from where (taken from the principal and the clock).
type AuditRecord struct {
	Action        string
	Reason        string
	SubjectID     string // the identity acted upon, if any
	SubjectNUI    string
	InstitutionID string
	Detail        string // what changed, in a short Spanish phrase
}

// AuditEntry is one line of the audit log as the consoles show it.
type AuditEntry struct {
	ID            string
	At            time.Time
	ActorID       string
	ActorNUI      string
	ActorRole     string
	Action        string
	Reason        string
	SubjectID     string
	SubjectNUI    string
	InstitutionID string
	Address       string
	Detail        string
}

// RecordAudit appends an action of actor, acting as role, to the audit log
// inside the caller's transaction, so the entry exists exactly when the
// action does. Every staff action of every package goes through here.
func RecordAudit(ctx context.Context, tx *store.Tx, actor *Principal, role Role, rec AuditRecord, at time.Time) error {
	e := &store.AuditEntry{
		At: at, Action: rec.Action, Reason: rec.Reason, SubjectID: rec.SubjectID, SubjectNUI: rec.SubjectNUI,
		InstitutionID: rec.InstitutionID, Detail: rec.Detail, ActorRole: string(role),
	}
	if actor != nil {
		e.ActorID, e.ActorNUI, e.Address = actor.ID, string(actor.NUI), actor.Client.Address
		if actor.IsSystem() {
			e.ActorRole = "sistema"
			e.Detail = joinDetail(actor.system, e.Detail)
		}
	}
	return tx.AppendAudit(ctx, e)
}

func (s *Service) audit(ctx context.Context, tx *store.Tx, actor *Principal, role Role, rec AuditRecord, at time.Time) error {
	return RecordAudit(ctx, tx, actor, role, rec, at)
}

// AuditFilter selects audit entries; empty fields match all.
type AuditFilter struct {
	// NUI matches entries where the cédula is the actor's or the subject's.
	NUI    string
	Action string
	// Before pages backwards: entries strictly older.
	Before time.Time
	Limit  int
}

// AuditLog returns audit entries, newest first, to platform administrators
// and auditors only.
func (s *Service) AuditLog(ctx context.Context, p *Principal, f AuditFilter) ([]AuditEntry, error) {
	if err := Require(p, RolePlatformAdmin, RoleAuditor); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	f.NUI, f.Action = strings.TrimSpace(f.NUI), strings.TrimSpace(f.Action)
	base := store.AuditFilter{Action: f.Action, Before: f.Before, Limit: f.Limit}
	if f.NUI == "" {
		rows, err := s.db.Reader().AuditEntries(ctx, base)
		return auditEntries(rows), err
	}
	// Entries about the person and entries by him, merged by time.
	bySubject, bySubjectErr := base, error(nil)
	bySubject.SubjectNUI = f.NUI
	a, bySubjectErr := s.db.Reader().AuditEntries(ctx, bySubject)
	if bySubjectErr != nil {
		return nil, bySubjectErr
	}
	byActor := base
	byActor.ActorNUI = f.NUI
	b, err := s.db.Reader().AuditEntries(ctx, byActor)
	if err != nil {
		return nil, err
	}
	merged := mergeAudit(a, b, f.Limit)
	return auditEntries(merged), nil
}

// mergeAudit merges two newest-first lists without duplicates.
func mergeAudit(a, b []store.AuditEntry, limit int) []store.AuditEntry {
	var out []store.AuditEntry
	seen := map[string]bool{}
	i, j := 0, 0
	for len(out) < limit && (i < len(a) || j < len(b)) {
		var e store.AuditEntry
		if j >= len(b) || (i < len(a) && !a[i].At.Before(b[j].At)) {
			e, i = a[i], i+1
		} else {
			e, j = b[j], j+1
		}
		if !seen[e.ID] {
			seen[e.ID] = true
			out = append(out, e)
		}
	}
	return out
}

func auditEntries(rows []store.AuditEntry) []AuditEntry {
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry(r)
	}
	return out
}
