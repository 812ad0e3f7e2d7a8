package institution_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/identity"
	"buzon/internal/institution"
	it "buzon/internal/institution/institutiontest"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// twoInstitutions activates A and B, each with its administrator signed in
// with two-step verification on.
func twoInstitutions(t *testing.T, e *it.Env) (a, b *institution.Institution, adminA, adminB *identity.Principal) {
	t.Helper()
	mintel := e.MINTEL(t)
	a = e.Activate(t, mintel, "Institución A", "1760000070001", it.AdminNUI)
	b = e.Activate(t, mintel, "Institución B", "1760000150001", it.NewAdminNUI)
	return a, b, e.Staff(t, it.AdminNUI), e.Staff(t, it.NewAdminNUI)
}

func TestAdministratorsCannotReachAnotherInstitution(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		a, b, adminA, adminB := twoInstitutions(t, e)
		notifierB, err := e.Service.InviteNotifier(ctx, adminB, b.ID, institution.NotifierForm{NUI: it.NotifierNUI,
			Email: "jorge@b.gob.ec", Position: "Analista"})
		if err != nil {
			t.Fatal(err)
		}
		before := count(t, e)
		profileB, _ := e.Service.Public(ctx, b.ID)

		for _, tc := range []struct {
			name string
			do   func() error
		}{
			{"see B", func() error { _, err := e.Service.Institution(ctx, adminA, b.ID); return err }},
			{"list B's staff", func() error { _, err := e.Service.Staff(ctx, adminA, b.ID); return err }},
			{"read B's administrator history", func() error { _, err := e.Service.AdminHistory(ctx, adminA, b.ID); return err }},
			{"read B's activity", func() error {
				_, err := e.Service.Activity(ctx, adminA, b.ID, it.Start.AddDate(1, 0, 0), 0)
				return err
			}},
			{"invite into B", func() error {
				_, err := e.Service.InviteNotifier(ctx, adminA, b.ID, institution.NotifierForm{NUI: it.RequesterNUI, Email: "x@a.gob.ec", Position: "x"})
				return err
			}},
			{"deactivate B's notifier through B", func() error {
				return e.Service.DeactivateNotifier(ctx, adminA, b.ID, notifierB.ID, "porque sí")
			}},
			{"change B's profile", func() error {
				return e.Service.UpdateProfile(ctx, adminA, b.ID, institution.ProfileForm{Address: "Otra", Phone: "02 222 2222", Email: "x@a.gob.ec"})
			}},
			{"change B's logo", func() error { return e.Service.SetLogo(ctx, adminA, b.ID, it.Upload("l.png", it.PNG())) }},
			{"remove B's logo", func() error { return e.Service.RemoveLogo(ctx, adminA, b.ID) }},
			{"send for B", func() error { _, err := e.Service.Sender(ctx, adminA, b.ID); return err }},
			{"use MINTEL's console", func() error { _, err := e.Service.Institutions(ctx, adminA, institution.Filter{}); return err }},
			{"suspend B", func() error { return e.Service.Suspend(ctx, adminA, b.ID, "x") }},
		} {
			err := tc.do()
			if !errors.Is(err, institution.ErrForbidden) && !errors.Is(err, institution.ErrNotNotifier) {
				t.Errorf("A's administrator could %s: %v", tc.name, err)
			}
		}
		// B's appointment named through A's institution looks missing.
		if err := e.Service.DeactivateNotifier(ctx, adminA, a.ID, notifierB.ID, "porque sí"); !errors.Is(err, institution.ErrNotFound) {
			t.Errorf("deactivating B's notifier through A = %v, want ErrNotFound", err)
		}
		if after := count(t, e); after != before {
			t.Errorf("refused actions changed the store: %+v → %+v", before, after)
		}
		if got, _ := e.Service.Public(ctx, b.ID); !cmp.Equal(got, profileB) {
			t.Errorf("B changed: %+v → %+v", profileB, got)
		}
		staffB, _ := e.Service.Staff(ctx, adminB, b.ID)
		for _, m := range staffB {
			if !m.Current() {
				t.Errorf("B's staff member %s was ended", m.NUI)
			}
		}
		// A's own administrator sees only A's staff.
		staffA, err := e.Service.Staff(ctx, adminA, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range staffA {
			if m.InstitutionID != a.ID {
				t.Errorf("A's staff list shows %+v", m)
			}
		}
	})
}

