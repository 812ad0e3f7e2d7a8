package e2e

import (
	"context"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"buzon/internal/evidence"
	"buzon/internal/identity"
	"buzon/internal/notification"
	"buzon/internal/registry"
	"buzon/internal/server"
	"buzon/internal/store"
)

// TestConstanciaJourney: the citizen and the notifier each download the
// constancia (PDF and JSON) of the same notification from its page, and
// both verify offline against the platform's published key; the citizen
// then sees the notifier's accesses in his account, and an auditor finds
// the notification's events, each proven in the signed tree.
func TestConstanciaJourney(t *testing.T) {
	srv := StartServer(t, nil)
	ctx := context.Background()
	reg, err := registry.Open(filepath.Join(srv.Config.Data, server.DemoRegistryFile))
	if err != nil {
		t.Fatal(err)
	}
	var people []registry.Person
	for p := range reg.All() {
		if people = append(people, p); len(people) == 3 {
			break
		}
	}
	inst := &store.Institution{Name: "Servicio de Rentas Internas", Acronym: "SRI", RUC: "1760013210001", RUCKind: "public",
		Sector: "ejecutivo", Modality: "plataforma", State: "activa", DailyQuota: 1000, Address: "Av. Amazonas, Quito",
		RequestID: store.NewID(), CreatedAt: time.Now()}
	if err := srv.DB().Write(ctx, func(tx *store.Tx) error { return tx.CreateInstitution(ctx, inst) }); err != nil {
		t.Fatal(err)
	}
	notifier := journeyAccount(t, srv, people[0], identity.RoleNotifier, inst.ID)
	notifierSecret := enableTOTP(t, srv, notifier)
	citizen := journeyAccount(t, srv, people[1], identity.RoleCitizen, "")
	auditor := journeyAccount(t, srv, people[2], identity.RoleAuditor, "")
	auditorSecret := enableTOTP(t, srv, auditor)

	svc := srv.Notifications()
	var id string
	err = srv.DB().Write(ctx, func(tx *store.Tx) error {
		res, err := svc.Deposit(ctx, tx, notification.Submission{InstitutionID: inst.ID,
			Actor:      evidence.Actor{Kind: evidence.ActorStaff, ID: notifier.ID},
			Recipients: []string{citizen.NUI.String()}, Subject: "Resolución de devolución de IVA",
			Reference: "SRI-2026-0420", Body: "Se resolvió su solicitud de devolución.", Category: notification.Category("resolucion")}, svc.Time())
		if err == nil && len(res.Deposited) == 1 {
			id = res.Deposited[0].NotificationID
		}
		return err
	})
	if err != nil || id == "" {
		t.Fatalf("deposit: %v (id %q)", err, id)
	}
	pins := evidence.VerifyOptions{NoteKeys: []string{srv.Evidence().Keys.VerifierKey}}

	// download fetches the constancia a page's button points to, with the
	// browser's session, and verifies it as a judge would.
	download := func(b *Browser, who string) {
		t.Helper()
		for _, f := range []struct {
			ext    string
			verify func([]byte, evidence.VerifyOptions) *evidence.Report
		}{{"pdf", evidence.VerifyPDF}, {"json", evidence.VerifyJSON}} {
			href := run(b, "find the "+f.ext+" button", chromedp.Evaluate[string](
				`document.querySelector('a[href$="/constancia.`+f.ext+`"]').getAttribute('href')`))
			b64 := run(b, "download the "+f.ext, chromedp.Evaluate[string](`fetch(`+strconvQuote(href)+`).then(r => {
				if (!r.ok) throw new Error('status ' + r.status);
				return r.arrayBuffer() }).then(b => { let s = ''; new Uint8Array(b).forEach(x => s += String.fromCharCode(x)); return btoa(s) })`,
				chromedp.EvalAwaitPromise))
			data, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				t.Fatal(err)
			}
			rep := f.verify(data, pins)
			if !rep.OK() {
				t.Fatalf("the %s's constancia (%s) does not verify: %+v", who, f.ext, rep.Checks)
			}
			n := rep.Document.Notification
			if n.ID != id || n.Recipient.NUI != citizen.NUI.String() || n.Institution.Name != inst.Name {
				t.Errorf("the %s's constancia (%s) is about %+v", who, f.ext, n)
			}
		}
	}

	// The citizen opens the notification and downloads its constancia.
	cit := NewBrowser(t, srv.URL, BrowserOptions{})
	cit.signIn("citizen-signin", citizen.NUI.String(), "")
	cit.Visit("inbox", "/buzon")
	cit.ClickLink("open", "Resolución de devolución de IVA")
	cit.MustSee("Constancia de notificación", "Descargar constancia (PDF)", "Constancia en JSON")
	download(cit, "citizen")

	// The notifier opens the same notification and downloads its constancia.
	staff := NewBrowser(t, srv.URL, BrowserOptions{})
	staff.signIn("notifier-signin", notifier.NUI.String(), notifierSecret)
	staff.Visit("tracking-show", "/institucion/"+inst.ID+"/notificaciones/"+id)
	staff.MustSee("Descargar constancia (PDF)", "Constancia en JSON")
	download(staff, "notifier")

	// The citizen sees who of the institution looked, and what they did.
	cit.Visit("account", "/cuenta")
	cit.ClickLink("accesses", "Ver quién accedió a mis datos y notificaciones")
	cit.MustSee("Servicio de Rentas Internas", "Notificador", "Consultó una notificación suya",
		"Descargó la constancia de una notificación suya")

	// An auditor finds the notification's events, each proven.
	aud := NewBrowser(t, srv.URL, BrowserOptions{})
	aud.signIn("auditor-signin", auditor.NUI.String(), auditorSecret)
	aud.Visit("evidence-console", "/admin/evidencias")
	aud.MustSee("Último punto de control firmado")
	aud.fill("#notificacion", id)
	aud.submit("evidence-search", "Buscar")
	aud.MustSee("deposited", "opened", "Verificada")
	if strings.Contains(aud.Text("main"), "NO verifica") {
		t.Errorf("an inclusion proof failed on the auditor's console")
	}
	aud.Visit("audit-log", "/admin/auditoria")
	aud.MustSee("notificacion.descargar_constancia")

	// The English pages read as well.
	cit.Visit("accesses-en", "/idioma/en?volver=/cuenta/accesos")
	cit.MustSee("Who accessed my data", "Downloaded the constancia of a notification of yours")
	aud.Visit("evidence-console-en", "/idioma/en?volver=/admin/evidencias")
	aud.MustSee("Latest signed checkpoint")
}
