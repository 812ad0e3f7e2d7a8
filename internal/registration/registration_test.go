package registration_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/eligibility"
	"buzon/internal/esign"
	"buzon/internal/esign/esigntest"
	"buzon/internal/identity"
	"buzon/internal/nui"
	"buzon/internal/registration"
	"buzon/internal/registration/registrationtest"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// TestVirtualRegistration is the whole channel: N.U.I. and email, the code,
// the document, signed with FirmaEC-like PAdES (pdfsign) by the holder's
// certificate, verified, the password, an active account and its evidence.
func TestVirtualRegistration(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ref := e.start(mariaNUI, "  maria.guaman@EXAMPLE.com ")
		a, err := e.svc.Application(e.ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if a.State != registration.StateEmailPending || a.Email != mariaEmail || a.GivenNames != "" || a.FullName() != "" {
			t.Errorf("new application: state %s email %q names %q (names must stay hidden until the email is confirmed)",
				a.State, a.Email, a.FullName())
		}
		if !a.ExpiresAt.Equal(start.Add(registration.DefaultLifetime)) {
			t.Errorf("expires at %v, want 7 days after the start", a.ExpiresAt)
		}
		if _, _, err := e.svc.IssuedDocument(e.ctx, ref); !errors.Is(err, registration.ErrWrongStep) {
			t.Errorf("document before the code: %v, want ErrWrongStep", err)
		}

		e.clock.Advance(5 * time.Minute)
		if err := e.svc.ConfirmEmail(e.ctx, ref, registrationtest.LastCode(t, db, mariaEmail)); err != nil {
			t.Fatal(err)
		}
		a, _ = e.svc.Application(e.ctx, ref)
		if a.State != registration.StateAwaitingSignature || a.FullName() != "María José Guamán Ortiz" || len(a.Code) != registration.CodeLength {
			t.Errorf("after the code: state %s name %q code %q", a.State, a.FullName(), a.Code)
		}
		doc := e.document(ref)
		if !bytes.Contains(doc, []byte("/Keywords (BUZON-REG:"+a.Code+")")) || int64(len(doc)) != a.DocumentSize {
			t.Errorf("the issued document lacks its code or its size (%d) differs from the record (%d)", len(doc), a.DocumentSize)
		}

		e.clock.Advance(time.Hour)
		signed := esigntest.SignPDFSign(t, doc, e.signer(mariaNUI, esigntest.ProfileBancoCentral), esigntest.PDFSignOptions{})
		res, err := e.svc.Submit(e.ctx, ref, signed, e.client)
		if err != nil {
			t.Fatalf("submit: %v", err)
		}
		if !res.NeedsPassword || res.Report.Cedula != mariaNUI || res.Report.Revocation != esign.RevocationGood {
			t.Errorf("result: needs password %v, cédula %q, revocation %q", res.NeedsPassword, res.Report.Cedula, res.Report.Revocation)
		}
		acc, err := db.Reader().IdentityByNUI(e.ctx, mariaNUI)
		if err != nil {
			t.Fatal(err)
		}
		if acc.State != string(identity.StatePending) || acc.Channel != string(identity.ChannelVirtual) || acc.Email != mariaEmail {
			t.Errorf("account after verification: state %s channel %s email %s", acc.State, acc.Channel, acc.Email)
		}
		if _, err := e.svc.Submit(e.ctx, ref, signed, e.client); !errors.Is(err, registration.ErrWrongStep) {
			t.Errorf("a second upload: %v, want ErrWrongStep", err)
		}

		// A weak password changes nothing; a good one activates.
		if _, err := e.svc.SetPassword(e.ctx, ref, "corta", "corta"); !errors.Is(err, identity.ErrPasswordTooShort) {
			t.Errorf("short password: %v", err)
		}
		if got := e.state(ref); got != registration.StateVerified {
			t.Errorf("state after a refused password = %s", got)
		}
		if _, err := e.svc.SetPassword(e.ctx, ref, goodPassword, goodPassword); err != nil {
			t.Fatal(err)
		}
		acc, _ = db.Reader().IdentityByNUI(e.ctx, mariaNUI)
		if acc.State != string(identity.StateActive) {
			t.Errorf("account state = %s, want active", acc.State)
		}
		if got := e.state(ref); got != registration.StateActivated {
			t.Errorf("application state = %s, want activada", got)
		}
		if _, err := e.svc.SetPassword(e.ctx, ref, goodPassword, goodPassword); !errors.Is(err, registration.ErrWrongStep) {
			t.Errorf("password twice: %v, want ErrWrongStep", err)
		}
		if _, err := e.ids.CheckPassword(e.ctx, mariaNUI, goodPassword, e.client); err != nil {
			t.Errorf("the citizen cannot sign in: %v", err)
		}

		// The evidence, for the citizen and for DIGERCIC (audited).
		p := &identity.Principal{Account: identity.Account{ID: acc.ID, NUI: mariaNUI}, Roles: []identity.Grant{{Role: identity.RoleCitizen}}}
		ev, err := e.svc.OwnEvidence(e.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Accepted == nil || ev.Certificate == nil || ev.Accepted.Report == nil || len(ev.Application.Attempts) != 1 {
			t.Fatalf("evidence incomplete: %+v", ev)
		}
		if ev.Accepted.Report.Cedula != mariaNUI || ev.Accepted.FileSHA256 != ev.Accepted.Report.FileSHA256 {
			t.Errorf("accepted attempt: %+v", ev.Accepted)
		}
		if !bytes.Contains(ev.CertificatePEM(), []byte("BEGIN CERTIFICATE")) {
			t.Error("no PEM certificate")
		}
		rc, err := e.svc.OpenSigned(e.ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		var kept bytes.Buffer
		kept.ReadFrom(rc)
		rc.Close()
		if !bytes.Equal(kept.Bytes(), signed) {
			t.Error("the kept signed PDF differs from the upload")
		}
		op := e.operator()
		if _, err := e.svc.CitizenEvidence(e.ctx, p, mariaNUI, "evidencia"); !errors.Is(err, identity.ErrForbidden) {
			t.Errorf("a citizen reading the console's evidence: %v, want ErrForbidden", err)
		}
		ev2, err := e.svc.CitizenEvidence(e.ctx, op, mariaNUI, "evidencia de registro")
		if err != nil {
			t.Fatal(err)
		}
		if ev2.Application.ID != ev.Application.ID {
			t.Error("DIGERCIC sees another application")
		}
		entries, err := db.Reader().AuditEntries(e.ctx, store.AuditFilter{SubjectNUI: mariaNUI, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, en := range entries {
			actions = append(actions, en.Action)
		}
		if !strings.Contains(strings.Join(actions, " "), registration.ActionEvidenceView) ||
			!strings.Contains(strings.Join(actions, " "), identity.ActionRegisterVirtual) {
			t.Errorf("audit actions = %v, want the virtual registration and the evidence view", actions)
		}
		if _, err := e.svc.CitizenEvidence(e.ctx, op, operatorNUI, "evidencia"); !errors.Is(err, registration.ErrNoEvidence) {
			t.Errorf("evidence of an account made another way: %v, want ErrNoEvidence", err)
		}
	})
}

// TestRefusals sends, through the service, each kind of bad upload the
// issue names, and checks that the citizen gets its own message, that the
// attempt is stored with its report, and that nothing is activated.
func TestRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ref, doc := e.issued(mariaNUI, mariaEmail)
		_, luisDoc := e.issued(luisNUI, luisEmail)
		e.clock.Advance(time.Hour)
		maria := e.signer(mariaNUI, esigntest.ProfileSecurityData)
		good := esigntest.SignIncremental(t, doc, maria, esigntest.IncrementalOptions{SigningTime: e.clock.Now()})

		other := esigntest.NewCA(t, "CA no acreditada", start)
		expired := e.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: mariaNUI,
			NotBefore: start.AddDate(-2, 0, 0), NotAfter: start.AddDate(0, 0, -1), CRLURL: e.resp.CRLURL, OCSPURL: e.resp.OCSPURL})
		revokedCRL := e.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileUanataca, Cedula: mariaNUI, CRLURL: e.resp.CRLURL})
		revokedOCSP := e.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: mariaNUI, OCSPURL: e.resp.OCSPURL})
		e.resp.Revoke(revokedCRL.Cert.SerialNumber, start)
		e.resp.Revoke(revokedOCSP.Cert.SerialNumber, start)

		changed := bytes.Clone(good)
		changed[len(doc)/3] ^= 0x01 // inside the signed bytes, away from the marker
		sign := func(s *esigntest.Signer, d []byte) []byte {
			return esigntest.SignIncremental(t, d, s, esigntest.IncrementalOptions{SigningTime: e.clock.Now()})
		}
		cases := []struct {
			name string
			pdf  []byte
			want *esign.Error
			step string
		}{
			{"unsigned PDF", doc, esign.ErrUnsigned, esign.StepPDF},
			{"a byte changed after signing", changed, esign.ErrDigestMismatch, esign.StepSignature},
			{"content appended after signing", append(bytes.Clone(good), []byte("\n% añadido\n")...), esign.ErrContentAppended, esign.StepPDF},
			{"another applicant's document", sign(maria, luisDoc), esign.ErrNotIssuedDocument, esign.StepIssued},
			{"untrusted CA", sign(other.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: mariaNUI}), doc), esign.ErrUntrusted, esign.StepCertificate},
			{"expired certificate", sign(expired, doc), esign.ErrCertificateExpired, esign.StepCertificate},
			{"revoked certificate (CRL)", sign(revokedCRL, doc), esign.ErrRevoked, esign.StepRevocation},
			{"revoked certificate (OCSP)", sign(revokedOCSP, doc), esign.ErrRevoked, esign.StepRevocation},
			{"cédula mismatch", sign(e.signer(luisNUI, esigntest.ProfileBancoCentral), doc), esign.ErrCedulaMismatch, esign.StepCedula},
			{"certificate without a cédula", sign(e.signer("", esigntest.ProfileBancoCentral), doc), esign.ErrNoCedula, esign.StepCedula},
			{"not a PDF", []byte("GIF89a..."), esign.ErrNotPDF, esign.StepPDF},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.Submit(e.ctx, ref, c.pdf, e.client)
				if !errors.Is(err, c.want) {
					t.Fatalf("err = %v, want %v", err, c.want)
				}
				var ve *registration.VerificationError
				if !errors.As(err, &ve) || ve.Code() != c.want.Code || ve.Error() != c.want.ES || ve.English() != c.want.EN || ve.Step != c.step {
					t.Errorf("refusal = %#v, want code %s, step %s and esign's sentences", ve, c.want.Code, c.step)
				}
				var coded identity.Coded
				if !errors.As(err, &coded) || identity.FieldOf(err) != "document" {
					t.Errorf("the refusal is not shown next to the upload field")
				}
				a, err := e.svc.Application(e.ctx, ref)
				if err != nil {
					t.Fatal(err)
				}
				if a.State != registration.StateAwaitingSignature || len(a.Attempts) != i+1 {
					t.Fatalf("state %s with %d attempts, want por_firmar and %d", a.State, len(a.Attempts), i+1)
				}
				last := a.Attempts[i]
				if last.Accepted || last.Code != c.want.Code || last.Step != c.step || last.Report == nil || last.FileSize != int64(len(c.pdf)) {
					t.Errorf("stored attempt = %+v", last)
				}
				var rep esign.Report
				if err := json.Unmarshal(last.ReportJSON, &rep); err != nil || len(rep.Steps) == 0 || rep.Steps[len(rep.Steps)-1].Code != c.want.Code {
					t.Errorf("stored report: %v %+v", err, rep.Steps)
				}
				e.noAccount(mariaNUI)
			})
		}

		// Revocation that cannot be established is refused under the
		// required policy (the CRL fetched earlier is cached: this
		// certificate names only the OCSP responder).
		e.resp.SetDown(true, true)
		ocspOnly := e.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: mariaNUI, OCSPURL: e.resp.OCSPURL})
		if _, err := e.svc.Submit(e.ctx, ref, sign(ocspOnly, doc), e.client); !errors.Is(err, esign.ErrRevocationUnknown) {
			t.Errorf("CA down: %v, want ErrRevocationUnknown", err)
		}
		e.resp.SetDown(false, false)

		// After all that, the right document still goes through.
		if _, err := e.svc.Submit(e.ctx, ref, good, e.client); err != nil {
			t.Fatalf("the good document after the refusals: %v", err)
		}
	})
}

