package notification

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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

// A citizen can never open, list or download another citizen's
// notification: whatever he tries with an id that is not his gets the same
// answer as an id that does not exist.
func TestCitizenCannotReachAnothersNotification(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana, luis := f.citizen(), f.citizen()
		in := f.submission(ana)
		in.Attachments = []Attachment{f.attachment("resolucion.pdf", pdf)}
		in.Deadline = calendar.BusinessDays(10)
		anas := f.send(in).Deposited[0].NotificationID
		luiss := f.send(f.submission(luis)).Deposited[0].NotificationID
		d, err := f.svc.Open(f.ctx, ana, anas)
		if err != nil {
			t.Fatal(err)
		}
		att := d.Attachments[0].ID
		luisDetail, err := f.svc.Open(f.ctx, luis, luiss)
		if err != nil {
			t.Fatal(err)
		}

		guesses := []string{anas, store.NewID(), strings.ToUpper(anas), anas + " ", "", "1", "' OR 1=1 --", att, luisDetail.BatchID}
		for _, id := range guesses {
			if _, err := f.svc.Open(f.ctx, luis, id); !errors.Is(err, ErrNotFound) {
				t.Errorf("Open(%q) by another citizen: err = %v, want ErrNotFound", id, err)
			}
			if _, _, err := f.svc.ICS(f.ctx, luis, id); !errors.Is(err, ErrNotFound) {
				t.Errorf("ICS(%q) by another citizen: err = %v, want ErrNotFound", id, err)
			}
			if _, err := f.svc.Archive(f.ctx, luis, id); !errors.Is(err, ErrNotFound) {
				t.Errorf("Archive(%q) by another citizen: err = %v, want ErrNotFound", id, err)
			}
			for _, a := range []string{att, store.NewID(), id} {
				if _, err := f.svc.Download(f.ctx, luis, id, a); !errors.Is(err, ErrNotFound) {
					t.Errorf("Download(%q, %q) by another citizen: err = %v, want ErrNotFound", id, a, err)
				}
			}
		}
		// Luis's own notification id with Ana's attachment id is no way in either.
		if _, err := f.svc.Download(f.ctx, luis, luiss, att); !errors.Is(err, ErrNotFound) {
			t.Errorf("Download(own notification, another's attachment): err = %v, want ErrNotFound", err)
		}
		// The wrong answers are exactly the missing one's.
		_, errMissing := f.svc.Open(f.ctx, luis, store.NewID())
		_, errOthers := f.svc.Open(f.ctx, luis, anas)
		if errMissing.Error() != errOthers.Error() {
			t.Errorf("another's notification answers %q, a missing one %q", errOthers, errMissing)
		}
		// Nobody signed in, or a staff member of the sending institution
		// in the citizen's place, gets nothing either.
		for _, p := range []*identity.Principal{nil, f.notifier} {
			if _, err := f.svc.Open(f.ctx, p, anas); !errors.Is(err, ErrNotFound) {
				t.Errorf("Open by %v: err = %v, want ErrNotFound", p, err)
			}
		}
		// Luis's inbox, with every filter and a search for Ana's subject, never lists it.
		for _, flt := range []Filter{{}, {InstitutionID: f.inst.ID}, {Search: "devolución"}, {Deadline: "with"}, {Read: "read"}} {
			page, err := f.svc.Inbox(f.ctx, luis, flt, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range page.Items {
				if n.ID == anas {
					t.Errorf("Luis's inbox with filter %+v lists Ana's notification", flt)
				}
			}
		}
		if n := len(f.events(anas)); n != 3 { // submitted, deposited, Ana's own opening
			t.Errorf("Ana's notification has %d events after Luis's attempts, want 3: %v", n, f.events(anas))
		}
	})
}

