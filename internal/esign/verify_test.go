package esign_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/esign"
	"buzon/internal/esign/esigntest"
)

// now is the CA's clock; the verifier runs a few minutes later.
var now = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

const (
	nui  = "1714307103"
	code = "K7Q2M9XH4TZ8WRNB"
)

// fixture is one CA with its responder and TSA, the issued document and a
// verifier trusting the CA.
type fixture struct {
	ca   *esigntest.CA
	resp *esigntest.Responder
	tsa  *esigntest.TSA
	doc  []byte
	want esign.Expected
	v    *esign.Verifier
}

func issuedDocument(code string) []byte {
	return esigntest.NewPDF(esigntest.Document{
		Title:    "Solicitud de registro en Buzón",
		Keywords: esign.RegistrationMarker + code,
		Lines: []string{
			"SOLICITUD DE REGISTRO - CANAL VIRTUAL",
			"N.U.I.: " + nui,
			"Código de registro: " + esign.RegistrationMarker + code,
			"Acepto los términos y condiciones del Buzón.",
		},
	})
}

func expected(doc []byte, code string) esign.Expected {
	return esign.Expected{
		IssuedSHA256: sha256.Sum256(doc),
		IssuedSize:   int64(len(doc)),
		Code:         code,
		NUI:          nui,
		IssuedAt:     now.Add(-10 * time.Minute),
	}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ca := esigntest.NewCA(t, "EC Prueba", now)
	roots := x509.NewCertPool()
	roots.AddCert(ca.Root)
	doc := issuedDocument(code)
	return &fixture{
		ca:   ca,
		resp: ca.NewResponder(t),
		tsa:  ca.NewTSA(t),
		doc:  doc,
		want: expected(doc, code),
		v: &esign.Verifier{
			Roots: roots,
			Now:   func() time.Time { return now.Add(5 * time.Minute) },
		},
	}
}

// signer issues a certificate that names both revocation services.
func (f *fixture) signer(t *testing.T, o esigntest.SignerOptions) *esigntest.Signer {
	t.Helper()
	if o.Profile == 0 {
		o.Profile = esigntest.ProfileIDCEC
	}
	if o.CRLURL == "" {
		o.CRLURL = f.resp.CRLURL
	}
	if o.OCSPURL == "" {
		o.OCSPURL = f.resp.OCSPURL
	}
	return f.ca.Issue(t, o)
}

func stepNames(r *esign.Report) []string {
	var out []string
	for _, s := range r.Steps {
		name := s.Name
		if !s.OK {
			name += "!" + s.Code
		}
		out = append(out, name)
	}
	return out
}

var allSteps = []string{esign.StepPDF, esign.StepIssued, esign.StepSignature, esign.StepCertificate, esign.StepRevocation, esign.StepCedula}

