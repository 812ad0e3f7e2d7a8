package notification

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/blob"
	"buzon/internal/identity"
	"buzon/internal/jobs"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// citizens creates n active citizens in one transaction and returns their
// N.U.I.s.
func (f *fixture) citizens(n int) []string {
	f.t.Helper()
	seen := map[string]bool{}
	var out []string
	f.write(func(tx *store.Tx) error {
		for len(out) < n {
			id := f.newNUI().String()
			if seen[id] {
				continue
			}
			seen[id] = true
			row := &store.Identity{NUI: id, GivenNames: "Afiliado", Surnames: fmt.Sprint(len(out)), Email: id + "@example.test",
				State: "activa", Channel: "presencial", PasskeyHandle: []byte(id), CreatedAt: f.clock.Now()}
			if err := tx.CreateIdentity(f.ctx, row); err != nil {
				return err
			}
			if err := tx.GrantRole(f.ctx, &store.Role{IdentityID: row.ID, Role: "ciudadano", GrantedAt: f.clock.Now()}); err != nil {
				return err
			}
			out = append(out, id)
		}
		return nil
	})
	return out
}

// uploadCase is a recipients file of the given citizens with a few bad rows:
// line 3 has a wrong check digit, line 5 repeats line 2, line 7 is a
// stranger without a buzón and line 9 has no amount.
func uploadCase(nuis []string, stranger string) (file string, bad map[int]string) {
	var b strings.Builder
	b.WriteString("cedula;nombres;referencia;monto\n")
	line := 1
	row := func(id, names, ref, amount string) {
		line++
		fmt.Fprintf(&b, "%s;%s;%s;%s\n", id, names, ref, amount)
	}
	bad = map[int]string{}
	for i, id := range nuis {
		switch line + 1 {
		case 3:
			row("1714307104", "Nadie", "", "1,00")
			bad[line] = "nui.check_digit"
		case 5:
			row(nuis[0], "Repetido", "", "1,00")
			bad[line] = "recipients.duplicate"
		case 7:
			row(stranger, "Sin Buzón", "", "1,00")
			bad[line] = "recipient_not_registered"
		case 9:
			row(id, "Sin Monto", "", "")
			bad[line] = "placeholder_value_missing"
			continue
		}
		row(id, fmt.Sprintf("Persona %d", i), fmt.Sprintf("REF-%d", i), fmt.Sprintf("%d,50", i))
	}
	return b.String(), bad
}

func (f *fixture) startUpload(file string, in Submission) string {
	f.t.Helper()
	id, err := f.svc.StartUpload(f.ctx, f.notifier, in, UploadFile{Name: "afiliados.csv", Body: strings.NewReader(file), Size: int64(len(file))})
	if err != nil {
		f.t.Fatalf("start upload: %v", err)
	}
	return id
}

func (f *fixture) upload(id string) *Upload {
	f.t.Helper()
	u, err := f.svc.Upload(f.ctx, f.notifier, f.inst.ID, id)
	if err != nil {
		f.t.Fatalf("upload %s: %v", id, err)
	}
	return u
}

