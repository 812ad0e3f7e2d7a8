package notifications

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/notification"
	"buzon/internal/nui"
	"buzon/internal/store"
)

// The rules below mirror notification.Open and notification.StaffView
// without their side effects: a constancia download is not an opening (it
// records no evidence event, or the constancia would change each time it is
// downloaded), and a staff download is audited as such.

// citizenConstancia returns what the constancia of one of p's
// notifications says besides its events. Another citizen's notification, a
// malformed id and a missing one are all notification.ErrNotFound.
func (h *constancias) citizenConstancia(ctx context.Context, p *identity.Principal, id string) (evidence.Constancia, error) {
	if p == nil || p.IsSystem() || p.ID == "" || !notification.ValidID(id) {
		return evidence.Constancia{}, notification.ErrNotFound
	}
	r := h.svc.DB.Reader()
	n, err := r.Notification(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && n.RecipientID != p.ID):
		return evidence.Constancia{}, notification.ErrNotFound
	case err != nil:
		return evidence.Constancia{}, fmt.Errorf("constancia of %s: %w", id, err)
	}
	return constanciaOf(ctx, r, n)
}

// staffConstancia returns what the constancia of one of the institution's
// notifications says besides its events, and writes the download to the
// audit log. A notification of another institution is
// notification.ErrNotFound; an institution p does not work for is
// notification.ErrForbidden.
func (h *constancias) staffConstancia(ctx context.Context, p *identity.Principal, institutionID, id, format string) (evidence.Constancia, error) {
	role, err := staffRoleIn(p, institutionID)
	if err != nil {
		return evidence.Constancia{}, err
	}
	if !notification.ValidID(id) {
		return evidence.Constancia{}, notification.ErrNotFound
	}
	var c evidence.Constancia
	err = h.svc.DB.Write(ctx, func(tx *store.Tx) error {
		n, err := tx.Notification(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && n.InstitutionID != institutionID) {
			return notification.ErrNotFound
		}
		if err != nil {
			return err
		}
		if c, err = constanciaOf(ctx, tx, n); err != nil {
			return err
		}
		return identity.RecordAudit(ctx, tx, p, role, identity.AuditRecord{Action: ActionConstanciaDownload,
			SubjectNUI: n.RecipientNUI, SubjectID: n.RecipientID, InstitutionID: institutionID,
			Detail: "constancia (" + format + ") de la notificación " + id}, h.now())
	})
	if err != nil {
		return evidence.Constancia{}, fmt.Errorf("constancia of %s: %w", id, err)
	}
	return c, nil
}

func (h *constancias) now() time.Time { return h.svc.Time() }

// staffRoleIn is the role p acts under for an institution's notifications.
func staffRoleIn(p *identity.Principal, institutionID string) (identity.Role, error) {
	if institutionID == "" || !notification.ValidID(institutionID) {
		return "", notification.ErrForbidden
	}
	for _, r := range []identity.Role{identity.RoleInstitutionAdmin, identity.RoleNotifier} {
		if identity.RequireIn(p, r, institutionID) == nil {
			return r, nil
		}
	}
	return "", notification.ErrForbidden
}

// constanciaOf gathers the names, subject, hashes and attachments of a
// notification for its constancia.
func constanciaOf(ctx context.Context, tx *store.Tx, n *store.Notification) (evidence.Constancia, error) {
	c := evidence.Constancia{NotificationID: n.ID, InstitutionID: n.InstitutionID, InstitutionName: n.InstitutionName,
		RecipientNUI: nui.NUI(n.RecipientNUI), Subject: n.Subject, Reference: n.Reference, ContentSHA256: n.BodySHA256}
	if inst, err := tx.InstitutionByID(ctx, n.InstitutionID); err == nil {
		c.InstitutionName, c.InstitutionRUC = inst.Name, inst.RUC
	} else if !errors.Is(err, store.ErrNotFound) {
		return c, err
	}
	if who, err := tx.IdentityByID(ctx, n.RecipientID); err == nil {
		c.RecipientName = strings.TrimSpace(who.GivenNames + " " + who.Surnames)
	} else if !errors.Is(err, store.ErrNotFound) {
		return c, err
	}
	atts, err := tx.AttachmentsOfBatch(ctx, n.BatchID)
	if err != nil {
		return c, err
	}
	for _, a := range atts {
		c.Attachments = append(c.Attachments, evidence.Attachment{Name: a.Filename, Size: a.Size, SHA256: a.SHA256})
	}
	return c, nil
}