func TestVerifyAcceptsEachProfile(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name       string
		sign       func(t *testing.T) []byte
		v          func(v *esign.Verifier)
		subFilter  string
		digest     string
		source     string
		cedulaFrom string
	}{
		{
			name: "Banco Central extension, pdfsign PAdES-T, ECDSA",
			sign: func(t *testing.T) []byte {
				s := f.signer(t, esigntest.SignerOptions{Profile: esigntest.ProfileBancoCentral, Cedula: nui})
				return esigntest.SignPDFSign(t, f.doc, s, esigntest.PDFSignOptions{TSA: f.tsa})
			},
			subFilter:  "adbe.pkcs7.detached",
			digest:     "SHA-256",
			source:     esign.TimeFromTimestamp,
			cedulaFrom: "extension 1.3.6.1.4.1.37947.3.1 (Banco Central del Ecuador)",
		},
		{
			name: "Security Data extension, own CAdES signer, SHA-384, signing-time, SKI, Contents first",
			sign: func(t *testing.T) []byte {
				s := f.signer(t, esigntest.SignerOptions{Profile: esigntest.ProfileSecurityData, Cedula: nui})
				return esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{
					Hash: crypto.SHA384, SigningTime: now.Add(-time.Minute), SubjectKeyID: true, ContentsFirst: true,
				})
			},
			subFilter:  "ETSI.CAdES.detached",
			digest:     "SHA-384",
			source:     esign.TimeFromSignedAttr,
			cedulaFrom: "extension 1.3.6.1.4.1.37746.3.1 (Security Data)",
		},
		{
			name: "Uanataca otherName, pdfsign certification signature, RSA, SHA-512",
			sign: func(t *testing.T) []byte {
				s := f.signer(t, esigntest.SignerOptions{Profile: esigntest.ProfileUanataca, Cedula: nui, RSA: true})
				return esigntest.SignPDFSign(t, f.doc, s, esigntest.PDFSignOptions{TSA: f.tsa, Hash: crypto.SHA512, Certification: true})
			},
			subFilter:  "adbe.pkcs7.detached",
			digest:     "SHA-512",
			source:     esign.TimeFromTimestamp,
			cedulaFrom: "subjectAltName otherName 1.3.6.1.4.1.47286.102.3.1 (Uanataca)",
		},
		{
			name: "IDCEC serialNumber, own signer, BER, time-stamp, chain from configuration",
			sign: func(t *testing.T) []byte {
				s := f.signer(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: nui})
				return esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{
					SubFilter: "adbe.pkcs7.detached", Hash: crypto.SHA512, TSA: f.tsa, BER: true, OmitChain: true,
				})
			},
			v:          func(v *esign.Verifier) { v.Intermediates = []*x509.Certificate{f.ca.Intermediate} },
			subFilter:  "adbe.pkcs7.detached",
			digest:     "SHA-512",
			source:     esign.TimeFromTimestamp,
			cedulaFrom: "subject serialNumber (2.5.4.5)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			signed := tc.sign(t)
			if !bytes.HasPrefix(signed, f.doc) {
				t.Fatal("the signer did not keep the issued document as a prefix")
			}
			v := &esign.Verifier{Roots: f.v.Roots, Now: f.v.Now}
			if tc.v != nil {
				tc.v(v)
			}
			r, err := v.Verify(context.Background(), signed, f.want)
			if err != nil {
				t.Fatalf("Verify: %v\nsteps %v\nnotes %v", err, stepNames(r), r.Notes)
			}
			got := struct {
				Steps                                                 []string
				SubFilter, Digest, Source, Cedula, From, Issued, Revo string
				SignedSize                                            int64
			}{stepNames(r), r.SubFilter, r.DigestAlgorithm, r.SigningTimeSource, r.Cedula, r.CedulaSource, r.IssuedMatch, r.Revocation, r.SignedSize}
			want := got
			want.Steps, want.SubFilter, want.Digest, want.Source = allSteps, tc.subFilter, tc.digest, tc.source
			want.Cedula, want.From, want.Issued, want.Revo, want.SignedSize = nui, tc.cedulaFrom, esign.IssuedByPrefix, esign.RevocationGood, int64(len(signed))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if tc.source == esign.TimeFromTimestamp && (r.Timestamp == nil || !r.Timestamp.Trusted || !r.SigningTime.Equal(now)) {
				t.Errorf("timestamp %+v, signing time %v; want a trusted token at %v", r.Timestamp, r.SigningTime, now)
			}
			if !bytes.Equal(r.SignerCertificate, certOf(t, signed, r)) {
				t.Error("the report does not hold the signer's certificate")
			}
		})
	}
}

// certOf parses the DER the report kept, proving it is a certificate.
func certOf(t *testing.T, _ []byte, r *esign.Report) []byte {
	t.Helper()
	c, err := x509.ParseCertificate(r.SignerCertificate)
	if err != nil {
		t.Fatalf("report signer certificate: %v", err)
	}
	if r.Signer == nil || r.Signer.Subject != c.Subject.String() {
		t.Fatalf("report signer %+v for certificate %s", r.Signer, c.Subject)
	}
	return c.Raw
}