func TestNotifiersInviteAndDeactivate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		a, _, adminA, _ := twoInstitutions(t, e)

		// Bad input is refused next to the field and changes nothing.
		before := count(t, e)
		for _, tc := range []struct {
			form  institution.NotifierForm
			field string
			code  string
		}{
			{institution.NotifierForm{NUI: "1714307104", Email: "j@a.gob.ec", Position: "Analista"}, "nui", "nui.check_digit"},
			{institution.NotifierForm{NUI: it.UnknownNUI, Email: "j@a.gob.ec", Position: "Analista"}, "nui", "eligibility.not_in_registry"},
			{institution.NotifierForm{NUI: it.NotifierNUI, Email: "j@", Position: "Analista"}, "email", "identity.email_invalid"},
			{institution.NotifierForm{NUI: it.NotifierNUI, Email: "j@a.gob.ec"}, "position", "institution.required"},
		} {
			_, err := e.Service.InviteNotifier(ctx, adminA, a.ID, tc.form)
			var inv *institution.Invalid
			if !errors.As(err, &inv) || inv.Fields()[tc.field] == nil || inv.Fields()[tc.field].(institution.Coded).Code() != tc.code {
				t.Errorf("InviteNotifier(%+v) = %v, want %s on %s", tc.form, err, tc.code, tc.field)
			}
		}
		if after := count(t, e); after != before {
			t.Errorf("refused invitations changed the store: %+v → %+v", before, after)
		}

		m, err := e.Service.InviteNotifier(ctx, adminA, a.ID, institution.NotifierForm{NUI: it.NotifierNUI, Email: "jorge@a.gob.ec", Position: "Analista"})
		if err != nil {
			t.Fatal(err)
		}
		if m.NUI != it.NotifierNUI || m.FullName != "Jorge Andrade Loor" || !m.Current() {
			t.Errorf("appointment = %+v", m)
		}
		invite := mailTo(t, db, "jorge@a.gob.ec")
		if !strings.Contains(invite.Text, "/activar/") || !strings.Contains(invite.Text, "Institución A") {
			t.Errorf("invitation:\n%s", invite.Text)
		}
		_, err = e.Service.InviteNotifier(ctx, adminA, a.ID, institution.NotifierForm{NUI: it.NotifierNUI, Email: "jorge@a.gob.ec", Position: "Analista"})
		var inv *institution.Invalid
		if !errors.As(err, &inv) || !errors.Is(inv.Fields()["nui"], institution.ErrStaffHeld) {
			t.Errorf("inviting twice = %v", err)
		}
		notifier := e.Principal(t, m.AccountID)
		if inst, err := e.Service.Sender(ctx, notifier, a.ID); err != nil || inst.ID != a.ID {
			t.Errorf("notifier's Sender = %v, %v", inst, err)
		}
		if got := institution.NotifierInstitutions(notifier); !cmp.Equal(got, []string{a.ID}) {
			t.Errorf("NotifierInstitutions = %v", got)
		}

		if err := e.Service.DeactivateNotifier(ctx, adminA, a.ID, m.ID, ""); !errors.Is(err, institution.ErrReasonRequired) {
			t.Errorf("deactivating without a reason = %v", err)
		}
		if err := e.Service.DeactivateNotifier(ctx, adminA, a.ID, m.ID, "Dejó la institución."); err != nil {
			t.Fatal(err)
		}
		notifier = e.Principal(t, m.AccountID)
		if _, err := e.Service.Sender(ctx, notifier, a.ID); !errors.Is(err, institution.ErrNotNotifier) {
			t.Errorf("a deactivated notifier may still send: %v", err)
		}
		if err := e.Service.DeactivateNotifier(ctx, adminA, a.ID, m.ID, "otra vez"); !errors.Is(err, institution.ErrStaffEnded) {
			t.Errorf("deactivating twice = %v", err)
		}
		activity, err := e.Service.Activity(ctx, adminA, a.ID, it.Start.AddDate(1, 0, 0), 0)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range activity {
			actions = append(actions, a.Action)
		}
		for _, want := range []string{institution.ActionEndNotifier, identity.ActionRevokeRole, institution.ActionInviteNotifier, identity.ActionGrantRole} {
			if !strings.Contains(strings.Join(actions, " "), want) {
				t.Errorf("activity lacks %s: %v", want, actions)
			}
		}
	})
}

func TestSuspensionStopsSendingAtOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		mintel := e.MINTEL(t)
		a, _, adminA, _ := twoInstitutions(t, e)
		m, err := e.Service.InviteNotifier(ctx, adminA, a.ID, institution.NotifierForm{NUI: it.NotifierNUI, Email: "jorge@a.gob.ec", Position: "Analista"})
		if err != nil {
			t.Fatal(err)
		}
		notifier := e.Principal(t, m.AccountID)
		if err := e.Service.MaySend(ctx, a.ID); err != nil {
			t.Fatalf("active institution may not send: %v", err)
		}
		if err := e.Service.Suspend(ctx, mintel, a.ID, ""); !errors.Is(err, institution.ErrReasonRequired) {
			t.Errorf("suspending without a reason = %v", err)
		}
		if err := e.Service.Suspend(ctx, mintel, a.ID, "Uso indebido reportado."); err != nil {
			t.Fatal(err)
		}
		if err := e.Service.MaySend(ctx, a.ID); !errors.Is(err, institution.ErrSuspended) {
			t.Errorf("MaySend of a suspended institution = %v", err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error { return institution.MaySendTx(ctx, tx, a.ID) })
		if !errors.Is(err, institution.ErrSuspended) {
			t.Errorf("MaySendTx of a suspended institution = %v", err)
		}
		if _, err := e.Service.Sender(ctx, notifier, a.ID); !errors.Is(err, institution.ErrSuspended) {
			t.Errorf("Sender of a suspended institution = %v", err)
		}
		// Its staff still work in the console, but name no new notifiers.
		if _, err := e.Service.Institution(ctx, notifier, a.ID); err != nil {
			t.Errorf("a suspended institution's notifier cannot see it: %v", err)
		}
		if _, err := e.Service.InviteNotifier(ctx, adminA, a.ID, institution.NotifierForm{NUI: it.RequesterNUI, Email: "x@a.gob.ec", Position: "x"}); !errors.Is(err, institution.ErrSuspended) {
			t.Errorf("inviting while suspended = %v", err)
		}
		if err := e.Service.Suspend(ctx, mintel, a.ID, "otra vez"); !errors.Is(err, institution.ErrAlreadySuspended) {
			t.Errorf("suspending twice = %v", err)
		}
		if err := e.Service.Reactivate(ctx, mintel, a.ID, "Aclarado."); err != nil {
			t.Fatal(err)
		}
		if err := e.Service.MaySend(ctx, a.ID); err != nil {
			t.Errorf("reactivated institution may not send: %v", err)
		}
		// MINTEL staff are not notifiers.
		if _, err := e.Service.Sender(ctx, mintel, a.ID); !errors.Is(err, institution.ErrNotNotifier) {
			t.Errorf("MINTEL's Sender = %v", err)
		}
		if err := e.Service.MaySend(ctx, "not-an-id"); !errors.Is(err, institution.ErrNotFound) {
			t.Errorf("MaySend of garbage = %v", err)
		}
	})
}

