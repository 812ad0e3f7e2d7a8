package notifications_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/identity"
	it "buzon/internal/institution/institutiontest"
	"buzon/internal/notification"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestComposeErrorsShownNextToTheFieldsAndNothingStored(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		ana := s.citizens(1)[0]
		bad := form(ana.NUI.String())
		bad.Set("asunto", "")
		bad.Set("cuerpo", "Estimado/a {{apodo}}")
		bad.Set("referencia", strings.Repeat("R", 101))
		for _, tt := range []struct {
			lang string
			want map[string]string
		}{
			{"es", map[string]string{
				"asunto":     "Escriba el asunto.",
				"referencia": "La referencia es demasiado larga: use hasta 100 caracteres.",
				"cuerpo":     notification.ErrPlaceholderUnknown.Error(),
			}},
			{"en", map[string]string{
				"asunto":     "Enter the subject.",
				"referencia": "The reference is too long: use up to 100 characters.",
				"cuerpo":     notification.ErrPlaceholderUnknown.English(),
			}},
		} {
			b := s.as(s.notifier, tt.lang)
			resp := b.compose(s.inst.ID, bad, file{"anexos", "resolucion.pdf", it.PDF()})
			if resp.status != http.StatusUnprocessableEntity {
				t.Fatalf("%s: status %d, want 422", tt.lang, resp.status)
			}
			got := map[string]string{}
			for field := range tt.want {
				got[field] = fieldError(resp.body, field)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Transformer("unescape", unescape)); diff != "" {
				t.Errorf("%s: messages by field (-want +got):\n%s", tt.lang, diff)
			}
			// What was typed is kept; the attachment was not stored.
			mustContain(t, "form with errors", resp.body, `value="`+strings.Repeat("R", 101)+`"`, "Estimado/a {{apodo}}")
			if n := s.blobs(); n != 0 {
				t.Errorf("%s: %d blobs stored by a refused form", tt.lang, n)
			}
		}
		// A compose form with no recipient says so next to the recipients.
		b := s.as(s.notifier, "es")
		resp := b.compose(s.inst.ID, form())
		if got := unescape(fieldError(resp.body, "destinatarios")); resp.status != 422 || got != notification.ErrNoRecipients.Error() {
			t.Errorf("no recipients: %d %q", resp.status, got)
		}
		page, err := db.Reader().TrackingPage(context.Background(), store.TrackingQuery{InstitutionID: s.inst.ID, Limit: 10})
		if err != nil || len(page) != 0 {
			t.Errorf("refused forms deposited %d notifications (%v)", len(page), err)
		}
		// Another institution's compose form is not the notifier's.
		if resp := b.compose(s.other.ID, form(ana.NUI.String())); resp.status != http.StatusNotFound {
			t.Errorf("composing for another institution: %d", resp.status)
		}
	})
}