func TestVerifyRefuses(t *testing.T) {
	f := newFixture(t)
	good := f.signer(t, esigntest.SignerOptions{Cedula: nui})
	signed := esigntest.SignIncremental(t, f.doc, good, esigntest.IncrementalOptions{SigningTime: now})
	other := esigntest.NewCA(t, "EC Ajena", now)
	otherResp := other.NewResponder(t)
	unreachable := "http://127.0.0.1:1/unreachable"

	tests := []struct {
		name  string
		build func(t *testing.T) ([]byte, esign.Expected)
		v     func(v *esign.Verifier)
		err   *esign.Error
		step  string
	}{
		{
			name:  "not a PDF",
			build: func(*testing.T) ([]byte, esign.Expected) { return []byte("PK\x03\x04 a zip"), f.want },
			err:   esign.ErrNotPDF, step: esign.StepPDF,
		},
		{
			name:  "unsigned PDF",
			build: func(*testing.T) ([]byte, esign.Expected) { return f.doc, f.want },
			err:   esign.ErrUnsigned, step: esign.StepPDF,
		},
		{
			name: "byte changed after signing, in the signature's own revision",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				return replaceOnce(t, signed, "/Reason (Registro)", "/Reason (Registr0)"), f.want
			},
			err: esign.ErrDigestMismatch, step: esign.StepSignature,
		},
		{
			name: "byte changed after signing, in the issued text",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				return replaceOnce(t, signed, "Acepto los", "Acepto l0s"), f.want
			},
			err: esign.ErrDigestMismatch, step: esign.StepSignature,
		},
		{
			name: "content appended after signing",
			build: func(*testing.T) ([]byte, esign.Expected) {
				return append(bytes.Clone(signed), "\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\n"...), f.want
			},
			err: esign.ErrContentAppended, step: esign.StepPDF,
		},
		{
			name: "another applicant's document",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				theirs := issuedDocument("ZZZZ9999YYYY8888")
				return esigntest.SignIncremental(t, theirs, good, esigntest.IncrementalOptions{SigningTime: now}), f.want
			},
			err: esign.ErrNotIssuedDocument, step: esign.StepIssued,
		},
		{
			name: "the only signature is one the issued document already had",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				platform := esigntest.SignIncremental(t, f.doc, good, esigntest.IncrementalOptions{SigningTime: now})
				return platform, expected(platform, code)
			},
			err: esign.ErrUnsigned, step: esign.StepIssued,
		},
		{
			name: "untrusted CA",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				s := other.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: nui, CRLURL: otherResp.CRLURL})
				return esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now}), f.want
			},
			err: esign.ErrUntrusted, step: esign.StepCertificate,
		},
		{
			name: "certificate expired at signing time",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				s := f.signer(t, esigntest.SignerOptions{Cedula: nui, NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(0, 0, -1)})
				return esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now.Add(-time.Minute)}), f.want
			},
			err: esign.ErrCertificateExpired, step: esign.StepCertificate,
		},
		{
			name: "expired certificate with a back-dated signing time",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				s := f.signer(t, esigntest.SignerOptions{Cedula: nui, NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(0, 0, -1)})
				return esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now.AddDate(0, 0, -2)}), f.want
			},
			err: esign.ErrCertificateExpired, step: esign.StepCertificate,
		},
		{
			name: "wrong key usage",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				s := f.signer(t, esigntest.SignerOptions{Cedula: nui, KeyUsage: x509.KeyUsageKeyEncipherment})
				return esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now}), f.want
			},
			err: esign.ErrKeyUsage, step: esign.StepCertificate,
		},
		{
			name: "revoked, told by the CRL",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				s := f.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: nui, CRLURL: f.resp.CRLURL})
				f.resp.Revoke(s.Cert.SerialNumber, now.Add(-time.Hour))
				return esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now}), f.want
			},
			err: esign.ErrRevoked, step: esign.StepRevocation,
		},
		{
			name: "revoked, told by OCSP",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				s := f.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: nui, OCSPURL: f.resp.OCSPURL})
				f.resp.Revoke(s.Cert.SerialNumber, now.Add(-time.Hour))
				return esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now}), f.want
			},
			err: esign.ErrRevoked, step: esign.StepRevocation,
		},
		{
			name: "revocation unreachable, default policy",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				s := f.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: nui, CRLURL: unreachable, OCSPURL: unreachable})
				return esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now}), f.want
			},
			err: esign.ErrRevocationUnknown, step: esign.StepRevocation,
		},
		{
			name: "certificate names no revocation source",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				s := f.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: nui})
				return esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now}), f.want
			},
			err: esign.ErrRevocationUnknown, step: esign.StepRevocation,
		},
		{
			name: "cédula of someone else",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				s := f.signer(t, esigntest.SignerOptions{Profile: esigntest.ProfileBancoCentral, Cedula: "0962467429"})
				return esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now}), f.want
			},
			err: esign.ErrCedulaMismatch, step: esign.StepCedula,
		},
		{
			name: "certificate without a cédula",
			build: func(t *testing.T) ([]byte, esign.Expected) {
				s := f.signer(t, esigntest.SignerOptions{Profile: esigntest.ProfileBancoCentral})
				return esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now}), f.want
			},
			err: esign.ErrNoCedula, step: esign.StepCedula,
		},
		{
			name:  "no trust list at all",
			build: func(*testing.T) ([]byte, esign.Expected) { return signed, f.want },
			v:     func(v *esign.Verifier) { v.Roots = nil },
			err:   esign.ErrUntrusted, step: esign.StepCertificate,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pdf, want := tc.build(t)
			v := &esign.Verifier{Roots: f.v.Roots, Now: f.v.Now}
			if tc.v != nil {
				tc.v(v)
			}
			r, err := v.Verify(context.Background(), pdf, want)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Verify error = %v, want %v\nsteps %v", err, tc.err, stepNames(r))
			}
			// Exactly one sentinel matches: each failure has its own error.
			var e *esign.Error
			if !errors.As(err, &e) || e != tc.err {
				t.Errorf("errors.As found %v, want %v", e, tc.err)
			}
			last := r.Steps[len(r.Steps)-1]
			if last.OK || last.Name != tc.step || last.Code != tc.err.Code {
				t.Errorf("last step %+v, want %s failing with %s", last, tc.step, tc.err.Code)
			}
		})
	}
}