// TestSubmitLimits covers the checks made before the verifier runs: they
// store no attempt.
func TestSubmitLimits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ref, doc := e.issued(mariaNUI, mariaEmail)
		if _, err := e.svc.Submit(e.ctx, ref, nil, e.client); !errors.Is(err, registration.ErrFileMissing) {
			t.Errorf("empty upload: %v", err)
		}
		big := make([]byte, registration.DefaultMaxUpload+1)
		copy(big, doc)
		if _, err := e.svc.Submit(e.ctx, ref, big, e.client); !errors.Is(err, registration.ErrFileTooLarge) {
			t.Errorf("11 MB upload: %v", err)
		}
		if _, err := e.svc.Submit(e.ctx, registration.Ref{ID: ref.ID, Secret: strings.Repeat("A", 43)}, doc, e.client); !errors.Is(err, registration.ErrNotFound) {
			t.Errorf("another browser's secret: %v, want ErrNotFound", err)
		}
		a, _ := e.svc.Application(e.ctx, ref)
		if len(a.Attempts) != 0 {
			t.Errorf("%d attempts stored for refusals before verification", len(a.Attempts))
		}

		// Seven days later the application has expired.
		e.clock.Advance(registration.DefaultLifetime)
		signed := esigntest.SignPDFSign(t, doc, e.signer(mariaNUI, esigntest.ProfileIDCEC), esigntest.PDFSignOptions{})
		if _, err := e.svc.Submit(e.ctx, ref, signed, e.client); !errors.Is(err, registration.ErrExpired) {
			t.Errorf("upload after 7 days: %v, want ErrExpired", err)
		}
		a, _ = e.svc.Application(e.ctx, ref)
		if !a.Expired || len(a.Attempts) != 0 {
			t.Errorf("expired %v, attempts %d", a.Expired, len(a.Attempts))
		}
		e.noAccount(mariaNUI)
	})
}

