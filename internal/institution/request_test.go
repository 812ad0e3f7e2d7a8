package institution_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/institution"
	it "buzon/internal/institution/institutiontest"
	"buzon/internal/jobs"
	"buzon/internal/mail"
	"buzon/internal/store"
	"buzon/internal/store/storetest"
)

// mails returns the queued emails, oldest first.
func mails(t *testing.T, db *store.DB) []mail.Message {
	t.Helper()
	js, err := db.Reader().JobsByKind(context.Background(), "mail", 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]mail.Message, len(js))
	for i := range js {
		if err := jobs.Decode(&js[len(js)-1-i], &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// mailTo returns the last queued email to an address.
func mailTo(t *testing.T, db *store.DB, to string) *mail.Message {
	t.Helper()
	ms := mails(t, db)
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].To == to {
			return &ms[i]
		}
	}
	t.Fatalf("no email to %s among %d", to, len(ms))
	return nil
}

// counts is how many rows the request tables, the jobs and the blob store hold.
type counts struct{ requests, docs, mails, blobs int }

func count(t *testing.T, e *it.Env) counts {
	t.Helper()
	ctx := context.Background()
	rs, err := e.DB.Reader().ListInstitutionRequests(ctx, store.InstitutionRequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	c := counts{requests: len(rs), mails: len(mails(t, e.DB))}
	for _, r := range rs {
		ds, err := e.DB.Reader().InstitutionDocumentsOf(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		c.docs += len(ds)
	}
	filepath.WalkDir(e.BlobDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			c.blobs++
		}
		return nil
	})
	return c
}

func TestSubmitActivationRequest(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		f := it.ActivationForm()
		f.Name = "  Ministerio   de Pruebas "
		req, err := e.Service.Submit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := institution.ParseTracking(req.Tracking); err != nil || !strings.HasPrefix(req.Tracking, "SOL-2026-") {
			t.Errorf("tracking number %q", req.Tracking)
		}
		if req.Name != "Ministerio de Pruebas" || req.Flagged() || req.State != institution.RequestPending {
			t.Errorf("request = %+v", req)
		}
		if got := count(t, e); got != (counts{requests: 1, docs: 2, mails: 1, blobs: 2}) {
			t.Errorf("stored %+v", got)
		}
		// The documents are encrypted at rest.
		filepath.WalkDir(e.BlobDir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(path)
				if bytes.Contains(b, []byte("%PDF")) || bytes.Contains(b, []byte("Catalog")) {
					t.Errorf("%s holds the document in clear", path)
				}
			}
			return nil
		})
		m := mailTo(t, db, "ministra@pruebas.gob.ec")
		if !strings.Contains(m.Text, req.Tracking) || !strings.Contains(m.Subject, "Ministerio de Pruebas") {
			t.Errorf("acknowledgement:\n%s\n%s", m.Subject, m.Text)
		}
		st, err := e.Service.Status(ctx, strings.ToLower(req.Tracking))
		if err != nil {
			t.Fatal(err)
		}
		want := &institution.Status{Tracking: req.Tracking, Kind: institution.KindActivation, State: institution.RequestPending,
			Institution: "Ministerio de Pruebas", SubmittedAt: it.Start}
		if diff := cmp.Diff(want, st); diff != "" {
			t.Errorf("status (-want +got):\n%s", diff)
		}
		if _, err := e.Service.Status(ctx, "SOL-2026-ZZZZZZZZ"); !errors.Is(err, institution.ErrTrackingNotFound) {
			t.Errorf("unknown tracking number = %v", err)
		}
	})
}

func TestSubmitFlagsANonPublicRUC(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		f := it.ActivationForm()
		f.RUC = "1790011224001" // a company's
		req, err := e.Service.Submit(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if !req.Flagged() || req.RUCKind != "company" {
			t.Errorf("request of a company RUC: flagged %v, kind %q", req.Flagged(), req.RUCKind)
		}
		rs, err := e.Service.Requests(context.Background(), e.MINTEL(t), institution.RequestFilter{Flagged: true})
		if err != nil || len(rs) != 1 {
			t.Errorf("flagged queue = %v, %v", rs, err)
		}
	})
}