func replaceOnce(t *testing.T, b []byte, old, new string) []byte {
	t.Helper()
	if len(old) != len(new) || bytes.Count(b, []byte(old)) < 1 {
		t.Fatalf("cannot replace %q", old)
	}
	return bytes.Replace(bytes.Clone(b), []byte(old), []byte(new), 1)
}

func TestVerifyRevocationRecorded(t *testing.T) {
	f := newFixture(t)
	s := f.signer(t, esigntest.SignerOptions{Cedula: nui})
	signed := esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now})

	r, err := f.v.Verify(context.Background(), signed, f.want)
	if err != nil {
		t.Fatal(err)
	}
	type check struct{ Method, Source, Result string }
	var got []check
	for _, c := range r.RevocationChecks {
		got = append(got, check{c.Method, c.Source, c.Result})
		if !c.CheckedAt.Equal(now.Add(5*time.Minute)) || c.NextUpdate.IsZero() {
			t.Errorf("check %+v: want the verifier's time and the source's NextUpdate", c)
		}
	}
	want := []check{{"ocsp", f.resp.OCSPURL, esign.RevocationGood}, {"crl", f.resp.CRLURL, esign.RevocationGood}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("revocation checks (-want +got):\n%s", diff)
	}

	// The CRL is cached until its NextUpdate.
	before := f.resp.CRLRequests()
	if _, err := f.v.Verify(context.Background(), signed, f.want); err != nil {
		t.Fatal(err)
	}
	if n := f.resp.CRLRequests() - before; n != 0 {
		t.Errorf("CRL downloaded %d more times; want it cached", n)
	}
	later := &esign.Verifier{Roots: f.v.Roots, Now: func() time.Time { return now.Add(25 * time.Hour) }}
	f.ca.Now = func() time.Time { return now.Add(25 * time.Hour) }
	defer func() { f.ca.Now = func() time.Time { return now } }()
	if _, err := later.Verify(context.Background(), signed, f.want); err != nil {
		t.Fatal(err)
	}
	if n := f.resp.CRLRequests() - before; n != 1 {
		t.Errorf("CRL downloaded %d times after its NextUpdate; want 1", n)
	}
}