func TestMINTELChangesModalityAndQuota(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		mintel := e.MINTEL(t)
		a, _, _, _ := twoInstitutions(t, e)
		var inv *institution.Invalid
		if err := e.Service.SetModality(ctx, mintel, a.ID, "interconexion", ""); !errors.As(err, &inv) || !errors.Is(inv.Fields()["reason"], institution.ErrReasonRequired) {
			t.Errorf("modality without reason = %v", err)
		}
		if err := e.Service.SetModality(ctx, mintel, a.ID, "plataforma", "x"); !errors.As(err, &inv) || !errors.Is(inv.Fields()["modality"], institution.ErrModalityUnchanged) {
			t.Errorf("same modality = %v", err)
		}
		if err := e.Service.SetModality(ctx, mintel, a.ID, "interconexion", "Tiene su propio sistema."); err != nil {
			t.Fatal(err)
		}
		if err := e.Service.SetQuota(ctx, mintel, a.ID, "diez", ""); !errors.As(err, &inv) || !errors.Is(inv.Fields()["quota"], institution.ErrQuotaInvalid) {
			t.Errorf("bad quota = %v", err)
		}
		if err := e.Service.SetQuota(ctx, mintel, a.ID, "12.500", ""); err != nil {
			t.Fatal(err)
		}
		got, err := e.Service.Institution(ctx, mintel, a.ID)
		if err != nil || got.Modality != institution.ModalityInterconnection || got.DailyQuota != 12500 {
			t.Errorf("after changes: %+v, %v", got, err)
		}
		list, err := e.Service.Institutions(ctx, mintel, institution.Filter{Modality: institution.ModalityInterconnection})
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Errorf("filtered list = %v, %v", list, err)
		}
		audits, _ := db.Reader().AuditEntries(ctx, store.AuditFilter{InstitutionID: a.ID, Action: institution.ActionSetModality})
		if len(audits) != 1 || audits[0].Reason != "Tiene su propio sistema." || !strings.Contains(audits[0].Detail, "plataforma → interconexion") {
			t.Errorf("modality audit = %+v", audits)
		}
	})
}

func TestProfileAndLogo(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		a, _, adminA, _ := twoInstitutions(t, e)
		var inv *institution.Invalid
		err := e.Service.UpdateProfile(ctx, adminA, a.ID, institution.ProfileForm{Address: "", Phone: "abc", Email: "x"})
		if !errors.As(err, &inv) || len(inv.Fields()) != 3 {
			t.Errorf("bad profile = %v", err)
		}
		err = e.Service.UpdateProfile(ctx, adminA, a.ID, institution.ProfileForm{Address: "Av. 10 de Agosto, Quito",
			Phone: "+593 2 222 2222", Email: "info@a.gob.ec", Website: "www.a.gob.ec", OfficeHours: "lunes a viernes, 08:00 a 17:00"})
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			u    institution.Upload
			code string
		}{
			{it.Upload("logo.png", it.PDF()), "institution.logo_invalid"},
			{it.Upload("logo.png", []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")), "institution.logo_invalid"},
			{it.Upload("logo.png", append(it.PNG(), make([]byte, 16<<10)...)), "institution.logo_too_large"},
		} {
			if err := e.Service.SetLogo(ctx, adminA, a.ID, bad.u); !errors.As(err, &inv) || inv.Errors[0].(institution.Coded).Code() != bad.code {
				t.Errorf("logo %q = %v, want %s", bad.u.Name, err, bad.code)
			}
		}
		if err := e.Service.SetLogo(ctx, adminA, a.ID, it.Upload("logo.png", it.PNG())); err != nil {
			t.Fatal(err)
		}
		pub, err := e.Service.Public(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := institution.Profile{Address: "Av. 10 de Agosto, Quito", Phone: "+593 2 222 2222", Email: "info@a.gob.ec",
			Website: "https://www.a.gob.ec", OfficeHours: "lunes a viernes, 08:00 a 17:00", LogoSum: pub.Profile.LogoSum}
		if diff := cmp.Diff(want, pub.Profile); diff != "" || len(pub.Profile.LogoSum) != 64 {
			t.Errorf("profile (-want +got):\n%s", diff)
		}
		logo, err := e.Service.Logo(ctx, a.ID)
		if err != nil || logo.ContentType != "image/png" || string(logo.Content) != string(it.PNG()) {
			t.Errorf("logo = %v, %v", logo, err)
		}
		if err := e.Service.RemoveLogo(ctx, adminA, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Service.Logo(ctx, a.ID); !errors.Is(err, institution.ErrNotFound) {
			t.Errorf("logo after removal = %v", err)
		}
	})
}

func TestParseQuota(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"5000", 5000, true}, {" 5 000 ", 5000, true}, {"5.000", 5000, true}, {"1,000,000", 1000000, true}, {"0", 0, true},
		{"10000000", 10000000, true}, {"10000001", 0, false}, {"-1", 0, false}, {"", 0, false}, {"1e3", 0, false},
		{"9999999999", 0, false}, {"٣", 0, false},
	} {
		got, err := institution.ParseQuota(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseQuota(%q) = %d, %v", tc.in, got, err)
		}
	}
}

