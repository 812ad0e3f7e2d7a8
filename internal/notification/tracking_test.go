package notification

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/calendar"
	"buzon/internal/identity"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestTrackingIsTheInstitutionsOwn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana := f.citizen()
		in := f.submission(ana)
		in.Attachments = []Attachment{f.attachment("a.pdf", pdf), f.attachment("b.txt", []byte("texto del anexo\n"))}
		sri := f.send(in).Deposited[0].NotificationID
		in.InstitutionID = f.other.ID
		ant := f.send(in).Deposited[0].NotificationID

		if _, err := f.svc.Open(f.ctx, ana, sri); err != nil {
			t.Fatal(err)
		}
		d, _ := f.svc.Open(f.ctx, ana, sri)
		dl, err := f.svc.Download(f.ctx, ana, sri, d.Attachments[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		dl.Close()

		page, err := f.svc.Tracking(f.ctx, f.notifier, f.inst.ID, TrackFilter{}, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Rows) != 1 || page.Rows[0].ID != sri {
			t.Fatalf("SRI's tracking lists %+v", page.Rows)
		}
		row := page.Rows[0]
		if row.FirstOpenedAt.IsZero() || row.OpenCount != 2 || row.Attachments != 2 || row.Downloaded != 1 {
			t.Errorf("row state: opened %v ×%d, attachments %d downloaded %d", row.FirstOpenedAt, row.OpenCount, row.Attachments, row.Downloaded)
		}
		for _, flt := range []TrackFilter{{Opened: "yes"}, {Downloaded: "yes"}, {RecipientNUI: ana.NUI.String()}, {Search: "IVA"}} {
			if p, _ := f.svc.Tracking(f.ctx, f.notifier, f.inst.ID, flt, ""); len(p.Rows) != 1 {
				t.Errorf("filter %+v: %d rows, want 1", flt, len(p.Rows))
			}
		}
		for _, flt := range []TrackFilter{{Opened: "no"}, {Downloaded: "no"}, {RecipientNUI: "1714307103"}, {Alert: "failed"}} {
			if p, _ := f.svc.Tracking(f.ctx, f.notifier, f.inst.ID, flt, ""); len(p.Rows) != 0 {
				t.Errorf("filter %+v: %d rows, want 0", flt, len(p.Rows))
			}
		}

		// Another institution's notifier, a citizen and MINTEL cannot look.
		for _, p := range []*identity.Principal{f.otherNotifier, ana, f.admin, nil} {
			if _, err := f.svc.Tracking(f.ctx, p, f.inst.ID, TrackFilter{}, ""); !errors.Is(err, ErrForbidden) {
				t.Errorf("Tracking by %v: %v, want ErrForbidden", p, err)
			}
		}
		if _, err := f.svc.StaffView(f.ctx, f.otherNotifier, f.other.ID, sri); !errors.Is(err, ErrNotFound) {
			t.Errorf("ANT's notifier views SRI's notification through his own institution: %v", err)
		}
		if _, err := f.svc.StaffDownload(f.ctx, f.otherNotifier, f.other.ID, sri, d.Attachments[0].ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("ANT's notifier downloads SRI's attachment: %v", err)
		}
		v, err := f.svc.StaffView(f.ctx, f.notifier, f.inst.ID, sri)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, e := range v.Events {
			types = append(types, string(e.Type))
		}
		if diff := cmp.Diff([]string{"submitted", "deposited", "opened", "opened", "attachment_downloaded"}, types); diff != "" {
			t.Errorf("staff view events (-want +got):\n%s", diff)
		}
		if _, err := f.svc.StaffView(f.ctx, f.otherNotifier, f.other.ID, ant); err != nil {
			t.Errorf("ANT's notifier views ANT's notification: %v", err)
		}
		// Each look at personal data is in the audit log.
		entries, err := db.Reader().AuditEntries(f.ctx, store.AuditFilter{ActorID: f.notifier.ID})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range entries {
			actions[e.Action]++
		}
		if actions[ActionTrackingView] != 1 || actions[ActionTrackingList] < 1 {
			t.Errorf("audit of the notifier: %v", actions)
		}

		var buf bytes.Buffer
		if err := f.svc.ExportCSV(f.ctx, f.notifier, f.inst.ID, TrackFilter{}, &buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[1][0] != sri || rows[1][1] != ana.NUI.String() || rows[1][8] != "enviada" && rows[1][8] != "pendiente" {
			t.Errorf("CSV:\n%s", buf.String())
		}
		if err := f.svc.ExportCSV(f.ctx, f.otherNotifier, f.inst.ID, TrackFilter{}, io.Discard); !errors.Is(err, ErrForbidden) {
			t.Errorf("ANT exports SRI's: %v", err)
		}
	})
}