func TestVerifyRevocationUnreachableBestEffort(t *testing.T) {
	f := newFixture(t)
	s := f.signer(t, esigntest.SignerOptions{Cedula: nui})
	signed := esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now})
	f.resp.SetDown(true, true)

	strict := &esign.Verifier{Roots: f.v.Roots, Now: f.v.Now}
	if _, err := strict.Verify(context.Background(), signed, f.want); !errors.Is(err, esign.ErrRevocationUnknown) {
		t.Fatalf("default policy: %v, want ErrRevocationUnknown", err)
	}
	lenient := &esign.Verifier{Roots: f.v.Roots, Now: f.v.Now, Revocation: esign.RevocationBestEffort}
	r, err := lenient.Verify(context.Background(), signed, f.want)
	if err != nil {
		t.Fatalf("best effort: %v", err)
	}
	if r.Revocation != esign.RevocationUnknown || len(r.RevocationChecks) != 2 {
		t.Errorf("revocation %q with %d checks; want unknown with 2", r.Revocation, len(r.RevocationChecks))
	}
	for _, c := range r.RevocationChecks {
		if c.Result != esign.RevocationUnknown || !strings.Contains(c.Detail, "503") {
			t.Errorf("check %+v: want unknown, HTTP 503", c)
		}
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "accepted by policy") {
		t.Errorf("notes %q do not record the policy decision", r.Notes)
	}
}

func TestVerifyRevocationAnswersMustBeSignedByTheIssuer(t *testing.T) {
	f := newFixture(t)
	// Same names as the real CA, other keys: its CRL names the same issuer
	// and its OCSP responder says "good" to everything.
	impostor := esigntest.NewCA(t, "EC Prueba", now).NewResponder(t)
	s := f.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: nui, CRLURL: impostor.CRLURL, OCSPURL: impostor.OCSPURL})
	signed := esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now})
	r, err := f.v.Verify(context.Background(), signed, f.want)
	if !errors.Is(err, esign.ErrRevocationUnknown) {
		t.Fatalf("Verify: %v, want ErrRevocationUnknown", err)
	}
	var details []string
	for _, c := range r.RevocationChecks {
		details = append(details, c.Method+": "+c.Detail)
	}
	want := []string{"ocsp: response signature", "crl: CRL signature"}
	if len(details) != len(want) {
		t.Fatalf("checks %q, want %q", details, want)
	}
	for i := range want {
		if !strings.HasPrefix(details[i], want[i]) {
			t.Errorf("check %d: %q, want it to start with %q", i, details[i], want[i])
		}
	}
}

func TestVerifyLocalCRLFile(t *testing.T) {
	f := newFixture(t)
	s := f.ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: nui})
	signed := esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now})
	dir := t.TempDir()
	path := filepath.Join(dir, "ec.crl")
	otherCA := esigntest.NewCA(t, "EC Ajena", now)
	otherPath := filepath.Join(dir, "other.crl")
	if err := os.WriteFile(otherPath, otherCA.NewResponder(t).CRL(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, f.resp.CRL(t), 0o600); err != nil {
		t.Fatal(err)
	}
	v := &esign.Verifier{Roots: f.v.Roots, Now: f.v.Now, CRLFiles: []string{otherPath, path}}
	r, err := v.Verify(context.Background(), signed, f.want)
	if err != nil {
		t.Fatalf("good local CRL: %v", err)
	}
	if len(r.RevocationChecks) != 1 || r.RevocationChecks[0].Source != path {
		t.Errorf("checks %+v; want only the issuer's file", r.RevocationChecks)
	}

	f.resp.Revoke(s.Cert.SerialNumber, now.Add(-time.Hour))
	crl := f.resp.CRL(t)
	if err := os.WriteFile(path, crl, 0o600); err != nil {
		t.Fatal(err)
	}
	// Make the change visible even on a coarse file clock.
	if err := os.Chtimes(path, now, now); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), signed, f.want); !errors.Is(err, esign.ErrRevoked) {
		t.Fatalf("revoked in the local CRL: %v, want ErrRevoked", err)
	}
}

