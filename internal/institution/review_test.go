package institution_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"buzon/internal/identity"
	"buzon/internal/institution"
	it "buzon/internal/institution/institutiontest"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

func TestApproveActivatesAndInvitesTheAdministrator(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		req, err := e.Service.Submit(ctx, it.ActivationForm())
		if err != nil {
			t.Fatal(err)
		}
		mintel := e.MINTEL(t)

		// Only MINTEL reviews; a reason is mandatory.
		citizen := e.Staff(t, it.NotifierNUI, identity.Grant{Role: identity.RoleCitizen})
		if _, err := e.Service.Requests(ctx, citizen, institution.RequestFilter{}); !errors.Is(err, institution.ErrForbidden) {
			t.Errorf("a citizen listing requests = %v", err)
		}
		if _, err := e.Service.Decide(ctx, citizen, req.ID, institution.Decision{Approve: true, Reason: "x"}); !errors.Is(err, institution.ErrForbidden) {
			t.Errorf("a citizen deciding = %v", err)
		}
		if _, err := e.Service.Decide(ctx, mintel, req.ID, institution.Decision{Approve: true, Reason: "  "}); !errors.Is(err, institution.ErrReasonRequired) {
			t.Errorf("approving without a reason = %v", err)
		}

		// The documents stream back as uploaded, each access audited.
		full, err := e.Service.Request(ctx, mintel, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Documents) != 2 || full.Documents[0].Kind != institution.DocumentLetter {
			t.Fatalf("documents = %+v", full.Documents)
		}
		rc, doc, err := e.Service.OpenDocument(ctx, mintel, req.ID, full.Documents[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(b) != string(it.PDF()) || doc.Filename != "delegacion.pdf" {
			t.Errorf("document read back: %q (%s), %v", b, doc.Filename, err)
		}
		if _, _, err := e.Service.OpenDocument(ctx, citizen, req.ID, doc.ID); !errors.Is(err, institution.ErrForbidden) {
			t.Errorf("a citizen opening a document = %v", err)
		}
		if _, _, err := e.Service.OpenDocument(ctx, mintel, req.ID, store.NewID()); !errors.Is(err, institution.ErrNotFound) {
			t.Errorf("a document of no request = %v", err)
		}
		audits, err := db.Reader().AuditEntries(ctx, store.AuditFilter{Action: institution.ActionViewDocument})
		if err != nil || len(audits) != 1 || audits[0].ActorID != mintel.ID || !strings.Contains(audits[0].Detail, req.Tracking) {
			t.Errorf("document access audit = %+v, %v", audits, err)
		}

		e.Clock.Advance(time.Hour)
		inst, err := e.Service.Decide(ctx, mintel, req.ID, institution.Decision{Approve: true, Reason: "Documentos verificados."})
		if err != nil {
			t.Fatal(err)
		}
		if inst.State != institution.StateActive || inst.Modality != institution.ModalityPlatform ||
			inst.DailyQuota != institution.DefaultDailyQuota || inst.Profile.Email != "atencion@pruebas.gob.ec" {
			t.Errorf("institution = %+v", inst)
		}
		if _, err := e.Service.Decide(ctx, mintel, req.ID, institution.Decision{Reason: "otra vez"}); !errors.Is(err, institution.ErrAlreadyDecided) {
			t.Errorf("deciding twice = %v", err)
		}

		// The administrator: a new identity, pending, with the role in the institution.
		admin, err := db.Reader().IdentityByNUI(ctx, it.AdminNUI)
		if err != nil {
			t.Fatal(err)
		}
		if admin.State != "pendiente" || admin.GivenNames != "Luis Alberto" || admin.Email != "luis.mora@pruebas.gob.ec" {
			t.Errorf("administrator identity = %+v", admin)
		}
		p := e.Principal(t, admin.ID)
		if !p.HasIn(identity.RoleInstitutionAdmin, inst.ID) {
			t.Errorf("administrator roles = %+v", p.Roles)
		}
		history, err := e.Service.AdminHistory(ctx, mintel, inst.ID)
		if err != nil || len(history) != 1 || history[0].AccountID != admin.ID || history[0].RequestID != req.ID {
			t.Errorf("administrator history = %+v, %v", history, err)
		}
		invite := mailTo(t, db, "luis.mora@pruebas.gob.ec")
		if !strings.Contains(invite.Text, "http://buzon.test/activar/") || !strings.Contains(invite.Text, "Ministerio de Pruebas") {
			t.Errorf("invitation:\n%s", invite.Text)
		}
		decided := mailTo(t, db, "ministra@pruebas.gob.ec")
		if !strings.Contains(decided.Subject, "aprobada") {
			t.Errorf("decision email: %s", decided.Subject)
		}
		// Exactly one email to the administrator: the invitation carries the
		// activation link, identity's own activation email is not sent.
		n := 0
		for _, m := range mails(t, db) {
			if m.To == "luis.mora@pruebas.gob.ec" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d emails to the administrator, want 1", n)
		}
		st, _ := e.Service.Status(ctx, req.Tracking)
		if st.State != institution.RequestApproved || st.Reason != "Documentos verificados." {
			t.Errorf("status after approval = %+v", st)
		}

		// Until he turns on two-step verification he can do nothing.
		p.TOTPEnabled = false
		if _, err := e.Service.Staff(ctx, p, inst.ID); !errors.Is(err, institution.ErrForbidden) {
			t.Errorf("administrator without two-step verification = %v", err)
		}
	})
}