func unescape(s string) string {
	r := strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`)
	return r.Replace(s)
}

func TestIDsOfOthersAreNotFound(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		people := s.citizens(2)
		ana, luis := people[0], people[1]
		ctx := context.Background()
		mine, err := s.svc.Send(ctx, s.notifier, notification.Submission{InstitutionID: s.inst.ID, Recipients: []string{ana.NUI.String()},
			Subject: "Resolución", Body: "Texto", Category: notification.CategoryResolution})
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := s.svc.Send(ctx, s.rival, notification.Submission{InstitutionID: s.other.ID, Recipients: []string{luis.NUI.String()},
			Subject: "Multa", Body: "Texto", Category: notification.CategoryFine})
		if err != nil {
			t.Fatal(err)
		}
		myID, theirID := mine.Deposited[0].NotificationID, theirs.Deposited[0].NotificationID

		staff := s.as(s.notifier, "es")
		if r := staff.get("/institucion/" + s.inst.ID + "/notificaciones/" + myID); r.status != http.StatusOK {
			t.Fatalf("own notification: %d", r.status)
		}
		for _, path := range []string{
			"/institucion/" + s.inst.ID + "/notificaciones/" + theirID,  // another institution's id under mine
			"/institucion/" + s.other.ID + "/notificaciones/" + theirID, // another institution's pages
			"/institucion/" + s.other.ID + "/notificaciones/" + theirID + "/anexos/" + store.NewID(),
			"/institucion/" + s.inst.ID + "/notificaciones/no-es-un-id",
			"/institucion/" + s.inst.ID + "/envios/" + store.NewID(),
			"/institucion/" + s.inst.ID + "/cargas/" + store.NewID(),
			"/institucion/" + s.inst.ID + "/cargas/" + store.NewID() + "/informe.csv",
		} {
			if r := staff.get(path); r.status != http.StatusNotFound {
				t.Errorf("notifier GET %s: %d, want 404", path, r.status)
			}
		}

		// A citizen guessing: another's id, a made-up one and garbage all look missing.
		citizen := s.as(ana, "es")
		if r := citizen.get("/buzon/" + myID); r.status != http.StatusOK {
			t.Fatalf("own notification: %d", r.status)
		}
		for _, path := range []string{
			"/buzon/" + theirID,
			"/buzon/" + store.NewID(),
			"/buzon/12345",
			"/buzon/" + theirID + "/anexos/" + store.NewID(),
			"/buzon/" + theirID + "/plazo.ics",
			"/buzon/" + theirID + "/todo.zip",
		} {
			r := citizen.get(path)
			if r.status != http.StatusNotFound {
				t.Errorf("citizen GET %s: %d, want 404", path, r.status)
			}
			if strings.Contains(r.body, "Multa") {
				t.Errorf("citizen GET %s shows the other's subject", path)
			}
		}
		// And the institution's screens are not his.
		if r := citizen.get("/institucion/" + s.inst.ID + "/notificaciones/" + myID); r.status != http.StatusForbidden {
			t.Errorf("citizen on the institution's page: %d, want 403", r.status)
		}
	})
}

func TestSmallCSVShowsEveryBadRowBeforeSending(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		people := s.citizens(3)
		stranger := "1710034065"
		csvFile := "cedula;nombres;monto\n" +
			people[0].NUI.String() + ";Ana;10,00\n" +
			"1714307104;Nadie;1,00\n" +
			people[1].NUI.String() + ";Luis;\n" +
			stranger + ";Sin Buzón;3,00\n" +
			people[0].NUI.String() + ";Ana otra vez;4,00\n" +
			people[2].NUI.String() + ";Rosa;25,50\n"
		f := form()
		f.Set("cuerpo", "Estimado/a {{nombres}}: debe {{monto}} USD.")
		b := s.as(s.notifier, "es")
		resp := b.compose(s.inst.ID, f, file{"archivo_destinatarios", "deudores.csv", []byte(csvFile)})
		if resp.status != http.StatusSeeOther || !strings.Contains(resp.location(), "/envios/") {
			t.Fatalf("submit: %d %s\n%s", resp.status, resp.location(), resp.body)
		}
		page := b.get(resp.location())
		if page.status != http.StatusOK {
			t.Fatalf("preview: %d", page.status)
		}
		mustContain(t, "preview", page.body, "2 destinatarios recibirán la notificación en su buzón.", "4 filas no se enviarán",
			"Así leerá la notificación el primer destinatario (cédula "+people[0].NUI.String()+")",
			"Estimado/a Ana: debe 10,00 USD.")
		var lines []string
		for _, row := range cells(page.body) {
			lines = append(lines, row[0]+" "+row[1])
		}
		want := []string{"3 1714307104", "4 " + people[1].NUI.String(), "5 " + stranger, "6 " + people[0].NUI.String()}
		if diff := cmp.Diff(want, lines); diff != "" {
			t.Errorf("report rows (-want +got):\n%s", diff)
		}
		mustContain(t, "report", unescape(page.body), "dígito verificador", "«monto»", "buzón activo", "repetida")
		// Confirming deposits the two with their own amounts.
		sent := b.post(resp.location(), nil)
		if sent.status != http.StatusSeeOther || !strings.Contains(sent.location(), "enviadas=2") {
			t.Fatalf("send: %d %s", sent.status, sent.location())
		}
		rosa, err := db.Reader().TrackingPage(context.Background(), store.TrackingQuery{InstitutionID: s.inst.ID, RecipientNUI: people[2].NUI.String(), Limit: 1})
		if err != nil || len(rosa) != 1 {
			t.Fatalf("rosa: %v", err)
		}
		d, err := s.svc.Open(context.Background(), people[2], rosa[0].ID)
		if err != nil || d.Body != "Estimado/a Rosa: debe 25,50 USD." {
			t.Errorf("rosa's body: %v %v", d, err)
		}
	})
}

// largeCSV is a file of the citizens' cédulas with a per-row amount, one
// more row at line 3 (a wrong check digit) and no amount at line 11.
func largeCSV(people []*identity.Principal) string {
	var b strings.Builder
	b.WriteString("cedula,nombres,monto\n")
	for i, p := range people {
		switch i {
		case 1:
			b.WriteString("1714307104,Nadie,1\n")
		case 8:
			fmt.Fprintf(&b, "%s,Sin Monto,\n", p.NUI)
			continue
		}
		fmt.Fprintf(&b, "%s,Persona %d,%d.50\n", p.NUI, i, i)
	}
	return b.String()
}

func TestLargeCSVProgressReportThenDeposit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		people := s.citizens(notification.InlineRows + 100)
		f := form()
		f.Set("asunto", "Valores pendientes: {{monto}} USD")
		f.Set("cuerpo", "Estimado/a {{nombres}}: debe {{monto}} USD.")
		b := s.as(s.notifier, "es")
		resp := b.compose(s.inst.ID, f, file{"archivo_destinatarios", "afiliados.csv", []byte(largeCSV(people))},
			file{"anexos", "detalle.pdf", it.PDF()})
		if resp.status != http.StatusSeeOther {
			t.Fatalf("submit: %d\n%s", resp.status, resp.body)
		}
		preview := resp.location()
		id := preview[strings.LastIndexByte(preview, '/')+1:]

		// Accepted at once; the check runs in the background while the
		// page refreshes itself, without a script.
		page := b.get(preview)
		if page.status != http.StatusOK || page.header.Get("Refresh") != "2" {
			t.Fatalf("progress page: %d, Refresh %q", page.status, page.header.Get("Refresh"))
		}
		mustContain(t, "progress page", page.body, "Revisando el archivo de destinatarios", `<label for="avance">`,
			`<progress id="avance" max="100" value="0"`, `role="status"`, "Dejar de actualizar automáticamente")
		if strings.Contains(page.body, "<script") || strings.Contains(page.body, "http-equiv") {
			t.Error("the progress page uses a script or a meta refresh")
		}
		if still := b.get(preview + "?actualizar=no"); still.header.Get("Refresh") != "" || !strings.Contains(still.body, "Actualizar el avance") {
			t.Errorf("the page kept refreshing after it was asked not to")
		}
		if en := s.as(s.notifier, "en").get(preview); !strings.Contains(en.body, "Checking the recipients file") {
			t.Errorf("English progress page lacks its title")
		}

		s.runJobs()
		page = b.get(preview)
		if page.header.Get("Refresh") != "" {
			t.Error("the checked preview still refreshes itself")
		}
		ready := len(people) - 1
		mustContain(t, "checked preview", unescape(page.body), fmt.Sprintf("%d destinatarios recibirán la notificación en su buzón. (archivo afiliados.csv)", ready),
			"2 filas no se enviarán", "Estimado/a Persona 0: debe 0.50 USD.", "Valores pendientes: 0.50 USD", "detalle.pdf",
			"/institucion/"+s.inst.ID+"/cargas/"+id+"/informe.csv", "«monto»", "dígito verificador")
		var lines []string
		for _, row := range cells(page.body) {
			lines = append(lines, row[0])
		}
		if diff := cmp.Diff([]string{"3", "11"}, lines); diff != "" {
			t.Errorf("refused lines (-want +got):\n%s", diff)
		}
		if jobs, _ := db.Reader().JobsByKind(context.Background(), notification.AlertKind, 10); len(jobs) != 0 {
			t.Fatal("alerts before the confirmation")
		}

		// Confirm: the deposit is a job too, followed on its own page.
		sent := b.post(preview, nil)
		status := "/institucion/" + s.inst.ID + "/cargas/" + id
		if sent.status != http.StatusSeeOther || sent.location() != status {
			t.Fatalf("confirm: %d %s", sent.status, sent.location())
		}
		if again := b.post(preview, nil); again.status != http.StatusSeeOther || again.location() != status {
			t.Errorf("a second confirmation: %d %s", again.status, again.location())
		}
		if back := b.get(preview); back.status != http.StatusSeeOther || back.location() != status {
			t.Errorf("the preview after the confirmation: %d %s", back.status, back.location())
		}
		page = b.get(status)
		if page.header.Get("Refresh") != "2" {
			t.Errorf("deposit page does not refresh itself")
		}
		mustContain(t, "deposit progress", page.body, "Depositando las notificaciones", `<label for="avance">`,
			fmt.Sprintf("Se han procesado 0 de %d destinatarios (0 %%).", ready))

		s.runJobs()
		page = b.get(status)
		if page.status != http.StatusOK || page.header.Get("Refresh") != "" {
			t.Fatalf("done page: %d %q", page.status, page.header.Get("Refresh"))
		}
		mustContain(t, "done page", page.body, "Envío terminado", fmt.Sprintf("<dd>%d</dd>", ready), status+"/informe.csv")

		report := b.get(status + "/informe.csv")
		if report.status != http.StatusOK || !strings.HasPrefix(report.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("report: %d %s", report.status, report.header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(report.body, "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1+len(people)+1 {
			t.Fatalf("report has %d rows for %d lines", len(recs)-1, len(people)+1)
		}
		byOutcome := map[string]int{}
		for _, r := range recs[1:] {
			byOutcome[r[2]]++
		}
		if diff := cmp.Diff(map[string]int{"depositada": ready, "rechazada": 2}, byOutcome); diff != "" {
			t.Errorf("report outcomes (-want +got):\n%s", diff)
		}
		// Another notifier of the same institution does not see it.
		colleague := s.Env.Staff(t, it.NewAdminNUI, identity.Grant{Role: identity.RoleNotifier, InstitutionID: s.inst.ID})
		if r := s.as(colleague, "es").get(status); r.status != http.StatusNotFound {
			t.Errorf("a colleague sees the upload: %d", r.status)
		}
	})
}

func TestLargeCSVRefusedAsAWhole(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		var lines strings.Builder
		lines.WriteString("cedula\n")
		for range notification.InlineRows + 1 {
			lines.WriteString("1714307103\n")
		}
		f := form()
		f.Set("cuerpo", "Debe {{monto}} USD")
		b := s.as(s.notifier, "en")
		resp := b.compose(s.inst.ID, f, file{"archivo_destinatarios", "sin-monto.csv", []byte(lines.String())})
		if resp.status != http.StatusSeeOther {
			t.Fatalf("submit: %d\n%s", resp.status, resp.body)
		}
		s.runJobs()
		page := b.get(resp.location())
		mustContain(t, "refused upload", unescape(page.body), "The recipients file cannot be used",
			"The text uses {{monto}}, but the file has no column “monto”.", "Compose again with another file")
		if page.header.Get("Refresh") != "" || strings.Contains(page.body, "<form method=\"post\"") {
			t.Error("a refused file can still be confirmed or keeps refreshing")
		}
		// A pasted list and a large file are not mixed.
		f = form(it.RequesterNUI)
		resp = b.compose(s.inst.ID, f, file{"archivo_destinatarios", "lista.csv", []byte(lines.String())})
		if got := unescape(fieldError(resp.body, "destinatarios")); resp.status != 422 || got != notification.ErrUploadWithList.English() {
			t.Errorf("list and file: %d %q", resp.status, got)
		}
	})
}

func TestEmailLanguagePreference(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		ana := s.citizens(1)[0]
		b := s.as(ana, "es")
		page := b.get("/buzon/preferencias")
		if !regexp.MustCompile(`id="idioma-es" name="idioma" value="es" checked`).MatchString(page.body) {
			t.Fatalf("Spanish is not the default:\n%s", page.body)
		}
		if r := b.post("/buzon/preferencias/idioma", url.Values{"idioma": {"fr"}}); r.status != 422 || fieldError(r.body, "idioma") != "Elija español o inglés." {
			t.Errorf("unknown language: %d %q", r.status, fieldError(r.body, "idioma"))
		}
		r := b.post("/buzon/preferencias/idioma", url.Values{"idioma": {"en"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("save: %d", r.status)
		}
		page = b.get(r.location())
		mustContain(t, "preferences", page.body, "El idioma de sus correos se guardó.", `id="idioma-en" name="idioma" value="en" checked`)
		// The next alert is written in English.
		res, err := s.svc.Send(context.Background(), s.notifier, notification.Submission{InstitutionID: s.inst.ID,
			Recipients: []string{ana.NUI.String()}, Subject: "Aviso", Body: "Texto", Category: notification.CategoryInformative})
		if err != nil || len(res.Deposited) != 1 {
			t.Fatal(err)
		}
		jobs, err := db.Reader().JobsByKind(context.Background(), notification.AlertKind, 10)
		if err != nil || len(jobs) != 1 || !strings.Contains(string(jobs[0].Payload), "New notification from") {
			t.Errorf("alert: %v %d jobs", err, len(jobs))
		}
	})
}