func TestVerifyAppendedRevisionsPolicy(t *testing.T) {
	f := newFixture(t)
	s := f.signer(t, esigntest.SignerOptions{Cedula: nui})
	signed := esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now})
	// A document time-stamp after the signature, as PAdES-LTA adds.
	lta := esigntest.SignIncremental(t, signed, s, esigntest.IncrementalOptions{SigningTime: now, SubFilter: "ETSI.RFC3161"})

	if _, err := f.v.Verify(context.Background(), lta, f.want); !errors.Is(err, esign.ErrContentAppended) {
		t.Fatalf("default: %v, want ErrContentAppended", err)
	}
	v := &esign.Verifier{Roots: f.v.Roots, Now: f.v.Now, AllowAppendedRevisions: true}
	r, err := v.Verify(context.Background(), lta, f.want)
	if err != nil {
		t.Fatalf("allowed: %v", err)
	}
	if r.SignedSize != int64(len(signed)) || r.SignatureCount != 2 {
		t.Errorf("signed size %d of %d signatures; want %d of 2", r.SignedSize, r.SignatureCount, len(signed))
	}
}

func TestVerifyUsesTheLastSignatureCoveringTheMost(t *testing.T) {
	f := newFixture(t)
	first := f.signer(t, esigntest.SignerOptions{Cedula: "0962467429"})
	second := f.signer(t, esigntest.SignerOptions{Profile: esigntest.ProfileSecurityData, Cedula: nui})
	once := esigntest.SignPDFSign(t, f.doc, first, esigntest.PDFSignOptions{TSA: f.tsa})
	twice := esigntest.SignIncremental(t, once, second, esigntest.IncrementalOptions{SigningTime: now})
	r, err := f.v.Verify(context.Background(), twice, f.want)
	if err != nil {
		t.Fatalf("Verify: %v (%v)", err, stepNames(r))
	}
	if r.SignatureCount != 2 || r.SubFilter != "ETSI.CAdES.detached" || r.Cedula != nui {
		t.Errorf("used %s by %s of %d; want the second signature", r.SubFilter, r.Cedula, r.SignatureCount)
	}
}

func TestVerifyRecognisesRewrittenDocumentByCode(t *testing.T) {
	f := newFixture(t)
	s := f.signer(t, esigntest.SignerOptions{Cedula: nui})
	// A signer that rewrites the file: the bytes differ, the code survives.
	rewritten := esigntest.NewPDF(esigntest.Document{Title: "Reescrito", Keywords: esign.RegistrationMarker + code, Lines: []string{"x"}})
	signed := esigntest.SignIncremental(t, rewritten, s, esigntest.IncrementalOptions{SigningTime: now})
	r, err := f.v.Verify(context.Background(), signed, f.want)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if r.IssuedMatch != esign.IssuedByCode {
		t.Errorf("issued match %q, want %q", r.IssuedMatch, esign.IssuedByCode)
	}
	// A code that only starts like ours is another application's.
	longer := esigntest.NewPDF(esigntest.Document{Keywords: esign.RegistrationMarker + code + "X"})
	signed = esigntest.SignIncremental(t, longer, s, esigntest.IncrementalOptions{SigningTime: now})
	if _, err := f.v.Verify(context.Background(), signed, f.want); !errors.Is(err, esign.ErrNotIssuedDocument) {
		t.Errorf("longer code: %v, want ErrNotIssuedDocument", err)
	}
}

func TestVerifyUntrustedTimestampFallsBackToSigningTime(t *testing.T) {
	f := newFixture(t)
	otherTSA := esigntest.NewCA(t, "TSA Ajena", now).NewTSA(t)
	otherTSA.Now = func() time.Time { return now.AddDate(-3, 0, 0) }
	s := f.signer(t, esigntest.SignerOptions{Cedula: nui})
	signed := esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now.Add(-2 * time.Minute), TSA: otherTSA})
	r, err := f.v.Verify(context.Background(), signed, f.want)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if r.SigningTimeSource != esign.TimeFromSignedAttr || !r.SigningTime.Equal(now.Add(-2*time.Minute)) {
		t.Errorf("signing time %v from %s; want the signed attribute", r.SigningTime, r.SigningTimeSource)
	}
	if r.Timestamp == nil || r.Timestamp.Trusted || !strings.Contains(r.Timestamp.Detail, "not trusted") {
		t.Errorf("timestamp %+v; want recorded as untrusted", r.Timestamp)
	}
}

