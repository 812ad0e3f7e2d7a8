package notification

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/calendar"
	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestDepositReportsEachRecipient(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana, luis := f.citizen(), f.citizen()
		pending := f.person("pendiente", identity.Grant{Role: identity.RoleCitizen})
		stranger := f.newNUI()
		in := f.submission(ana)
		in.Recipients = append(in.Recipients, "1714307104", stranger.String(), luis.NUI.String(), ana.NUI.String(), pending.NUI.String())
		in.Attachments = []Attachment{f.attachment("resolucion.pdf", pdf)}
		in.Deadline = calendar.BusinessDays(10)
		res := f.send(in)

		type refusal struct {
			Position int
			Code     string
		}
		var got []refusal
		for _, r := range res.Refused {
			got = append(got, refusal{r.Position, r.Err.Code()})
		}
		want := []refusal{{2, "recipient_invalid"}, {3, "recipient_not_registered"}, {5, "recipient_repeated"}, {6, "recipient_not_registered"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("refusals (-want +got):\n%s", diff)
		}
		if len(res.Deposited) != 2 || res.Deposited[0].NUI != ana.NUI || res.Deposited[1].NUI != luis.NUI {
			t.Fatalf("deposited = %+v, want ana and luis", res.Deposited)
		}
		// 1 December 2026 + 10 business days (8 December is not a holiday) = 15 December.
		if want := calendar.NewDate(2026, time.December, 15); res.Due != want {
			t.Errorf("due = %s, want %s", res.Due, want)
		}
		for _, d := range res.Deposited {
			if diff := cmp.Diff([]string{"submitted", "deposited"}, f.events(d.NotificationID)); diff != "" {
				t.Errorf("events of %s (-want +got):\n%s", d.NUI, diff)
			}
			if len(d.VerificationCode) != 7 || d.VerificationCode[3] != '-' || strings.ContainsAny(d.VerificationCode, "01ILOSB58") {
				t.Errorf("verification code %q is not of the unambiguous form XXX-XXX", d.VerificationCode)
			}
		}
		if n := len(f.jobs(AlertKind)); n != 2 {
			t.Errorf("%d alert jobs, want 2", n)
		}
		// Nothing for those refused: the stranger's cédula appears nowhere.
		page, err := f.db.Reader().TrackingPage(f.ctx, store.TrackingQuery{InstitutionID: f.inst.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 2 {
			t.Errorf("institution has %d notifications, want 2", len(page))
		}
		// The body is sealed, the placeholders replaced per recipient.
		d, err := f.svc.Open(f.ctx, ana, res.Deposited[0].NotificationID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(d.Body, "Estimado/a María José:") {
			t.Errorf("body = %q, want the placeholder replaced", d.Body)
		}
		raw, err := f.db.Reader().Notification(f.ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw.BodySealed), "Estimado") {
			t.Error("the stored body is not encrypted")
		}
	})
}

func TestDepositRefusesWholeSubmission(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana := f.citizen()
		suspended := f.institution("Institución suspendida", "SUS", 1000)
		f.write(func(tx *store.Tx) error {
			return tx.SetInstitutionState(f.ctx, suspended.ID, "suspendida", "prueba", f.clock.Now())
		})
		small := f.institution("Institución con cupo pequeño", "CUP", 1)
		tests := []struct {
			name   string
			change func(*Submission)
			want   error
		}{
			{"empty subject", func(s *Submission) { s.Subject = "  " }, ErrSubjectRequired},
			{"subject with a line break", func(s *Submission) { s.Subject = "a\nb" }, ErrTextInvalid},
			{"empty body", func(s *Submission) { s.Body = "" }, ErrBodyRequired},
			{"unknown placeholder", func(s *Submission) { s.Body = "Hola {{apodo}}" }, ErrPlaceholderUnknown},
			{"unknown category", func(s *Submission) { s.Category = "chisme" }, ErrCategoryUnknown},
			{"deadline in the past", func(s *Submission) { s.Deadline = calendar.Until(calendar.NewDate(2026, 11, 30)) }, ErrDeadlineInvalid},
			{"zero business days", func(s *Submission) { s.Deadline = calendar.Deadline{Kind: calendar.Termino} }, ErrDeadlineInvalid},
			{"expediente without title", func(s *Submission) { s.Expediente = "EXP-1" }, ErrTramiteInvalid},
			{"no recipients", func(s *Submission) { s.Recipients = nil }, ErrNoRecipients},
			{"suspended institution", func(s *Submission) { s.InstitutionID = suspended.ID }, ErrInstitutionInactive},
			{"over the daily quota", func(s *Submission) {
				s.InstitutionID = small.ID
				s.Recipients = append(s.Recipients, f.citizen().NUI.String())
			}, ErrQuotaExceeded},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := f.submission(ana)
				tt.change(&in)
				err := f.db.Write(f.ctx, func(tx *store.Tx) error {
					_, err := f.svc.Deposit(f.ctx, tx, in, f.clock.Now())
					return err
				})
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
			})
		}
		page, err := f.svc.Inbox(f.ctx, ana, Filter{}, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 0 {
			t.Errorf("a refused submission stored %d notifications", len(page.Items))
		}
	})
}

