package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"buzon/internal/apikey"
	"buzon/internal/client"
	"buzon/internal/config"
	"buzon/internal/identity"
	"buzon/internal/store"
)

// TestTheAPIThroughARunningServer sends a notification through the API of
// a running server and receives its webhook: the API is mounted, its jobs
// and the webhook dispatcher run, the evidence log feeds them.
func TestTheAPIThroughARunningServer(t *testing.T) {
	dir := t.TempDir()
	base, srv, stop := start(t, &config.Config{Addr: "127.0.0.1:0", Data: filepath.Join(dir, "data"), AutoMigrate: true, Workers: 2,
		LogFormat: "text", LogLevel: "info", ShutdownTimeout: 5 * time.Second, WebhooksAllowPrivate: true})
	ctx := context.Background()
	db := srv.DB()
	inst := &store.Institution{Name: "Servicio de Rentas", Acronym: "SR", RUC: "1760013210001", RUCKind: "public", Sector: "ejecutiva",
		Modality: "interconexion", State: "activa", DailyQuota: 100, Address: "Quito", RequestID: store.NewID(), CreatedAt: time.Now()}
	citizen := &store.Identity{NUI: "1714307103", GivenNames: "María", Surnames: "Pérez", Email: "maria@example.test", State: "activa",
		Channel: "presencial", PasskeyHandle: []byte(store.NewID()), CreatedAt: time.Now()}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateInstitution(ctx, inst); err != nil {
			return err
		}
		if err := tx.CreateIdentity(ctx, citizen); err != nil {
			return err
		}
		return tx.GrantRole(ctx, &store.Role{IdentityID: citizen.ID, Role: "ciudadano", GrantedAt: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	admin := &identity.Principal{Account: identity.Account{ID: store.NewID(), TOTPEnabled: true},
		Roles: []identity.Grant{{Role: identity.RoleInstitutionAdmin, InstitutionID: inst.ID}}}
	key, _, err := srv.Interconnection().Keys.Create(ctx, admin, inst.ID, "ERP", apikey.Live)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 4)
	var secret string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if _, err := client.VerifyWebhook(secret, r.Header, b, time.Now()); err != nil {
			t.Errorf("webhook: %v", err)
		}
		got <- b
	}))
	defer rcv.Close()

	c := client.New(base, key)
	w, err := c.CreateWebhook(ctx, client.WebhookRequest{URL: rcv.URL, EventTypes: []string{"notification.deposited"}})
	if err != nil {
		t.Fatal(err)
	}
	secret = w.Secret
	res, err := c.SendNotification(ctx, client.NotificationRequest{Recipients: []string{"1714307103"}, Subject: "Resolución", Body: "Texto."})
	if err != nil || res.Deposited != 1 {
		t.Fatalf("send = %+v, %v", res, err)
	}
	select {
	case b := <-got:
		if !strings.Contains(string(b), res.Results[0].NotificationID) || !strings.Contains(string(b), "notification.deposited") {
			t.Errorf("webhook body = %s", b)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("no webhook arrived within a minute")
	}
	if code, body := get(t, base+"/desarrolladores/api"); code != 200 || !strings.Contains(body, "createNotification") {
		t.Errorf("reference page = %d", code)
	}
	if code, body := get(t, base+"/api/v1/openapi.json"); code != 200 || !strings.Contains(body, `"openapi": "3.1.0"`) {
		t.Errorf("openapi.json = %d", code)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
