package transparency

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/store"
	"buzon/internal/web/session"
)

// ActionEvidenceView is the audit action of an auditor or a platform
// administrator looking at a notification's evidence events.
const ActionEvidenceView = "evidencias.consultar"

// evidenceID reports whether s can be a notification id in the evidence
// log (docs/EVIDENCE.md: 1–64 of A–Z a–z 0–9 . _ : -); anything else has
// no events, and is not sent to the database.
func evidenceID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("._:-", r)) {
			return false
		}
	}
	return true
}

// auditorEvent is one evidence event as the console shows it.
type auditorEvent struct {
	Type       string
	At         time.Time
	Actor      string
	LeafIndex  int64 // -1 while waiting for the integrator
	RecordHash string
	// Proof is "ok", "failed" or "pending" (not yet in the latest checkpoint).
	Proof string
}

// auditorPage is the evidence console: the log's latest checkpoint and,
// when a notification id was searched, its events.
type auditorPage struct {
	Me           *identity.Principal
	Checkpoint   *evidence.Checkpoint
	Root         string
	Notification string
	Searched     bool
	Events       []auditorEvent
	// Leaves are the log's latest integrated events, or those before
	// Upto: type, time and notification, no N.U.I.
	Leaves []auditorLeaf
	// Earlier is the "hasta" of the previous leaves, -1 at the first leaf.
	Earlier int64
}

// auditorLeaf is one leaf of the tree as the browse list shows it.
type auditorLeaf struct {
	LeafIndex    int64
	Type         string
	At           time.Time
	Notification string
}

// auditorLeavesPerPage is how many leaves the browse list shows.
const auditorLeavesPerPage = 25

// auditorEvidence shows auditors the evidence log: its latest signed
// checkpoint and, for a notification id, each of its events with its leaf
// index and whether its inclusion proof checks against the checkpoint. The
// search names a citizen's notification, so it is audited.
func (h *handler) auditorEvidence(w http.ResponseWriter, r *http.Request) {
	p := session.Principal(r)
	d := auditorPage{Me: p, Notification: strings.TrimSpace(r.URL.Query().Get("notificacion"))}
	cp, err := h.log.Latest(r.Context())
	switch {
	case err == nil:
		d.Checkpoint, d.Root = cp, base64.StdEncoding.EncodeToString(cp.Root[:])
	case !errors.Is(err, evidence.ErrNoCheckpoint):
		h.views.ServerError(w, r, err)
		return
	}
	d.Earlier = -1
	if cp != nil {
		upto := cp.Size
		if v, err := strconv.ParseInt(r.URL.Query().Get("hasta"), 10, 64); err == nil && v >= 0 && v < upto {
			upto = v
		}
		from := max(upto-auditorLeavesPerPage, 0)
		rows, err := h.db.Reader().EvidenceEventsByLeaf(r.Context(), from, upto)
		if err != nil {
			h.views.ServerError(w, r, err)
			return
		}
		for i := len(rows) - 1; i >= 0; i-- {
			d.Leaves = append(d.Leaves, auditorLeaf{LeafIndex: rows[i].LeafIndex, Type: rows[i].Type, At: rows[i].OccurredAt,
				Notification: rows[i].NotificationID})
		}
		if from > 0 {
			d.Earlier = from
		}
	}
	if d.Notification != "" {
		d.Searched = true
	}
	if d.Searched && evidenceID(d.Notification) {
		if d.Events, err = h.notificationEvents(r.Context(), p, d.Notification, cp); err != nil {
			h.views.ServerError(w, r, err)
			return
		}
	}
	h.views.Render(w, r, "auditor_evidence", d)
}

// notificationEvents reads a notification's events, checks each one's
// inclusion in cp (nil: none checked) and audits the look.
func (h *handler) notificationEvents(ctx context.Context, p *identity.Principal, id string, cp *evidence.Checkpoint) ([]auditorEvent, error) {
	rows, err := h.db.Reader().EvidenceEventsOfNotification(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []auditorEvent
	subject := ""
	for _, row := range rows {
		e := auditorEvent{Type: row.Type, At: row.OccurredAt, LeafIndex: row.LeafIndex,
			RecordHash: base64.StdEncoding.EncodeToString(row.RecordHash), Proof: "pending"}
		if rec, err := evidence.ParseRecord(row.Record); err == nil {
			e.Actor = string(rec.Actor.Kind)
		}
		if cp != nil && row.LeafIndex >= 0 && row.LeafIndex < cp.Size {
			e.Proof = "failed"
			proof, err := h.log.InclusionProof(ctx, row.LeafIndex, cp.Size)
			if err == nil && evidence.CheckInclusion(cp, row.LeafIndex, row.Record, proof) == nil {
				e.Proof = "ok"
			}
		}
		if subject == "" {
			subject = row.RecipientNUI
		}
		out = append(out, e)
	}
	if len(rows) == 0 {
		return nil, nil // nothing about anyone was shown
	}
	role := identity.RoleAuditor
	if !p.Has(role) {
		role = identity.RolePlatformAdmin
	}
	err = h.db.Write(ctx, func(tx *store.Tx) error {
		return identity.RecordAudit(ctx, tx, p, role, identity.AuditRecord{Action: ActionEvidenceView,
			SubjectNUI: subject, Detail: "evidencias de la notificación " + id}, h.now())
	})
	return out, err
}

// now is the evidence log's clock, so tests control the audit times.
func (h *handler) now() time.Time {
	if h.log.Now != nil {
		return h.log.Now().UTC()
	}
	return time.Now().UTC()
}