func TestOpenAndDownloadAreRecorded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana := f.citizen()
		content := append(bytes.Clone(pdf), bytes.Repeat([]byte("% relleno\n"), 20000)...)
		in := f.submission(ana)
		in.Attachments = []Attachment{f.attachment("Oficio 12/2026.pdf", content)}
		in.Deadline = calendar.BusinessDays(10)
		id := f.send(in).Deposited[0].NotificationID

		if n, _ := f.svc.UnreadCount(f.ctx, ana); n != 1 {
			t.Fatalf("unread = %d, want 1", n)
		}
		d, err := f.svc.Open(f.ctx, ana, id)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Hour)
		if _, err := f.svc.Open(f.ctx, ana, id); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.svc.UnreadCount(f.ctx, ana); n != 0 {
			t.Errorf("unread after opening = %d, want 0", n)
		}
		want := sha256.Sum256(content)
		a := d.Attachments[0]
		if a.SHA256 != hex.EncodeToString(want[:]) || a.Size != int64(len(content)) || a.Type.ID != "pdf" {
			t.Errorf("attachment = %+v, want the upload's SHA-256 and size, type pdf", a)
		}
		if a.Filename != "Oficio 122026.pdf" && !strings.HasSuffix(a.Filename, ".pdf") {
			t.Errorf("file name %q is not a safe PDF name", a.Filename)
		}
		dl, err := f.svc.Download(f.ctx, ana, id, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(dl)
		dl.Close()
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(got); sum != want {
			t.Error("the downloaded attachment differs from the upload")
		}
		if cd := dl.ContentDisposition(); !strings.HasPrefix(cd, "attachment; filename=") {
			t.Errorf("Content-Disposition = %q", cd)
		}
		if diff := cmp.Diff([]string{"submitted", "deposited", "opened", "opened", "attachment_downloaded"}, f.events(id)); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		n, err := db.Reader().Notification(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if n.OpenCount != 2 || !n.FirstOpenedAt.Equal(d.FirstOpenedAt) || n.FirstDownloadAt.IsZero() || n.Unread {
			t.Errorf("state after opening twice and downloading: %+v", n)
		}

		// The deadline as the page says it, and its .ics file.
		if got, want := d.Deadline.Text("es"), "Vence el 15 de diciembre de 2026 — quedan 10 días hábiles"; got != want {
			t.Errorf("deadline text = %q, want %q", got, want)
		}
		ics, name, err := f.svc.ICS(f.ctx, ana, id)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(ics, []byte("DTSTART;VALUE=DATE:20261215")) || name != "plazo-2026-12-15.ics" {
			t.Errorf("ICS %s:\n%s", name, ics)
		}

		// Download everything: a ZIP with the PDF and the attachment, each recorded.
		arc, err := f.svc.Archive(f.ctx, ana, id)
		if err != nil {
			t.Fatal(err)
		}
		var zbuf bytes.Buffer
		if err := arc.WriteTo(f.ctx, &zbuf); err != nil {
			t.Fatal(err)
		}
		files := unzip(t, zbuf.Bytes())
		if !bytes.HasPrefix(files["notificacion.pdf"], []byte("%PDF")) {
			t.Error("the ZIP has no printable PDF")
		}
		if sum := sha256.Sum256(files["anexos/01-"+a.Filename]); sum != want {
			t.Errorf("the ZIP's attachment differs; files: %v", keys(files))
		}
		if evs := f.events(id); evs[len(evs)-1] != "attachment_downloaded" || len(evs) != 6 {
			t.Errorf("events after the ZIP: %v", evs)
		}
	})
}

func TestInboxOrderFiltersAndPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana := f.citizen()
		var ids []string
		for i := 0; i < 60; i++ {
			in := f.submission(ana)
			in.Subject = fmt.Sprintf("Notificación %02d", i)
			if i%10 == 0 {
				in.Subject = fmt.Sprintf("Citación a audiencia %02d", i)
			}
			if i%3 == 0 {
				in.Deadline = calendar.CalendarDays(2)
			}
			if i%2 == 1 {
				in.InstitutionID = f.other.ID
			}
			ids = append(ids, f.send(in).Deposited[0].NotificationID)
			f.clock.Add(6 * time.Hour)
		}
		for i := 0; i < 60; i += 4 {
			if _, err := f.svc.Open(f.ctx, ana, ids[i]); err != nil {
				t.Fatal(err)
			}
		}
		if n, _ := f.svc.UnreadCount(f.ctx, ana); n != 45 {
			t.Errorf("unread = %d, want 45", n)
		}

		all := collect(t, f, ana, Filter{})
		if len(all) != 60 {
			t.Fatalf("pages hold %d notifications, want 60", len(all))
		}
		seen := map[string]bool{}
		for i, n := range all {
			if seen[n.ID] {
				t.Fatalf("%s listed twice", n.ID)
			}
			seen[n.ID] = true
			if i > 0 {
				prev := all[i-1]
				if !prev.Unread && n.Unread {
					t.Fatalf("unread %s after read %s", n.Subject, prev.Subject)
				}
				if prev.Unread == n.Unread && prev.DepositedAt.Before(n.DepositedAt) {
					t.Fatalf("%s before the newer %s", prev.Subject, n.Subject)
				}
			}
		}
		count := func(flt Filter) int { return len(collect(t, f, ana, flt)) }
		today := calendar.DateOf(f.clock.Now())
		tests := []struct {
			name string
			flt  Filter
			want int
		}{
			{"one institution", Filter{InstitutionID: f.other.ID}, 30},
			{"unread", Filter{Read: "unread"}, 45},
			{"read", Filter{Read: "read"}, 15},
			{"with deadline", Filter{Deadline: "with"}, 20},
			{"overdue", Filter{Deadline: "overdue"}, 17}, // the last three are due today or later
			{"search ignores accents and case", Filter{Search: "CITACION"}, 6},
			{"search the reference", Filter{Search: "sri-2026-00123"}, 60},
			{"date range", Filter{From: today, To: today}, 1},
			{"nothing matches", Filter{Search: "100%_"}, 0},
		}
		for _, tt := range tests {
			if got := count(tt.flt); got != tt.want {
				t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
			}
		}
		senders, err := f.svc.Senders(f.ctx, ana)
		if err != nil || len(senders) != 2 {
			t.Errorf("senders = %v, %v; want two institutions", senders, err)
		}
		// A tampered cursor starts over instead of failing.
		if p, err := f.svc.Inbox(f.ctx, ana, Filter{}, "bm9wZQ"); err != nil || len(p.Items) != PageSize {
			t.Errorf("bad cursor: %d items, %v", len(p.Items), err)
		}
	})
}

func collect(t *testing.T, f *fixture, p *identity.Principal, flt Filter) []Notification {
	t.Helper()
	var out []Notification
	cursor := ""
	for {
		page, err := f.svc.Inbox(f.ctx, p, flt, cursor)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out
		}
		cursor = page.Next
	}
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[zf.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