func TestRejectEmailsTheReason(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		req, err := e.Service.Submit(ctx, it.ActivationForm())
		if err != nil {
			t.Fatal(err)
		}
		inst, err := e.Service.Decide(ctx, e.MINTEL(t), req.ID, institution.Decision{Reason: "El oficio no está firmado."})
		if err != nil || inst != nil {
			t.Fatalf("reject = %v, %v", inst, err)
		}
		m := mailTo(t, db, "ministra@pruebas.gob.ec")
		if !strings.Contains(m.Subject, "rechazada") || !strings.Contains(m.Text, "El oficio no está firmado.") {
			t.Errorf("rejection email:\n%s\n%s", m.Subject, m.Text)
		}
		if _, err := db.Reader().IdentityByNUI(ctx, it.AdminNUI); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a rejected request created the administrator's identity: %v", err)
		}
		if _, err := db.Reader().InstitutionByRUC(ctx, "1760000070001"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a rejected request created the institution: %v", err)
		}
		// The RUC may ask again.
		if _, err := e.Service.Submit(ctx, it.ActivationForm()); err != nil {
			t.Errorf("new request after a rejection: %v", err)
		}
	})
}

func TestAdministratorChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		mintel := e.MINTEL(t)
		inst := e.Activate(t, mintel, "Ministerio de Pruebas", "1760000070001", it.AdminNUI)
		oldRow, _ := db.Reader().IdentityByNUI(ctx, it.AdminNUI)
		// The old administrator is signed in.
		err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.CreateUserSession(ctx, &store.UserSession{TokenHash: []byte("old-admin-session"), IdentityID: oldRow.ID,
				Method: "contraseña+totp", CreatedAt: it.Start, LastSeenAt: it.Start, ExpiresAt: it.Start.Add(12 * time.Hour)})
		})
		if err != nil {
			t.Fatal(err)
		}

		// Bad input: unknown RUC, missing document, non-PDF.
		bad := it.AdminChangeForm()
		bad.RUC, bad.Delegation = "1760000150001", it.Upload("d.pdf", it.PNG())
		before := count(t, e)
		_, err = e.Service.SubmitAdminChange(ctx, bad)
		var inv *institution.Invalid
		if !errors.As(err, &inv) || !errors.Is(inv.Fields()["ruc"], institution.ErrRUCUnknown) ||
			!errors.Is(inv.Fields()["delegation"], institution.ErrDocumentNotPDF) {
			t.Fatalf("bad change request = %v", err)
		}
		if after := count(t, e); after != before {
			t.Errorf("refused change request stored %+v → %+v", before, after)
		}

		req, err := e.Service.SubmitAdminChange(ctx, it.AdminChangeForm())
		if err != nil {
			t.Fatal(err)
		}
		if req.Kind != institution.KindAdminChange || req.InstitutionID != inst.ID || req.Name != inst.Name {
			t.Errorf("change request = %+v", req)
		}
		ack := mailTo(t, db, "rosa.guaman@pruebas.gob.ec")
		if !strings.Contains(ack.Text, req.Tracking) {
			t.Errorf("acknowledgement:\n%s", ack.Text)
		}
		if _, err := e.Service.SubmitAdminChange(ctx, it.AdminChangeForm()); !errors.As(err, &inv) ||
			!errors.Is(inv.Fields()["ruc"], institution.ErrRUCRequested) {
			t.Errorf("second pending change = %v", err)
		}

		e.Clock.Advance(time.Hour)
		if _, err := e.Service.Decide(ctx, mintel, req.ID, institution.Decision{Approve: true, Reason: "Delegación verificada."}); err != nil {
			t.Fatal(err)
		}
		oldP := e.Principal(t, oldRow.ID)
		if oldP.Has(identity.RoleInstitutionAdmin) {
			t.Errorf("old administrator keeps the role: %+v", oldP.Roles)
		}
		if ss, _ := db.Reader().UserSessionsOf(ctx, oldRow.ID, e.Clock.Now()); len(ss) != 0 {
			t.Errorf("old administrator still has %d sessions", len(ss))
		}
		newRow, err := db.Reader().IdentityByNUI(ctx, it.NewAdminNUI)
		if err != nil {
			t.Fatal(err)
		}
		if !e.Principal(t, newRow.ID).HasIn(identity.RoleInstitutionAdmin, inst.ID) {
			t.Errorf("new administrator lacks the role")
		}
		history, err := e.Service.AdminHistory(ctx, mintel, inst.ID)
		if err != nil || len(history) != 2 || history[0].NUI != it.NewAdminNUI || !history[0].Current() ||
			history[1].NUI != it.AdminNUI || history[1].Current() {
			t.Errorf("administrator history = %+v, %v", history, err)
		}
		gone := mailTo(t, db, "luis.mora@pruebas.gob.ec")
		if !strings.Contains(gone.Subject, "Ya no es") || !strings.Contains(gone.Text, req.Tracking) {
			t.Errorf("old administrator's email:\n%s\n%s", gone.Subject, gone.Text)
		}
		invite := mailTo(t, db, "rosa.guaman@pruebas.gob.ec")
		if !strings.Contains(invite.Text+invite.Subject, "aprobada") && !strings.Contains(invite.Text, "/activar/") {
			t.Errorf("new administrator's email:\n%s", invite.Text)
		}
		found := false
		for _, m := range mails(t, db) {
			if m.To == "rosa.guaman@pruebas.gob.ec" && strings.Contains(m.Text, "http://buzon.test/activar/") {
				found = true
			}
		}
		if !found {
			t.Error("the new administrator got no activation link")
		}
	})
}

func TestAdministratorChangeRejected(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		mintel := e.MINTEL(t)
		inst := e.Activate(t, mintel, "Ministerio de Pruebas", "1760000070001", it.AdminNUI)
		req, err := e.Service.SubmitAdminChange(ctx, it.AdminChangeForm())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Service.Decide(ctx, mintel, req.ID, institution.Decision{Reason: "La delegación no corresponde."}); err != nil {
			t.Fatal(err)
		}
		m := mailTo(t, db, "rosa.guaman@pruebas.gob.ec")
		if !strings.Contains(m.Subject, "rechazada") || !strings.Contains(m.Text, "La delegación no corresponde.") {
			t.Errorf("rejection:\n%s\n%s", m.Subject, m.Text)
		}
		history, _ := e.Service.AdminHistory(ctx, mintel, inst.ID)
		if len(history) != 1 || history[0].NUI != it.AdminNUI || !history[0].Current() {
			t.Errorf("a rejected change moved the role: %+v", history)
		}
	})
}