// TestStartRefusals checks that bad input and ineligible people get their
// message and that nothing is written: no application, no email.
func TestStartRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// María registers in person first.
		if _, err := e.ids.RegisterInPerson(e.ctx, e.operator(), mariaNUI, "otra@example.com"); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, nui, email string
			want             error
		}{
			{"empty N.U.I.", "", luisEmail, nui.ErrEmpty},
			{"bad check digit", "1714307104", luisEmail, nui.ErrCheckDigit},
			{"bad email", luisNUI, "luis@", identity.ErrEmailInvalid},
			{"empty email", luisNUI, " ", identity.ErrEmailEmpty},
			{"minor", minorNUI, luisEmail, eligibility.ErrTooYoung},
			{"deceased", deceasedNUI, luisEmail, registration.ErrCannotRegister},
			{"not in the registry", unknownNUI, luisEmail, registration.ErrCannotRegister},
			{"already registered", mariaNUI, luisEmail, identity.ErrAlreadyRegistered},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.Start(e.ctx, registration.StartRequest{NUI: c.nui, Email: c.email, Client: e.client})
				if !errors.Is(err, c.want) {
					t.Errorf("err = %v, want %v", err, c.want)
				}
				if !identity.IsShown(err) {
					t.Errorf("%v is not a refusal meant for people", err)
				}
			})
		}
		byEmail, _, err := db.Reader().CountRegistrationApplications(e.ctx, luisEmail, e.client.Address, start.Add(-time.Hour))
		if err != nil || byEmail != 0 {
			t.Errorf("%d applications written by refusals (%v)", byEmail, err)
		}
		if n := registrationtest.CountMail(t, db, luisEmail); n != 0 {
			t.Errorf("%d emails queued by refusals", n)
		}

		// At most MaxApplicationsPerEmail a day with one email.
		for range registration.MaxApplicationsPerEmail {
			e.start(luisNUI, luisEmail)
		}
		if _, err := e.svc.Start(e.ctx, registration.StartRequest{NUI: luisNUI, Email: luisEmail, Client: e.client}); !errors.Is(err, registration.ErrTooManyApplications) {
			t.Errorf("one application too many: %v", err)
		}
		e.clock.Advance(25 * time.Hour)
		e.start(luisNUI, luisEmail)
	})
}