func TestUploadCheckedThenDepositedInChunks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.svc.Limits.DepositChunk = 10 // 301 entries: 31 chunks, more than one run of the job does
		nuis := f.citizens(300)
		file, bad := uploadCase(nuis, f.newNUI().String())
		in := f.submission()
		in.Subject = "Valor pendiente: {{monto}} USD"
		in.Body = "Estimado/a {{nombres}}: debe {{monto}} USD (referencia {{referencia}})."
		id := f.startUpload(file, in)

		if u := f.upload(id); u.State != UploadChecking || u.Percent() != 0 {
			t.Fatalf("new upload: %s %d%%", u.State, u.Percent())
		}
		if err := f.svc.CheckUpload(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		// 300 citizens and 3 more rows; the stranger is a valid, distinct entry.
		u := f.upload(id)
		if u.State != UploadChecked || u.RowsRead != 303 || u.Entries != 301 || u.Ready != 299 || u.Problems != 4 || u.Percent() != 100 {
			t.Fatalf("checked upload: %+v", u)
		}
		if diff := cmp.Diff([]string{"monto"}, u.Columns); diff != "" {
			t.Errorf("columns (-want +got):\n%s", diff)
		}
		probs, err := f.svc.UploadProblems(f.ctx, f.notifier, f.inst.ID, id, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]string{}
		for _, p := range probs {
			got[p.Line] = p.Reason.Code()
		}
		if diff := cmp.Diff(bad, got); diff != "" {
			t.Errorf("problems by line (-want +got):\n%s", diff)
		}
		r, ok, err := f.svc.UploadPreview(f.ctx, f.notifier, f.inst.ID, id)
		if err != nil || !ok {
			t.Fatalf("preview: %v %v", ok, err)
		}
		if r.NUI.String() != nuis[0] || r.Subject != "Valor pendiente: 0,50 USD" ||
			r.Body != "Estimado/a Persona 0: debe 0,50 USD (referencia REF-0)." || r.Reference != "REF-0" {
			t.Errorf("preview = %+v", r)
		}
		// Nothing was sent by the check.
		if n := len(f.jobs(AlertKind)); n != 0 {
			t.Fatalf("%d alerts before the confirmation", n)
		}

		if err := f.svc.ConfirmUpload(f.ctx, f.notifier, f.inst.ID, id); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ConfirmUpload(f.ctx, f.notifier, f.inst.ID, id); err != nil {
			t.Fatalf("a second confirmation: %v", err)
		}
		if _, _, err := f.svc.Draft(f.ctx, f.notifier, f.inst.ID, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("the draft outlived its confirmation: %v", err)
		}
		if n := len(f.jobs(UploadDepositKind)); n != 1 {
			t.Errorf("%d deposit jobs after the confirmations, want 1", n)
		}
		// A run deposits uploadChunksPerRun chunks, then queues the rest.
		if err := f.svc.DepositUpload(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		u = f.upload(id)
		if u.State != UploadDepositing || u.Processed != 198 || u.Percent() != 66 {
			t.Fatalf("after one run: %+v (%d%%)", u, u.Percent())
		}
		if n := len(f.jobs(UploadDepositKind)); n != 2 {
			t.Errorf("%d deposit jobs after one run, want its continuation too", n)
		}
		if err := f.svc.DepositUpload(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		u = f.upload(id)
		if u.State != UploadDone || u.Processed != 299 || u.Deposited != 299 || u.Refused != 0 || u.FinishedAt.IsZero() {
			t.Fatalf("deposited upload: %+v", u)
		}
		if n := len(f.jobs(AlertKind)); n != 299 {
			t.Errorf("%d alerts, want 299", n)
		}
		// Each citizen got his own amount and reference.
		page, err := db.Reader().TrackingPage(f.ctx, store.TrackingQuery{InstitutionID: f.inst.ID, RecipientNUI: nuis[41], Limit: 10})
		if err != nil || len(page) != 1 {
			t.Fatalf("notifications of row 41: %d %v", len(page), err)
		}
		if page[0].Subject != "Valor pendiente: 41,50 USD" || page[0].Reference != "REF-41" {
			t.Errorf("row 41 got %q / %q", page[0].Subject, page[0].Reference)
		}

		// The report: one line per row of the file, the refused with why.
		var buf bytes.Buffer
		if err := f.svc.UploadReport(f.ctx, f.notifier, f.inst.ID, id, "es", &buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1+303 {
			t.Fatalf("report has %d lines, want a header and 303 rows", len(recs))
		}
		if diff := cmp.Diff([]string{"linea", "cedula", "resultado", "motivo", "notificacion"}, recs[0]); diff != "" {
			t.Errorf("header (-want +got):\n%s", diff)
		}
		if recs[1][2] != "depositada" || !ValidID(recs[1][4]) {
			t.Errorf("first row: %v", recs[1])
		}
		if recs[2][0] != "3" || recs[2][2] != "rechazada" || !strings.Contains(recs[2][3], "dígito verificador") {
			t.Errorf("line 3: %v", recs[2])
		}
		if recs[8][0] != "9" || !strings.Contains(recs[8][3], "«monto»") {
			t.Errorf("line 9: %v", recs[8])
		}
	})
}

func TestUploadDepositNeverNotifiesTwice(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.svc.Limits.DepositChunk = 25
		nuis := f.citizens(200)
		var file strings.Builder
		file.WriteString("cedula\n")
		for _, n := range nuis {
			file.WriteString(n + "\n")
		}
		id := f.startUpload(file.String(), f.submission())
		if err := f.svc.CheckUpload(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ConfirmUpload(f.ctx, f.notifier, f.inst.ID, id); err != nil {
			t.Fatal(err)
		}
		// Two workers run the job at once (a lease taken over from one
		// that was only slow): each chunk is deposited by one of them.
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = f.svc.DepositUpload(f.ctx, id) }()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		// A run after the end, as a retried job would be, does nothing.
		if err := f.svc.DepositUpload(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		if u := f.upload(id); u.State != UploadDone || u.Deposited != 200 {
			t.Fatalf("upload: %+v", u)
		}
		if n := len(f.jobs(AlertKind)); n != 200 {
			t.Errorf("%d alerts for 200 recipients", n)
		}
		page, err := db.Reader().TrackingPage(f.ctx, store.TrackingQuery{InstitutionID: f.inst.ID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		per := map[string]int{}
		for _, n := range page {
			per[n.RecipientNUI]++
		}
		for _, n := range nuis {
			if per[n] != 1 {
				t.Errorf("%s received %d notifications", n, per[n])
			}
		}
		// A chunk already recorded is refused by the store.
		err = db.Write(f.ctx, func(tx *store.Tx) error {
			ok, err := tx.ClaimUploadChunk(f.ctx, id, 0, f.clock.Now())
			if err == nil && ok {
				t.Error("chunk 0 was recorded twice")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestUploadStopsAtTheQuota(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.svc.Limits.DepositChunk = 10
		f.write(func(tx *store.Tx) error { return tx.SetInstitutionQuota(f.ctx, f.inst.ID, 25, f.clock.Now()) })
		nuis := f.citizens(40)
		id := f.startUpload("cedula\n"+strings.Join(nuis, "\n"), f.submission())
		if err := f.svc.CheckUpload(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ConfirmUpload(f.ctx, f.notifier, f.inst.ID, id); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DepositUpload(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		u := f.upload(id)
		if u.State != UploadStopped || u.Deposited != 20 || u.Refusal == nil || !errors.Is(u.Refusal, ErrQuotaExceeded) {
			t.Fatalf("upload past the quota: %+v", u)
		}
	})
}

func TestUploadRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		nuis := f.citizens(2)
		tests := []struct {
			name, file, body string
			code             string
		}{
			{"no cédula column", "nombre\nAna\n", "Hola", "recipients.no_nui_column"},
			{"not a CSV", "%PDF-1.7\n", "Hola", "recipients.not_csv"},
			{"placeholder without its column", "cedula\n" + nuis[0] + "\n", "Debe {{monto}}", "upload_column_missing"},
		}
		for _, tt := range tests {
			in := f.submission()
			in.Body = tt.body
			id := f.startUpload(tt.file, in)
			if err := f.svc.CheckUpload(f.ctx, id); err != nil {
				t.Fatal(err)
			}
			u := f.upload(id)
			if u.State != UploadRefused || u.Refusal == nil || u.Refusal.Code() != tt.code || u.Refusal.Error() == "" || u.Refusal.English() == "" {
				t.Errorf("%s: %+v %v", tt.name, u, u.Refusal)
			}
			if err := f.svc.ConfirmUpload(f.ctx, f.notifier, f.inst.ID, id); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: a refused file was confirmed: %v", tt.name, err)
			}
		}
		// The content is checked at once; a pasted list and a file are not mixed.
		in := f.submission()
		in.Subject, in.Recipients = "", []string{nuis[1]}
		_, err := f.svc.StartUpload(f.ctx, f.notifier, in, UploadFile{Name: "x.csv", Body: strings.NewReader("cedula\n"), Size: 7})
		if !errors.Is(err, ErrSubjectRequired) || !errors.Is(err, ErrUploadWithList) {
			t.Errorf("bad content: %v", err)
		}
		// Another institution's staff, or another notifier, cannot see it.
		id := f.startUpload("cedula\n"+nuis[0]+"\n", f.submission())
		if _, err := f.svc.Upload(f.ctx, f.otherNotifier, f.inst.ID, id); !errors.Is(err, ErrForbidden) {
			t.Errorf("other institution: %v", err)
		}
		colleague := f.staff(identity.RoleNotifier, f.inst.ID)
		if _, err := f.svc.Upload(f.ctx, colleague, f.inst.ID, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("colleague: %v", err)
		}
	})
}

func TestPerRecipientValues(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana, luis, rosa := f.citizen(), f.citizen(), f.citizen()
		in := f.submission(ana, luis, rosa)
		in.Subject = "Multa {{placa}}"
		in.Body = "Estimado/a {{nombres}}: su vehículo {{placa}} tiene una multa (ref. {{referencia}})."
		in.PerRecipient = []RecipientValues{
			{Reference: "ANT-1", Vars: map[string]string{"placa": "PBA-1234", "nombres": "Ana del Campo"}},
			{Vars: map[string]string{"placa": ""}},
			{Reference: "ANT-3", Vars: map[string]string{"placa": "GYE-987"}},
		}
		if diff := cmp.Diff([]int{2}, positions(ValueProblems(&in))); diff != "" {
			t.Errorf("value problems (-want +got):\n%s", diff)
		}
		r, err := f.svc.RenderFor(f.ctx, &in, 2)
		if err != nil || r.Body != "Estimado/a María José: su vehículo GYE-987 tiene una multa (ref. ANT-3)." {
			t.Errorf("render for rosa: %+v %v", r, err)
		}
		res := f.send(in)
		if len(res.Deposited) != 2 || len(res.Refused) != 1 || res.Refused[0].Position != 2 ||
			!errors.Is(res.Refused[0].Err, ErrPlaceholderValueMissing) || !strings.Contains(res.Refused[0].Err.Error(), "«placa»") {
			t.Fatalf("result: %+v", res)
		}
		d, err := f.svc.Open(f.ctx, ana, res.Deposited[0].NotificationID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Subject != "Multa PBA-1234" || d.Reference != "ANT-1" ||
			d.Body != "Estimado/a Ana del Campo: su vehículo PBA-1234 tiene una multa (ref. ANT-1)." {
			t.Errorf("ana's notification: %q %q %q", d.Subject, d.Reference, d.Body)
		}

		// A placeholder no row has, or values that do not match the list, refuse the send.
		bad := in
		bad.Body = "{{color}}"
		if _, err := f.svc.Send(f.ctx, f.notifier, bad); !errors.Is(err, ErrPlaceholderUnknown) {
			t.Errorf("unknown placeholder: %v", err)
		}
		bad = in
		bad.PerRecipient = bad.PerRecipient[:2]
		if _, err := f.svc.Send(f.ctx, f.notifier, bad); !errors.Is(err, ErrRecipientValues) {
			t.Errorf("values for 2 of 3: %v", err)
		}
		bad = in
		bad.PerRecipient = []RecipientValues{{Reference: strings.Repeat("x", 101), Vars: map[string]string{"placa": "A"}}, {}, {}}
		bad.Body, bad.Subject = "Hola", "Aviso"
		if res := f.send(bad); len(res.Refused) != 1 || !errors.Is(res.Refused[0].Err, ErrReferenceTooLong) {
			t.Errorf("a reference too long: %+v", res.Refused)
		}
	})
}

func positions(list []Refused) []int {
	var out []int
	for _, r := range list {
		out = append(out, r.Position)
	}
	return out
}

func TestAlertInTheCitizensLanguage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana, luis := f.citizen(), f.citizen()
		f.write(func(tx *store.Tx) error { return tx.SetIdentityLanguage(f.ctx, luis.ID, "en", f.clock.Now()) })
		res := f.send(f.submission(ana, luis))
		subjects := map[string]string{}
		for _, j := range f.jobs(AlertKind) {
			var p alertPayload
			if err := jobs.Decode(&j, &p); err != nil {
				t.Fatal(err)
			}
			subjects[p.NotificationID] = p.Message.Subject
		}
		if s := subjects[res.Deposited[0].NotificationID]; !strings.HasPrefix(s, "Nueva notificación") {
			t.Errorf("ana's alert: %q", s)
		}
		if s := subjects[res.Deposited[1].NotificationID]; !strings.HasPrefix(s, "New notification") {
			t.Errorf("luis's alert: %q", s)
		}
	})
}