// A list of 1,000 recipients with 3 bad rows: the check names the three
// rows and why, and confirming deposits the other 997.
func TestThousandRecipientsWithThreeBadRows(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var list []string
		f.write(func(tx *store.Tx) error {
			seen := map[string]bool{}
			for len(list) < 997 {
				n := f.newNUI().String()
				if seen[n] {
					continue
				}
				seen[n] = true
				id := &store.Identity{NUI: n, GivenNames: "Persona", Surnames: fmt.Sprint(len(list)), Email: "p" + n + "@example.test",
					State: "activa", Channel: "presencial", PasskeyHandle: []byte(n), CreatedAt: f.clock.Now()}
				if err := tx.CreateIdentity(f.ctx, id); err != nil {
					return err
				}
				if err := tx.GrantRole(f.ctx, &store.Role{IdentityID: id.ID, Role: "ciudadano", GrantedAt: f.clock.Now()}); err != nil {
					return err
				}
				list = append(list, n)
			}
			return nil
		})
		// Rows 101, 502 and 1000 are bad: a wrong check digit, a repeat, a
		// person without a buzón.
		bad := append([]string{}, list[:100]...)
		bad = append(bad, "1714307104")
		bad = append(bad, list[100:500]...)
		bad = append(bad, list[3])
		bad = append(bad, list[500:]...)
		bad = append(bad, f.newNUI().String())
		if len(bad) != 1000 {
			t.Fatalf("built %d rows", len(bad))
		}
		check, err := f.svc.CheckRecipients(f.ctx, f.notifier, f.inst.ID, bad)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			Position int
			Code     string
		}
		var got []row
		for _, r := range check.Refused {
			got = append(got, row{r.Position, r.Err.Code()})
		}
		want := []row{{101, "recipient_invalid"}, {502, "recipient_repeated"}, {1000, "recipient_not_registered"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}
		if len(check.Ready) != 997 {
			t.Errorf("%d ready, want 997", len(check.Ready))
		}
		in := Submission{InstitutionID: f.inst.ID, Subject: "Convocatoria", Body: "Estimado/a {{nombre_completo}}: …",
			Recipients: bad, Deadline: calendar.CalendarDays(30)}
		res := f.send(in)
		if len(res.Deposited) != 997 || len(res.Refused) != 3 {
			t.Errorf("deposited %d, refused %d; want 997 and 3", len(res.Deposited), len(res.Refused))
		}
		if n := len(f.jobs(AlertKind)); n != 997 {
			t.Errorf("%d alerts queued, want 997", n)
		}
	})
}