func TestDepositSharesOneTransaction(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana, luis := f.citizen(), f.citizen()
		// Two submissions in one transaction (grouped commits), rolled back
		// together: neither leaves a trace.
		boom := errors.New("the shared commit failed")
		err := db.Write(f.ctx, func(tx *store.Tx) error {
			for _, p := range []*identity.Principal{ana, luis} {
				in := f.submission(p)
				in.Actor = evidence.Actor{Kind: evidence.ActorAPI, ID: "key-1"}
				if _, err := f.svc.Deposit(f.ctx, tx, in, f.clock.Now()); err != nil {
					return err
				}
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if n, _ := f.svc.UnreadCount(f.ctx, ana); n != 0 {
			t.Errorf("rolled back deposit left %d notifications", n)
		}
		if n := len(f.jobs(AlertKind)); n != 0 {
			t.Errorf("rolled back deposit left %d alert jobs", n)
		}
	})
}

func TestRectification(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana, luis := f.citizen(), f.citizen()
		first := f.send(f.submission(ana)).Deposited[0].NotificationID

		in := f.submission(ana)
		in.Subject = "Rectificación: resolución de devolución de IVA"
		in.Rectifies = first
		second := f.send(in).Deposited[0].NotificationID

		if diff := cmp.Diff([]string{"submitted", "deposited", "rectified"}, f.events(first)); diff != "" {
			t.Errorf("events of the rectified notification (-want +got):\n%s", diff)
		}
		old, err := f.svc.Open(f.ctx, ana, first)
		if err != nil {
			t.Fatal(err)
		}
		if old.RectifiedBy == nil || old.RectifiedBy.ID != second {
			t.Errorf("the rectified notification does not link to its rectification: %+v", old.RectifiedBy)
		}
		fix, err := f.svc.Open(f.ctx, ana, second)
		if err != nil {
			t.Fatal(err)
		}
		if fix.Rectifies == nil || fix.Rectifies.ID != first {
			t.Errorf("the rectification does not link to what it rectifies: %+v", fix.Rectifies)
		}

		for _, tt := range []struct {
			name   string
			change func(*Submission)
			want   error
		}{
			{"twice", func(s *Submission) { s.Rectifies = first }, ErrAlreadyRectified},
			{"another recipient", func(s *Submission) { s.Rectifies = second; s.Recipients = []string{luis.NUI.String()} }, ErrRectifiesRecipient},
			{"another institution's", func(s *Submission) { s.Rectifies = second; s.InstitutionID = f.other.ID }, ErrRectifiesUnknown},
			{"a made-up id", func(s *Submission) { s.Rectifies = store.NewID() }, ErrRectifiesUnknown},
		} {
			t.Run(tt.name, func(t *testing.T) {
				in := f.submission(ana)
				tt.change(&in)
				p := f.notifier
				if in.InstitutionID == f.other.ID {
					p = f.otherNotifier
				}
				if _, err := f.svc.Send(f.ctx, p, in); !errors.Is(err, tt.want) {
					t.Errorf("err = %v, want %v", err, tt.want)
				}
			})
		}
	})
}

func TestTramiteTimeline(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana, luis := f.citizen(), f.citizen()
		var ids []string
		for i, p := range []*identity.Principal{ana, luis, ana} {
			in := f.submission(p)
			in.Subject = fmt.Sprintf("Paso %d", i+1)
			in.Expediente, in.TramiteTitle = "EXP-2026-77", "Devolución de IVA a personas con discapacidad"
			ids = append(ids, f.send(in).Deposited[0].NotificationID)
			f.clock.Add(time.Hour)
		}
		d, err := f.svc.Open(f.ctx, ana, ids[2])
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range d.Timeline {
			got = append(got, l.Subject)
		}
		// Luis's step is his, not Ana's.
		if diff := cmp.Diff([]string{"Paso 1", "Paso 3"}, got); diff != "" {
			t.Errorf("timeline (-want +got):\n%s", diff)
		}
		if d.Tramite == nil || d.Tramite.Expediente != "EXP-2026-77" {
			t.Errorf("tramite = %+v", d.Tramite)
		}
	})
}
