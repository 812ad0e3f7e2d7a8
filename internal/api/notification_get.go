package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"buzon/internal/apikey"
	"buzon/internal/calendar"
	"buzon/internal/evidence"
	"buzon/internal/notification"
	"buzon/internal/store"
)

// notificationView is a notification as the API shows its institution: its
// state, and with notificationGet its attachments and full timeline. The
// body is not shown: the institution wrote it.
type notificationView struct {
	ID               string           `json:"id"`
	Mode             string           `json:"mode"`
	Recipient        string           `json:"recipient"`
	Subject          string           `json:"subject"`
	Reference        string           `json:"reference"`
	Category         string           `json:"category"`
	State            string           `json:"state"`
	DepositedAt      time.Time        `json:"deposited_at"`
	VerificationCode string           `json:"verification_code"`
	Deadline         *deadlineJSON    `json:"deadline,omitempty"`
	DueDate          string           `json:"due_date,omitempty"`
	Rectifies        string           `json:"rectifies,omitempty"`
	Alert            alertJSON        `json:"alert"`
	OpenCount        int              `json:"open_count"`
	FirstOpenedAt    *time.Time       `json:"first_opened_at,omitempty"`
	LastOpenedAt     *time.Time       `json:"last_opened_at,omitempty"`
	FirstDownloadAt  *time.Time       `json:"first_download_at,omitempty"`
	DeadlineReached  *time.Time       `json:"deadline_reached_at,omitempty"`
	Attachments      []attachmentJSON `json:"attachments,omitempty"`
	Events           []timelineEvent  `json:"events,omitempty"`
}

type alertJSON struct {
	State    string     `json:"state"`
	At       *time.Time `json:"at,omitempty"`
	Attempts int        `json:"attempts"`
}

// timelineEvent is one evidence event of a notification.
type timelineEvent struct {
	ID         string            `json:"id"`
	Type       string            `json:"type"`
	OccurredAt time.Time         `json:"occurred_at"`
	Actor      string            `json:"actor"`
	Details    map[string]string `json:"details,omitempty"`
}

// alertStates turns the stored (Spanish) alert states into the API's words.
var alertStates = map[string]string{
	store.AlertPending:  "pending",
	store.AlertSent:     "sent",
	store.AlertRetrying: "retrying",
	store.AlertFailed:   "failed",
	store.AlertBounced:  "bounced",
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func viewOf(n *store.Notification) *notificationView {
	v := &notificationView{ID: n.ID, Mode: string(apikey.Live), Recipient: n.RecipientNUI, Subject: n.Subject, Reference: n.Reference,
		Category: n.Category, State: store.APIStateDeposited, DepositedAt: n.DepositedAt, VerificationCode: n.VerificationCode,
		DueDate: n.DueDate, Rectifies: n.RectifiesID, OpenCount: n.OpenCount,
		Alert:         alertJSON{State: alertStates[n.AlertState], At: timePtr(n.AlertAt), Attempts: n.AlertAttempts},
		FirstOpenedAt: timePtr(n.FirstOpenedAt), LastOpenedAt: timePtr(n.LastOpenedAt),
		FirstDownloadAt: timePtr(n.FirstDownloadAt), DeadlineReached: timePtr(n.DeadlineReachedAt)}
	if v.Alert.State == "" {
		v.Alert.State = "pending"
	}
	if n.OpenCount > 0 {
		v.State = store.APIStateOpened
	}
	var dl calendar.Deadline
	if err := dl.Kind.UnmarshalText([]byte(n.DeadlineKind)); err == nil {
		dl.Count = n.DeadlineCount
		if n.DeadlineDate != "" {
			dl.Date, _ = calendar.ParseDate(n.DeadlineDate)
		}
		v.Deadline = deadlineOf(dl)
	}
	return v
}

func sandboxViewOf(n *store.SandboxNotification) *notificationView {
	v := &notificationView{ID: n.ID, Mode: string(apikey.Test), Recipient: n.RecipientNUI, Subject: n.Subject, Reference: n.Reference,
		Category: n.Category, State: store.APIStateDeposited, DepositedAt: n.CreatedAt, VerificationCode: n.VerificationCode,
		DueDate: n.DueDate, Alert: alertJSON{State: "pending"}}
	if n.Deadline != "" {
		var d deadlineJSON
		if json.Unmarshal([]byte(n.Deadline), &d) == nil {
			v.Deadline = &d
		}
	}
	return v
}

// notificationGet shows one of the institution's notifications with its
// attachments and every event so far. Another institution's id, or one of
// the other mode, is 404 — exactly like a missing one.
func (h *API) notificationGet(w http.ResponseWriter, r *http.Request, c *call) {
	id := r.PathValue("id")
	if h.o.Notifications == nil || !notification.ValidID(id) {
		h.notFound(w, r)
		return
	}
	v, err := h.notificationDetail(r.Context(), c.cred, id)
	if errors.Is(err, store.ErrNotFound) {
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *API) notificationDetail(ctx context.Context, cred *apikey.Credential, id string) (*notificationView, error) {
	tx := h.o.DB.Reader()
	if cred.Test() {
		n, err := tx.SandboxNotification(ctx, cred.InstitutionID, id)
		if err != nil {
			return nil, err
		}
		v := sandboxViewOf(n)
		if len(n.Attachments) > 0 {
			_ = json.Unmarshal(n.Attachments, &v.Attachments)
		}
		for _, t := range []evidence.Type{evidence.Submitted, evidence.Deposited} {
			v.Events = append(v.Events, timelineEvent{ID: n.ID + "-" + string(t), Type: string(t), OccurredAt: n.CreatedAt,
				Actor: string(evidence.ActorAPI)})
		}
		return v, nil
	}
	n, err := tx.Notification(ctx, id)
	if err != nil {
		return nil, err
	}
	if n.InstitutionID != cred.InstitutionID {
		return nil, store.ErrNotFound
	}
	v := viewOf(n)
	atts, err := tx.AttachmentsOfBatch(ctx, n.BatchID)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		v.Attachments = append(v.Attachments, attachmentJSON{ID: a.ID, Filename: a.Filename, MediaType: a.MediaType, Size: a.Size, SHA256: a.SHA256})
	}
	evs, err := tx.EvidenceEventsOfNotification(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		p, err := evidence.ParseRecord(e.Record)
		if err != nil {
			return nil, err
		}
		v.Events = append(v.Events, timelineEvent{ID: p.ID, Type: string(p.Type), OccurredAt: p.Time, Actor: string(p.Actor.Kind), Details: p.Details})
	}
	return v, nil
}
