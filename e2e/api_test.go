package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"buzon/internal/client"
	"buzon/internal/config"
	"buzon/internal/identity"
	"buzon/internal/registry"
	"buzon/internal/server"
	"buzon/internal/store"
	"buzon/internal/webhook"
)

// TestInterconnectionJourney: an institution's administrator creates a test
// key in the console (shown once), a system sends a notification with it
// through the API (sandbox: the citizen gets nothing), the administrator
// registers a webhook, sends it a test event and sees it delivered in the
// log; the API reference page is public. Every page passes axe.
func TestInterconnectionJourney(t *testing.T) {
	srv := StartServer(t, func(c *config.Config) { c.WebhooksAllowPrivate = true })
	ctx := context.Background()
	reg, err := registry.Open(filepath.Join(srv.Config.Data, server.DemoRegistryFile))
	if err != nil {
		t.Fatal(err)
	}
	var people []registry.Person
	for p := range reg.All() {
		if people = append(people, p); len(people) == 2 {
			break
		}
	}
	inst := &store.Institution{Name: "Servicio de Rentas Internas", Acronym: "SRI", RUC: "1760013210001", RUCKind: "public",
		Sector: "ejecutiva", Modality: "interconexion", State: "activa", DailyQuota: 1000, Address: "Av. Amazonas, Quito",
		RequestID: store.NewID(), CreatedAt: time.Now()}
	if err := srv.DB().Write(ctx, func(tx *store.Tx) error { return tx.CreateInstitution(ctx, inst) }); err != nil {
		t.Fatal(err)
	}
	admin := journeyAccount(t, srv, people[0], identity.RoleInstitutionAdmin, inst.ID)
	secret := enableTOTP(t, srv, admin)
	citizen := journeyAccount(t, srv, people[1], identity.RoleCitizen, "")

	b := NewBrowser(t, srv.URL, BrowserOptions{})
	b.signIn("admin-signin", admin.NUI.String(), secret)
	b.Visit("keys", "/institucion/"+inst.ID+"/api")
	b.fill("#name", "Sistema de rentas")
	b.do("choose the test mode", chromedp.Click(chromedp.CSS("#mode-test")))
	b.submit("key-created", "Crear la clave")
	b.MustSee("Clave creada")
	key := strings.TrimSpace(b.Text("#new-key"))
	if !strings.HasPrefix(key, "bzn_test_") {
		t.Fatalf("the page shows %q as the key", key)
	}

	// A system uses the key.
	c := client.New(srv.URL, key)
	res, err := c.SendNotification(ctx, client.NotificationRequest{Recipients: []string{citizen.NUI.String()},
		Subject: "Prueba de interconexión", Body: "Texto de prueba."})
	if err != nil || res.Mode != "test" || !res.Results[0].Deposited() {
		t.Fatalf("send with the console's key = %+v, %v", res, err)
	}

	// A webhook, and a test event delivered to it.
	got := make(chan http.Header, 1)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case got <- r.Header.Clone():
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	b.Visit("webhooks", "/institucion/"+inst.ID+"/webhooks")
	b.fill("#url", rcv.URL+"/eventos")
	b.do("subscribe to openings", chromedp.Click(chromedp.CSS(`#type-notification\.opened`)))
	b.submit("webhook-created", "Registrar")
	b.MustSee("Webhook registrado")
	if s := strings.TrimSpace(b.Text("#new-secret")); !strings.HasPrefix(s, "whsec_") {
		t.Fatalf("the page shows %q as the secret", s)
	}
	eps, err := srv.Interconnection().Webhooks.List(ctx, webhook.Actor{KeyPrefix: "e2e"}, inst.ID)
	if err != nil || len(eps) != 1 {
		t.Fatalf("webhooks = %v, %v", eps, err)
	}
	b.Visit("webhook", "/institucion/"+inst.ID+"/webhooks/"+eps[0].ID)
	b.submit("test-queued", "Enviar un evento de prueba")
	select {
	case h := <-got:
		if h.Get("webhook-signature") == "" || h.Get("webhook-id") == "" {
			t.Errorf("the test event is not signed: %v", h)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the test event did not arrive")
	}
	b.Visit("delivery-log", "/institucion/"+inst.ID+"/webhooks/"+eps[0].ID)
	b.MustSee("Evento de prueba", "Entregado")

	// The reference is public.
	anon := NewBrowser(t, srv.URL, BrowserOptions{})
	anon.Visit("reference", "/desarrolladores/api")
	anon.MustSee("Buzón — API de interconexión", "POST /api/v1/notifications")
}
