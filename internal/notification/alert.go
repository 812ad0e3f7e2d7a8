package notification

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"buzon/internal/evidence"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/nui"
	"buzon/internal/store"
)

// AlertJob returns the job kind that sends alerts through sender. Each
// outcome is recorded on the notification, where the institution sees it:
// sent (an alert_sent event), retrying, and, when the mail server refuses
// the address or the attempts run out, failed or bounced (an alert_failed
// event). A job that runs again after a crash sends the same message with
// the same Message-ID, and records no second alert_sent.
func (s *Service) AlertJob(sender mail.Sender) jobs.Kind {
	return jobs.Kind{
		Name:        AlertKind,
		MaxAttempts: alertAttempts,
		Timeout:     2 * time.Minute,
		Handler: func(ctx context.Context, j *store.Job) error {
			var p alertPayload
			if err := jobs.Decode(j, &p); err != nil {
				return err
			}
			err := sender.Send(ctx, &p.Message)
			if err == nil {
				return s.recordAlert(ctx, p, AlertSent, "", j.Attempts)
			}
			final := errors.Is(err, mail.ErrPermanent) || j.Attempts >= j.MaxAttempts
			state := AlertRetrying
			switch {
			case errors.Is(err, mail.ErrRecipientRejected):
				state = AlertBounced
			case final:
				state = AlertFailed
			}
			if rerr := s.recordAlert(ctx, p, state, err.Error(), j.Attempts); rerr != nil {
				s.logger().Error("record alert outcome", "notification", p.NotificationID, "err", rerr)
			}
			if final {
				return jobs.Permanent(err)
			}
			return err
		},
	}
}

// recordAlert writes an attempt's outcome and, for a final one, its event.
func (s *Service) recordAlert(ctx context.Context, p alertPayload, state AlertState, reason string, attempts int) error {
	now := s.now()
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		changed, err := tx.SetNotificationAlert(ctx, p.NotificationID, string(state), reason, attempts, now)
		if err != nil || !changed {
			return err
		}
		var typ evidence.Type
		details := map[string]string{"message_id": p.Message.MessageID, "attempts": strconv.Itoa(attempts)}
		switch state {
		case AlertSent:
			typ = evidence.AlertSent
		case AlertFailed, AlertBounced:
			typ = evidence.AlertFailed
			details["outcome"] = string(state)
			details["reason"] = truncate(reason, 200)
		default:
			return nil
		}
		n, err := tx.Notification(ctx, p.NotificationID)
		if err != nil {
			return fmt.Errorf("record alert: %w", err)
		}
		_, err = evidence.Record(ctx, tx, evidence.Event{Type: typ, Time: now, Actor: evidence.System,
			NotificationID: n.ID, InstitutionID: n.InstitutionID, RecipientNUI: nui.NUI(n.RecipientNUI), Details: details})
		return err
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