func TestVerifyWithoutSigningTimeUsesNow(t *testing.T) {
	f := newFixture(t)
	s := f.signer(t, esigntest.SignerOptions{Cedula: nui})
	signed := esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{})
	r, err := f.v.Verify(context.Background(), signed, f.want)
	if err != nil {
		t.Fatal(err)
	}
	if r.SigningTimeSource != esign.TimeFromVerification || !r.SigningTime.Equal(now.Add(5*time.Minute)) {
		t.Errorf("signing time %v from %s; want the verification time", r.SigningTime, r.SigningTimeSource)
	}
}

func TestVerifyRSAPSS(t *testing.T) {
	f := newFixture(t)
	s := f.signer(t, esigntest.SignerOptions{Cedula: nui, RSA: true})
	signed := esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now, PSS: true})
	r, err := f.v.Verify(context.Background(), signed, f.want)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if r.SignatureAlgorithm != "1.2.840.113549.1.1.10" {
		t.Errorf("signature algorithm %s, want RSASSA-PSS", r.SignatureAlgorithm)
	}
}

func TestReportJSON(t *testing.T) {
	f := newFixture(t)
	s := f.signer(t, esigntest.SignerOptions{Cedula: nui})
	signed := esigntest.SignIncremental(t, f.doc, s, esigntest.IncrementalOptions{SigningTime: now, TSA: f.tsa})
	r, err := f.v.Verify(context.Background(), signed, f.want)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back esign.Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, &back); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
	for _, key := range []string{`"steps"`, `"signer_certificate"`, `"signing_time_source":"signature-timestamp"`, `"revocation_checks"`, `"cedula_source"`, `"sub_filter"`, `"digest_algorithm"`} {
		if !bytes.Contains(b, []byte(key)) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestErrorsHaveDistinctCodesAndBothLanguages(t *testing.T) {
	all := []*esign.Error{
		esign.ErrNotPDF, esign.ErrUnsigned, esign.ErrMalformedSignature, esign.ErrContentAppended,
		esign.ErrNotIssuedDocument, esign.ErrSignatureInvalid, esign.ErrDigestMismatch, esign.ErrUnsupportedAlgorithm,
		esign.ErrUntrusted, esign.ErrCertificateExpired, esign.ErrKeyUsage, esign.ErrRevoked,
		esign.ErrRevocationUnknown, esign.ErrNoCedula, esign.ErrCedulaMismatch,
	}
	seen := map[string]bool{}
	for _, e := range all {
		if seen[e.Code] || !strings.HasPrefix(e.Code, "esign.") || e.ES == "" || e.EN == "" || e.ES == e.EN {
			t.Errorf("error %+v: want a unique esign.* code and distinct Spanish and English text", e)
		}
		seen[e.Code] = true
	}
}

func TestLoadTrustDir(t *testing.T) {
	a := esigntest.NewCA(t, "EC Uno", now)
	b := esigntest.NewCA(t, "EC Dos", now)
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("uno.pem", append(pemCert(a.Root), pemCert(a.Intermediate)...))
	write("dos.CER", b.Root.Raw) // DER, upper-case extension
	write("LEAME.txt", []byte("not a certificate"))

	pool, certs, err := esign.LoadTrustDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range certs {
		names = append(names, c.Subject.CommonName)
	}
	want := []string{"EC Dos Raíz", "EC Uno Raíz", "EC Uno Subordinada"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("certificates (-want +got):\n%s", diff)
	}
	if _, err := b.Intermediate.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: now}); err != nil {
		t.Errorf("the pool does not anchor EC Dos: %v", err)
	}

	empty := t.TempDir()
	if _, certs, err := esign.LoadTrustDir(empty); err != nil || len(certs) != 0 {
		t.Errorf("empty dir: %d certificates, %v", len(certs), err)
	}
	write("roto.pem", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	if _, _, err := esign.LoadTrustDir(dir); err == nil {
		t.Error("a broken certificate file was accepted")
	}
	if _, _, err := esign.LoadTrustDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing directory was accepted")
	}
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}