func FuzzParseQuota(f *testing.F) {
	for _, s := range []string{"5000", "5 000", "1.000.000", "-3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := institution.ParseQuota(s)
		if err == nil && (n < 0 || n > institution.MaxDailyQuota) {
			t.Errorf("ParseQuota(%q) = %d, out of bounds", s, n)
		}
	})
}

func TestResendInvitation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		mintel := e.MINTEL(t)
		a := e.Activate(t, mintel, "Institución A", "1760000070001", it.AdminNUI)
		b := e.Activate(t, mintel, "Institución B", "1760000150001", it.NewAdminNUI)
		history, _ := e.Service.AdminHistory(ctx, mintel, a.ID)
		if len(history) != 1 || !history[0].Pending {
			t.Fatalf("a new administrator is not pending: %+v", history)
		}
		count := func(to string) int {
			n := 0
			for _, m := range mails(t, db) {
				if m.To == to && strings.Contains(m.Text, "/activar/") {
					n++
				}
			}
			return n
		}
		// MINTEL resends the administrator's invitation; the administrator cannot.
		sent := count("luis.mora@pruebas.gob.ec")
		if err := e.Service.ResendInvitation(ctx, mintel, a.ID, history[0].ID); err != nil {
			t.Fatal(err)
		}
		if n := count("luis.mora@pruebas.gob.ec"); n != sent+1 {
			t.Errorf("%d invitations to the administrator, want %d", n, sent+1)
		}
		adminA := e.Staff(t, it.AdminNUI) // activates him
		if err := e.Service.ResendInvitation(ctx, mintel, a.ID, history[0].ID); !errors.Is(err, institution.ErrAlreadyActivated) {
			t.Errorf("resending to an active account = %v", err)
		}
		if err := e.Service.ResendInvitation(ctx, adminA, a.ID, history[0].ID); !errors.Is(err, institution.ErrForbidden) {
			t.Errorf("an administrator resending his own invitation = %v", err)
		}
		m, err := e.Service.InviteNotifier(ctx, adminA, a.ID, institution.NotifierForm{NUI: it.NotifierNUI, Email: "jorge@a.gob.ec", Position: "Analista"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Service.ResendInvitation(ctx, adminA, a.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		if n := count("jorge@a.gob.ec"); n != 2 {
			t.Errorf("%d invitations to the notifier, want 2", n)
		}
		adminB := e.Staff(t, it.NewAdminNUI)
		if err := e.Service.ResendInvitation(ctx, adminB, b.ID, m.ID); !errors.Is(err, institution.ErrNotFound) {
			t.Errorf("B's administrator resending A's invitation through B = %v", err)
		}
		if err := e.Service.ResendInvitation(ctx, adminB, a.ID, m.ID); !errors.Is(err, institution.ErrForbidden) {
			t.Errorf("B's administrator resending A's invitation = %v", err)
		}
	})
}

func TestApprovalRefusesASuspendedAccount(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		mintel := e.MINTEL(t)
		p := e.Staff(t, it.AdminNUI, identity.Grant{Role: identity.RoleCitizen})
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.SetIdentityState(ctx, p.ID, "suspendida", "prueba", it.Start) }); err != nil {
			t.Fatal(err)
		}
		req, err := e.Service.Submit(ctx, it.ActivationForm())
		if err != nil {
			t.Fatal(err)
		}
		before := count(t, e)
		if _, err := e.Service.Decide(ctx, mintel, req.ID, institution.Decision{Approve: true, Reason: "Completo."}); !errors.Is(err, institution.ErrAccountUnavailable) {
			t.Fatalf("approving with a suspended administrator = %v", err)
		}
		if after := count(t, e); after != before {
			t.Errorf("the refused approval changed the store: %+v → %+v", before, after)
		}
		if _, err := db.Reader().InstitutionByRUC(ctx, "1760000070001"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the refused approval created the institution: %v", err)
		}
	})
}