func TestComposeCleanupKeepsWhatIsUsed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ana := f.citizen()
		keep := func(name string) Attachment {
			a, err := f.svc.StoreDraftAttachment(f.ctx, f.notifier, f.inst.ID, name, bytes.NewReader(pdf), int64(len(pdf)))
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		abandoned := keep("abandonado.pdf") // the form failed after it was stored
		inDraft := keep("borrador.pdf")     // a draft never confirmed
		sent := keep("enviado.pdf")         // confirmed
		late := keep("tarde.pdf")           // in a draft saved later, still open

		in := f.submission(ana)
		in.Attachments = []Attachment{inDraft}
		if _, err := f.svc.SaveDraft(f.ctx, f.notifier, in, DraftInfo{}); err != nil {
			t.Fatal(err)
		}
		in.Attachments = []Attachment{sent}
		id, err := f.svc.SaveDraft(f.ctx, f.notifier, in, DraftInfo{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SendDraft(f.ctx, f.notifier, f.inst.ID, id); err != nil {
			t.Fatal(err)
		}

		// Within the day nothing goes.
		f.clock.Add(23 * time.Hour)
		if n, err := f.svc.CleanupComposeFiles(f.ctx, f.clock.Now()); err != nil || n != 0 {
			t.Fatalf("cleanup within the day: %d %v", n, err)
		}
		in.Attachments = []Attachment{late}
		if _, err := f.svc.SaveDraft(f.ctx, f.notifier, in, DraftInfo{}); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(3 * time.Hour)
		n, err := f.svc.CleanupComposeFiles(f.ctx, f.clock.Now())
		if err != nil || n != 2 {
			t.Fatalf("cleanup after the day: %d %v", n, err)
		}
		for _, c := range []struct {
			a    Attachment
			kept bool
		}{{abandoned, false}, {inDraft, false}, {sent, true}, {late, true}} {
			rc, err := f.svc.Blobs.Get(f.ctx, c.a.BlobKey)
			if err == nil {
				rc.Close()
			}
			if kept := err == nil; kept != c.kept {
				t.Errorf("%s kept = %v (%v), want %v", c.a.Filename, kept, err, c.kept)
			}
			if c.kept == false && !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("%s: %v", c.a.Filename, err)
			}
		}
		// The deposited attachment still downloads.
		list, err := f.svc.Inbox(f.ctx, ana, Filter{}, "")
		if err != nil || len(list.Items) != 1 {
			t.Fatalf("inbox: %v", err)
		}
	})
}

func TestUploadCheckedTwiceAtOnceKeepsOneReport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		nuis := f.citizens(30)
		id := f.startUpload("cedula\n1714307104\n"+strings.Join(nuis, "\n")+"\n"+nuis[3]+"\n", f.submission())
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = f.svc.CheckUpload(f.ctx, id) }()
		}
		wg.Wait()
		if errs[0] != nil && errs[1] != nil {
			t.Fatalf("both checks failed: %v", errs)
		}
		// A run that failed is retried by the runner: it finds the check done.
		if err := f.svc.CheckUpload(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		u := f.upload(id)
		probs, err := f.svc.UploadProblems(f.ctx, f.notifier, f.inst.ID, id, 100)
		if err != nil {
			t.Fatal(err)
		}
		if u.State != UploadChecked || u.Ready != 30 || u.Problems != 2 || len(probs) != 2 {
			t.Errorf("upload %+v with %d report rows", u, len(probs))
		}
	})
}