func TestSubmitRefusesBadInputAndStoresNothing(t *testing.T) {
	big := append(it.PDF(), bytes.Repeat([]byte{' '}, 64<<10)...)
	for _, tc := range []struct {
		name   string
		change func(f *institution.ActivationForm)
		fields map[string]string // field → code
	}{
		{"invalid RUC", func(f *institution.ActivationForm) { f.RUC = "1760000000001" },
			map[string]string{"ruc": "ruc.check_digit"}},
		{"RUC with letters", func(f *institution.ActivationForm) { f.RUC = "17600000A0001" },
			map[string]string{"ruc": "ruc.not_digits"}},
		{"invalid cédulas", func(f *institution.ActivationForm) { f.RequesterNUI, f.Admin.NUI = "1714307104", "2500000001" },
			map[string]string{"requester_nui": "nui.check_digit", "admin_nui": "nui.province"}},
		{"administrator not in the registry", func(f *institution.ActivationForm) { f.Admin.NUI = it.UnknownNUI },
			map[string]string{"admin_nui": "eligibility.not_in_registry"}},
		{"missing documents", func(f *institution.ActivationForm) {
			f.Letter, f.Delegation = institution.Upload{}, institution.Upload{}
		},
			map[string]string{"letter": "institution.document_missing", "delegation": "institution.document_missing"}},
		{"a PNG renamed .pdf", func(f *institution.ActivationForm) { f.Letter = it.Upload("oficio.pdf", it.PNG()) },
			map[string]string{"letter": "institution.document_not_pdf"}},
		{"text renamed .pdf", func(f *institution.ActivationForm) {
			f.Delegation = it.Upload("delegacion.pdf", []byte("Delego a Luis Mora como administrador."))
		}, map[string]string{"delegation": "institution.document_not_pdf"}},
		{"a truncated PDF", func(f *institution.ActivationForm) { f.Letter = it.Upload("oficio.pdf", it.PDF()[:40]) },
			map[string]string{"letter": "institution.document_not_pdf"}},
		{"oversize file", func(f *institution.ActivationForm) { f.Letter = it.Upload("oficio.pdf", big) },
			map[string]string{"letter": "institution.document_too_large"}},
		{"empty fields", func(f *institution.ActivationForm) { f.Name, f.Address, f.Admin.Position = " ", "", "\t" },
			map[string]string{"name": "institution.required", "address": "institution.required", "admin_position": "institution.required"}},
		{"unknown sector and modality", func(f *institution.ActivationForm) { f.Sector, f.Modality = "privado", "fax" },
			map[string]string{"sector": "institution.sector_unknown", "modality": "institution.modality_unknown"}},
		{"bad emails, phone and website", func(f *institution.ActivationForm) {
			f.RequesterEmail, f.Admin.Phone, f.Website, f.ContactEmail = "ministra@", "12", "javascript:alert(1)", ""
		}, map[string]string{"requester_email": "identity.email_invalid", "admin_phone": "institution.phone_invalid",
			"website": "institution.website_invalid", "contact_email": "identity.email_empty"}},
		{"control characters", func(f *institution.ActivationForm) { f.Acronym = "MI\u202ePRU" },
			map[string]string{"acronym": "institution.control_chars"}},
		{"too long", func(f *institution.ActivationForm) { f.Acronym = strings.Repeat("A", 21) },
			map[string]string{"acronym": "institution.too_long"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := it.New(t, db)
				f := it.ActivationForm()
				tc.change(&f)
				_, err := e.Service.Submit(context.Background(), f)
				var inv *institution.Invalid
				if !errors.As(err, &inv) {
					t.Fatalf("Submit = %v, want *Invalid", err)
				}
				got := map[string]string{}
				for field, e := range inv.Fields() {
					got[field] = e.(institution.Coded).Code()
					if e.(institution.Coded).English() == "" || !strings.HasSuffix(e.Error(), ".") {
						t.Errorf("%s: %q is not a sentence with an English twin", field, e.Error())
					}
				}
				if diff := cmp.Diff(tc.fields, got); diff != "" {
					t.Errorf("refusals by field (-want +got):\n%s", diff)
				}
				if c := count(t, e); c != (counts{}) {
					t.Errorf("a refused request stored %+v", c)
				}
			})
		})
	}
}

func TestSubmitRefusesASecondRequestForOneRUC(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := it.New(t, db)
		ctx := context.Background()
		if _, err := e.Service.Submit(ctx, it.ActivationForm()); err != nil {
			t.Fatal(err)
		}
		before := count(t, e)
		_, err := e.Service.Submit(ctx, it.ActivationForm())
		var inv *institution.Invalid
		if !errors.As(err, &inv) || !errors.Is(inv.Fields()["ruc"], institution.ErrRUCRequested) {
			t.Fatalf("duplicate pending request = %v", err)
		}
		if after := count(t, e); after != before {
			t.Errorf("refused duplicate changed the store: %+v → %+v", before, after)
		}
		// Once active, the RUC is refused with its own message.
		mintel := e.MINTEL(t)
		rs, _ := e.Service.Requests(ctx, mintel, institution.RequestFilter{})
		if _, err := e.Service.Decide(ctx, mintel, rs[0].ID, institution.Decision{Approve: true, Reason: "Completo."}); err != nil {
			t.Fatal(err)
		}
		_, err = e.Service.Submit(ctx, it.ActivationForm())
		if !errors.As(err, &inv) || !errors.Is(inv.Fields()["ruc"], institution.ErrRUCActive) {
			t.Errorf("request for an active institution = %v", err)
		}
	})
}

func TestParseTracking(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SOL-2026-7KQ4M9XA", "SOL-2026-7KQ4M9XA"},
		{" sol-2026-7kq4m9xa ", "SOL-2026-7KQ4M9XA"},
		{"SOL-2026-7KQ4M9XO", "SOL-2026-7KQ4M9X0"},
		{"SOL-2026-IL000000", "SOL-2026-11000000"},
		{"SOL 2026-7KQ4M9XA", ""}, // a space inside is removed: SOL2026-… has two parts
		{"SOL-2026-7KQ4M9X", ""},
		{"SOL-2026-7KQ4M9XU", ""},
		{"SOL-20A6-7KQ4M9XA", ""},
		{"", ""},
	} {
		got, err := institution.ParseTracking(tc.in)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("ParseTracking(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseTracking(f *testing.F) {
	for _, s := range []string{"SOL-2026-7KQ4M9XA", "sol-2026-oooooooo", "SOL--", "SOL-2026-7KQ4M9XÁ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := institution.ParseTracking(s)
		if err != nil {
			return
		}
		again, err := institution.ParseTracking(got)
		if err != nil || again != got {
			t.Errorf("ParseTracking(%q) = %q, which parses to %q, %v", s, got, again, err)
		}
	})
}