func TestDashboardFigures(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		a, b, c := f.citizen(), f.citizen(), f.citizen()
		res := f.send(f.submission(a, b, c))
		in := f.submission(a)
		in.InstitutionID = f.other.ID
		f.send(in)
		day := calendar.DateOf(f.clock.Now())
		f.clock.Add(12 * time.Hour)
		f.svc.Open(f.ctx, a, res.Deposited[0].NotificationID)
		f.clock.Add(48 * time.Hour)
		f.svc.Open(f.ctx, b, res.Deposited[1].NotificationID)

		all, err := f.svc.Stats(f.ctx, f.admin, "", day, day)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 {
			t.Fatalf("MINTEL sees %d rows, want 2", len(all))
		}
		own, err := f.svc.Stats(f.ctx, f.notifier, f.inst.ID, day, day)
		if err != nil {
			t.Fatal(err)
		}
		if len(own) != 1 || own[0].Deposited != 3 || !cmp.Equal(own[0].OpenedWithin, []int{1, 2, 2}) {
			t.Errorf("SRI's figures: %+v", own)
		}
		if _, err := f.svc.Stats(f.ctx, f.notifier, "", day, day); !errors.Is(err, ErrForbidden) {
			t.Errorf("a notifier sees every institution: %v", err)
		}
		if _, err := f.svc.Stats(f.ctx, f.notifier, f.other.ID, day, day); !errors.Is(err, ErrForbidden) {
			t.Errorf("a notifier sees another institution: %v", err)
		}
	})
}

func TestTemplates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		tpl, err := f.svc.SaveTemplate(f.ctx, f.notifier, Template{InstitutionID: f.inst.ID, Name: "Citación",
			Subject: "Citación para {{nombre_completo}}", Body: "Acérquese con su cédula {{cedula}}.", Category: "citacion"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SaveTemplate(f.ctx, f.notifier, Template{InstitutionID: f.inst.ID, Name: "Citación", Subject: "x", Body: "y"}); !errors.Is(err, ErrTemplateDuplicate) {
			t.Errorf("duplicate name: %v", err)
		}
		if _, err := f.svc.SaveTemplate(f.ctx, f.notifier, Template{InstitutionID: f.inst.ID, Name: "Mala", Subject: "{{apodo}}", Body: "y"}); !errors.Is(err, ErrPlaceholderUnknown) {
			t.Errorf("unknown placeholder: %v", err)
		}
		if list, _ := f.svc.Templates(f.ctx, f.otherNotifier, f.inst.ID); list != nil {
			t.Error("another institution lists the templates")
		}
		ana := f.citizen()
		res := f.send(Submission{InstitutionID: f.inst.ID, Subject: tpl.Subject, Body: tpl.Body, Category: Category(tpl.Category),
			Recipients: []string{ana.NUI.String()}})
		d, err := f.svc.Open(f.ctx, ana, res.Deposited[0].NotificationID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Subject != "Citación para María José Pérez Andrade" || d.Body != "Acérquese con su cédula "+ana.NUI.String()+"." {
			t.Errorf("expanded: %q / %q", d.Subject, d.Body)
		}
	})
}

// A draft confirmed twice (a double click, a reload) sends once, and only
// its author sees it.
func TestDraftSendsOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana := f.citizen()
		in := f.submission(ana)
		in.Attachments = []Attachment{f.attachment("a.pdf", pdf)}
		id, err := f.svc.SaveDraft(f.ctx, f.notifier, in, DraftInfo{Lines: []int{1}})
		if err != nil {
			t.Fatal(err)
		}
		other := f.staff(identity.RoleNotifier, f.inst.ID)
		if _, _, err := f.svc.Draft(f.ctx, other, f.inst.ID, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("another notifier reads the draft: %v", err)
		}
		got, info, err := f.svc.Draft(f.ctx, f.notifier, f.inst.ID, id)
		if err != nil || got.Subject != in.Subject || len(got.Attachments) != 1 || info.Lines[0] != 1 {
			t.Fatalf("draft = %+v, %+v, %v", got, info, err)
		}
		res, err := f.svc.SendDraft(f.ctx, f.notifier, f.inst.ID, id)
		if err != nil || len(res.Deposited) != 1 {
			t.Fatalf("send: %+v, %v", res, err)
		}
		if _, err := f.svc.SendDraft(f.ctx, f.notifier, f.inst.ID, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("second send: %v", err)
		}
		if n, _ := f.svc.UnreadCount(f.ctx, ana); n != 1 {
			t.Errorf("Ana has %d notifications, want 1", n)
		}
	})
}