// TestEmailCode covers the confirmation code: malformed codes change
// nothing, wrong ones count and cancel, codes expire and can be resent a
// few times.
func TestEmailCode(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ref := e.start(mariaNUI, mariaEmail)
		code := registrationtest.LastCode(t, db, mariaEmail)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for _, c := range []struct {
			raw  string
			want error
		}{{"", registration.ErrCodeEmpty}, {"12345", registration.ErrCodeMalformed}, {"12a456", registration.ErrCodeMalformed}} {
			if err := e.svc.ConfirmEmail(e.ctx, ref, c.raw); !errors.Is(err, c.want) {
				t.Errorf("code %q: %v, want %v", c.raw, err, c.want)
			}
		}
		for i := 1; i < registration.MaxCodeFailures; i++ {
			if err := e.svc.ConfirmEmail(e.ctx, ref, wrong); !errors.Is(err, registration.ErrCodeWrong) {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		// A new code forgives the wrong guesses; the old code stops working.
		if err := e.svc.ResendCode(e.ctx, ref); err != nil {
			t.Fatal(err)
		}
		second := registrationtest.LastCode(t, db, mariaEmail)
		if second != code {
			if err := e.svc.ConfirmEmail(e.ctx, ref, code); !errors.Is(err, registration.ErrCodeWrong) {
				t.Errorf("the replaced code: %v, want ErrCodeWrong", err)
			}
		}
		e.clock.Advance(registration.CodeLifetime)
		if err := e.svc.ConfirmEmail(e.ctx, ref, second[:3]+" "+second[3:]); !errors.Is(err, registration.ErrCodeExpired) {
			t.Errorf("expired code: %v, want ErrCodeExpired", err)
		}
		if err := e.svc.ResendCode(e.ctx, ref); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ResendCode(e.ctx, ref); !errors.Is(err, registration.ErrTooManyCodes) {
			t.Errorf("fourth code: %v, want ErrTooManyCodes", err)
		}
		if n := registrationtest.CountMail(t, db, mariaEmail); n != registration.MaxCodesSent {
			t.Errorf("%d emails, want %d", n, registration.MaxCodesSent)
		}
		third := registrationtest.LastCode(t, db, mariaEmail)
		if err := e.svc.ConfirmEmail(e.ctx, ref, third); err != nil {
			t.Fatalf("the latest code: %v", err)
		}
		if err := e.svc.ResendCode(e.ctx, ref); !errors.Is(err, registration.ErrWrongStep) {
			t.Errorf("resend after confirming: %v, want ErrWrongStep", err)
		}

		// Too many wrong codes cancel an application.
		ref2 := e.start(luisNUI, luisEmail)
		code2 := registrationtest.LastCode(t, db, luisEmail)
		wrong = "000000"
		if code2 == wrong {
			wrong = "111111"
		}
		var err error
		for range registration.MaxCodeFailures {
			err = e.svc.ConfirmEmail(e.ctx, ref2, wrong)
		}
		if !errors.Is(err, registration.ErrTooManyCodeFailures) {
			t.Errorf("fifth wrong code: %v, want ErrTooManyCodeFailures", err)
		}
		if err := e.svc.ConfirmEmail(e.ctx, ref2, code2); !errors.Is(err, registration.ErrCancelled) {
			t.Errorf("right code after cancellation: %v, want ErrCancelled", err)
		}
		if got := e.state(ref2); got != registration.StateCancelled {
			t.Errorf("state = %s, want anulada", got)
		}
	})
}

// TestStaffBecomesCitizen: a civil servant with an active account registers
// online; he keeps his password and needs none.
func TestStaffBecomesCitizen(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		op := e.operator()
		ref, doc := e.issued(operatorNUI, "carmen.personal@example.com")
		signed := esigntest.SignPDFSign(t, doc, e.signer(operatorNUI, esigntest.ProfileIDCEC), esigntest.PDFSignOptions{})
		res, err := e.svc.Submit(e.ctx, ref, signed, e.client)
		if err != nil {
			t.Fatal(err)
		}
		if res.NeedsPassword || e.state(ref) != registration.StateActivated {
			t.Errorf("needs password %v, state %s; want an activated application without a password step", res.NeedsPassword, e.state(ref))
		}
		roles, err := db.Reader().RolesOf(e.ctx, op.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range roles {
			names = append(names, r.Role)
		}
		if diff := cmp.Diff([]string{string(identity.RoleCitizen), string(identity.RoleDIGERCIC)}, sorted(names)); diff != "" {
			t.Errorf("roles (-want +got):\n%s", diff)
		}
	})
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
