package esign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Verifier checks the signed registration documents citizens upload. Set its
// fields once and share one *Verifier: it caches CRLs and is safe for
// concurrent use. It must not be copied after first use.
type Verifier struct {
	// Roots is the national trust list (see LoadTrustDir). Nil trusts
	// nothing: system roots are never used.
	Roots *x509.CertPool
	// Intermediates helps build chains when signers omit their CA's
	// certificate from the signature.
	Intermediates []*x509.Certificate
	// TimestampRoots, if set, is the trust list for time-stamping
	// authorities; otherwise Roots is used.
	TimestampRoots *x509.CertPool
	// CRLFiles are local CRLs (DER or PEM) the operator keeps current; each
	// is used for the certificates of the CA that issued it.
	CRLFiles []string
	// HTTPClient fetches CRLs and asks OCSP responders; nil means a client
	// with a 15 s timeout.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Revocation is the policy when the status cannot be established; the
	// zero value refuses.
	Revocation RevocationPolicy
	// AllowAppendedRevisions accepts bytes after the signed range, as
	// PAdES-LT/LTA validation data (DSS, document time-stamps) adds. The
	// signed document is then only pdf[:Report.SignedSize], which is what
	// the caller must keep. By default such files are refused with
	// ErrContentAppended.
	AllowAppendedRevisions bool

	crls crlCache
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// The steps of a verification, in order, as named in Report.Steps.
const (
	StepPDF         = "pdf"
	StepIssued      = "issued-document"
	StepSignature   = "signature"
	StepCertificate = "certificate"
	StepRevocation  = "revocation"
	StepCedula      = "cedula"
)

// Where the signing time came from, recorded in Report.SigningTimeSource.
const (
	TimeFromTimestamp    = "signature-timestamp"
	TimeFromSignedAttr   = "signing-time-attribute"
	TimeFromVerification = "verification-time"
)

// Report is the evidence of one verification, kept with the citizen's
// account: what was checked, with what result, and about which certificate.
// It marshals to JSON.
type Report struct {
	VerifiedAt time.Time `json:"verified_at"`
	FileSize   int64     `json:"file_size"`
	FileSHA256 string    `json:"file_sha256"`
	Steps      []Step    `json:"steps"`

	// The signature chosen (the approval signature covering the most).
	SignatureCount int     `json:"signature_count"`
	SubFilter      string  `json:"sub_filter,omitempty"`
	ByteRange      []int64 `json:"byte_range,omitempty"`
	// SignedSize is the end of the signed range: pdf[:SignedSize] is the
	// document as signed.
	SignedSize         int64  `json:"signed_size,omitempty"`
	IssuedMatch        string `json:"issued_match,omitempty"`
	DigestAlgorithm    string `json:"digest_algorithm,omitempty"`
	SignatureAlgorithm string `json:"signature_algorithm,omitempty"`

	Signer            *CertificateInfo  `json:"signer,omitempty"`
	SignerCertificate []byte            `json:"signer_certificate,omitempty"` // DER
	Chain             []CertificateInfo `json:"chain,omitempty"`

	SigningTime       time.Time      `json:"signing_time,omitzero"`
	SigningTimeSource string         `json:"signing_time_source,omitempty"`
	Timestamp         *TimestampInfo `json:"timestamp,omitempty"`

	Revocation       string            `json:"revocation,omitempty"`
	RevocationChecks []RevocationCheck `json:"revocation_checks,omitempty"`

	Cedula       string `json:"cedula,omitempty"`
	CedulaSource string `json:"cedula_source,omitempty"`

	Notes []string `json:"notes,omitempty"`
}

// Step is the outcome of one verification step.
type Step struct {
	Name string `json:"name"`
	OK   bool   `json:"ok"`
	// Code is the failing Error's code.
	Code   string `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// CertificateInfo describes a certificate for people reading the evidence.
type CertificateInfo struct {
	Subject      string    `json:"subject"`
	Issuer       string    `json:"issuer"`
	SerialNumber string    `json:"serial_number"` // hexadecimal
	NotBefore    time.Time `json:"not_before"`
	NotAfter     time.Time `json:"not_after"`
	SHA256       string    `json:"sha256"`
}

// TimestampInfo describes the signature time-stamp token, when present.
type TimestampInfo struct {
	Time      time.Time        `json:"time"`
	Serial    string           `json:"serial,omitempty"`
	Authority *CertificateInfo `json:"authority,omitempty"`
	// Trusted is false when the token was ignored (see Detail).
	Trusted bool   `json:"trusted"`
	Detail  string `json:"detail,omitempty"`
}

func certInfo(c *x509.Certificate) CertificateInfo {
	sum := sha256.Sum256(c.Raw)
	return CertificateInfo{
		Subject:      c.Subject.String(),
		Issuer:       c.Issuer.String(),
		SerialNumber: hex.EncodeToString(c.SerialNumber.Bytes()),
		NotBefore:    c.NotBefore.UTC(),
		NotAfter:     c.NotAfter.UTC(),
		SHA256:       hex.EncodeToString(sum[:]),
	}
}

func (r *Report) pass(step, detail string) {
	r.Steps = append(r.Steps, Step{Name: step, OK: true, Detail: detail})
}

// fail records the failed step and returns err wrapping sentinel.
func (r *Report) fail(step string, sentinel *Error, detail string) error {
	r.Steps = append(r.Steps, Step{Name: step, Code: sentinel.Code, Detail: detail})
	if detail == "" {
		return fmt.Errorf("verify %s: %w", step, sentinel)
	}
	return fmt.Errorf("verify %s: %w: %s", step, sentinel, detail)
}

func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// Verify checks that pdf is the document issued as want, signed by the
// holder of the N.U.I. want.NUI with a certificate from the trust list, valid
// at signing time and not revoked. On failure it returns the Report so far and
// an error wrapping one of the package's *Error values. The Report is never nil.
// pdf is read in memory: the caller bounds the upload size.
func (v *Verifier) Verify(ctx context.Context, pdf []byte, want Expected) (*Report, error) {
	sum := sha256.Sum256(pdf)
	r := &Report{
		VerifiedAt: v.now().UTC(),
		FileSize:   int64(len(pdf)),
		FileSHA256: hex.EncodeToString(sum[:]),
	}

	// 1. A PDF whose signature covers everything but its own /Contents.
	sig, err := v.checkStructure(r, pdf)
	if err != nil {
		return r, err
	}
	br := sig.ByteRange
	signed := [][]byte{pdf[br[0] : br[0]+br[1]], pdf[br[2] : br[2]+br[3]]}

	// 2. The document issued for this application.
	if sig.ContentsEnd <= want.IssuedSize && isPrefix(pdf, want) {
		return r, r.fail(StepIssued, ErrUnsigned, "the only signature was already in the issued document")
	}
	how, ok := matchIssued(pdf, br[1], signed, want)
	if !ok {
		return r, r.fail(StepIssued, ErrNotIssuedDocument, "neither the issued bytes nor the registration code are in the signed range")
	}
	r.IssuedMatch = how
	r.pass(StepIssued, how)

	// 3. The CMS signature binds these bytes.
	cms, err := v.checkSignature(r, sig, signed)
	if err != nil {
		return r, err
	}

	// 4. The certificate, at signing time.
	chain, err := v.checkCertificate(r, cms, want)
	if err != nil {
		return r, err
	}

	// 5. Revocation of the signer's certificate.
	if err := v.checkRevocationStep(ctx, r, cms.signer, chain); err != nil {
		return r, err
	}

	// 6. The holder is the applicant.
	cedula, source, err := CedulaFromCertificate(cms.signer)
	if err != nil {
		return r, r.fail(StepCedula, ErrNoCedula, "")
	}
	r.Cedula, r.CedulaSource = cedula, source
	if cedula != want.NUI {
		return r, r.fail(StepCedula, ErrCedulaMismatch, fmt.Sprintf("certificate %s, application %s", cedula, want.NUI))
	}
	r.pass(StepCedula, source)
	return r, nil
}

func (v *Verifier) checkStructure(r *Report, pdf []byte) (*pdfSignature, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, r.fail(StepPDF, ErrNotPDF, "")
	}
	n := int64(len(pdf))
	all := parseSignatures(pdf)
	r.SignatureCount = len(all)
	var best *pdfSignature
	approvals := 0
	for i := range all {
		s := &all[i]
		if s.isTimestamp() {
			continue
		}
		approvals++
		if !s.wellFormed(n) {
			continue
		}
		// The last one covering the most: later dictionaries win ties.
		if best == nil || s.coveredEnd() >= best.coveredEnd() {
			best = s
		}
	}
	switch {
	case approvals == 0:
		return nil, r.fail(StepPDF, ErrUnsigned, fmt.Sprintf("%d signature dictionaries, none an approval signature", len(all)))
	case best == nil:
		return nil, r.fail(StepPDF, ErrMalformedSignature, "no /ByteRange spans the file around its /Contents")
	}
	r.SubFilter = best.SubFilter
	r.ByteRange = best.ByteRange
	r.SignedSize = best.coveredEnd()
	if r.SignedSize < n {
		detail := fmt.Sprintf("%d bytes follow the signed range", n-r.SignedSize)
		if !v.AllowAppendedRevisions {
			return nil, r.fail(StepPDF, ErrContentAppended, detail)
		}
		r.note("%s; the signed document is the first %d bytes", detail, r.SignedSize)
	}
	r.pass(StepPDF, fmt.Sprintf("%d signature(s); signature at offset %d covers %d of %d bytes", len(all), best.DictStart, r.SignedSize-(best.ContentsEnd-best.ContentsStart), n))
	return best, nil
}

func (v *Verifier) checkSignature(r *Report, sig *pdfSignature, signed [][]byte) (*signedCMS, error) {
	switch sig.SubFilter {
	case "adbe.pkcs7.detached", "ETSI.CAdES.detached":
	case "":
		r.note("signature dictionary without /SubFilter: read as a detached CMS")
	case "adbe.pkcs7.sha1", "adbe.x509.rsa_sha1":
		return nil, r.fail(StepSignature, ErrUnsupportedAlgorithm, "SubFilter "+sig.SubFilter)
	default:
		r.note("unknown SubFilter %q: read as a detached CMS", sig.SubFilter)
	}
	cms, err := parseCMS(sig.Contents)
	if err != nil {
		if errors.Is(err, errWeak) {
			return nil, r.fail(StepSignature, ErrUnsupportedAlgorithm, err.Error())
		}
		return nil, r.fail(StepSignature, ErrSignatureInvalid, err.Error())
	}
	r.DigestAlgorithm = hashName(cms.hash)
	r.SignatureAlgorithm = cms.sigAlg.Algorithm.String()
	info := certInfo(cms.signer)
	r.Signer = &info
	r.SignerCertificate = cms.signer.Raw
	if cms.signerCount > 1 {
		r.note("%d SignerInfos; the first was verified", cms.signerCount)
	}
	if cms.eContent != nil {
		return nil, r.fail(StepSignature, ErrSignatureInvalid, "the CMS is not detached")
	}
	if !cms.eContentType.Equal(oidData) {
		return nil, r.fail(StepSignature, ErrSignatureInvalid, "encapsulated content type "+cms.eContentType.String())
	}
	h := cms.hash.New()
	for _, part := range signed {
		h.Write(part)
	}
	if err := cms.verify(h.Sum(nil)); err != nil {
		switch {
		case errors.Is(err, ErrDigestMismatch):
			return nil, r.fail(StepSignature, ErrDigestMismatch, "message-digest differs from the digest of the byte ranges")
		case errors.Is(err, errWeak):
			return nil, r.fail(StepSignature, ErrUnsupportedAlgorithm, err.Error())
		}
		return nil, r.fail(StepSignature, ErrSignatureInvalid, err.Error())
	}
	r.pass(StepSignature, fmt.Sprintf("%s %s, signed by %s", r.DigestAlgorithm, r.SignatureAlgorithm, cms.signer.Subject.CommonName))
	return cms, nil
}

// signingTime chooses the time the certificate is judged at: a trusted
// signature time-stamp, else the signer's claim if plausible, else now.
func (v *Verifier) signingTime(r *Report, cms *signedCMS, want Expected) time.Time {
	now := v.now()
	if tok := attr(cms.unsigned, oidAttrSignatureTimeStamp); tok != nil {
		ti := &TimestampInfo{}
		r.Timestamp = ti
		ts, err := parseTimestamp(tok.FullBytes, cms.signature)
		if err != nil {
			ti.Detail = err.Error()
		} else {
			ti.Time = ts.time.UTC()
			if ts.serial != nil {
				ti.Serial = ts.serial.Text(16)
			}
			a := certInfo(ts.cms.signer)
			ti.Authority = &a
			roots := v.TimestampRoots
			if roots == nil {
				roots = v.Roots
			}
			// Tokens often carry only the TSA's certificate; its CA may be
			// among the signature's certificates.
			extra := append(slices.Clone(ts.cms.certs), cms.certs...)
			if err := v.verifyChain(ts.cms.signer, extra, roots, ts.time, x509.ExtKeyUsageTimeStamping); err != nil {
				ti.Detail = "time-stamping authority not trusted: " + err.Error()
			} else if ts.time.After(now.Add(clockSkew)) {
				ti.Detail = "time-stamp in the future"
			} else {
				ti.Trusted = true
				r.SigningTime, r.SigningTimeSource = ti.Time, TimeFromTimestamp
				return ts.time
			}
		}
		r.note("signature time-stamp ignored: %s", ti.Detail)
	}
	if st := attr(cms.attrs, oidAttrSigningTime); st != nil {
		var t time.Time
		if _, err := asn1.Unmarshal(st.FullBytes, &t); err != nil {
			r.note("unreadable signing-time attribute: %v", err)
		} else if !want.IssuedAt.IsZero() && t.Before(want.IssuedAt.Add(-clockSkew)) {
			r.note("signing-time %s precedes the issue of the document (%s): not believed", t.UTC().Format(time.RFC3339), want.IssuedAt.UTC().Format(time.RFC3339))
		} else if t.After(now.Add(clockSkew)) {
			r.note("signing-time %s is in the future: not believed", t.UTC().Format(time.RFC3339))
		} else {
			r.SigningTime, r.SigningTimeSource = t.UTC(), TimeFromSignedAttr
			return t
		}
	}
	r.SigningTime, r.SigningTimeSource = now.UTC(), TimeFromVerification
	return now
}

func (v *Verifier) verifyChain(leaf *x509.Certificate, extra []*x509.Certificate, roots *x509.CertPool, at time.Time, eku x509.ExtKeyUsage) error {
	_, err := v.chains(leaf, extra, roots, at, eku)
	return err
}

func (v *Verifier) chains(leaf *x509.Certificate, extra []*x509.Certificate, roots *x509.CertPool, at time.Time, eku x509.ExtKeyUsage) ([][]*x509.Certificate, error) {
	if roots == nil {
		roots = x509.NewCertPool() // never fall back to the system roots
	}
	inter := x509.NewCertPool()
	for _, c := range extra {
		inter.AddCert(c)
	}
	for _, c := range v.Intermediates {
		inter.AddCert(c)
	}
	return leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{eku},
	})
}

func (v *Verifier) checkCertificate(r *Report, cms *signedCMS, want Expected) ([]*x509.Certificate, error) {
	at := v.signingTime(r, cms, want)
	leaf := cms.signer
	if at.Before(leaf.NotBefore) || at.After(leaf.NotAfter) {
		return nil, r.fail(StepCertificate, ErrCertificateExpired, fmt.Sprintf("signing time %s (%s) outside %s – %s",
			at.UTC().Format(time.RFC3339), r.SigningTimeSource, leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339)))
	}
	// Lenient on extended key usage (CAs mark signing certificates in
	// many ways), strict on the chain.
	chains, err := v.chains(leaf, cms.certs, v.Roots, at, x509.ExtKeyUsageAny)
	if err != nil {
		var inv x509.CertificateInvalidError
		if errors.As(err, &inv) && inv.Reason == x509.Expired {
			return nil, r.fail(StepCertificate, ErrCertificateExpired, err.Error())
		}
		return nil, r.fail(StepCertificate, ErrUntrusted, err.Error())
	}
	chain := chains[0]
	for _, c := range chain[1:] {
		r.Chain = append(r.Chain, certInfo(c))
	}
	const signing = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	switch {
	case leaf.KeyUsage == 0:
		r.note("the certificate has no key usage extension")
	case leaf.KeyUsage&signing == 0:
		return nil, r.fail(StepCertificate, ErrKeyUsage, fmt.Sprintf("key usage %#x has neither digitalSignature nor nonRepudiation", leaf.KeyUsage))
	}
	r.pass(StepCertificate, fmt.Sprintf("chains to %s at %s (%s)", chain[len(chain)-1].Subject.CommonName, at.UTC().Format(time.RFC3339), r.SigningTimeSource))
	return chain, nil
}

func (v *Verifier) checkRevocationStep(ctx context.Context, r *Report, leaf *x509.Certificate, chain []*x509.Certificate) error {
	if len(chain) < 2 {
		r.Revocation = RevocationUnknown
		if v.Revocation == RevocationBestEffort {
			r.note("revocation not checked: the signer's certificate is itself a trust anchor")
			r.pass(StepRevocation, RevocationUnknown)
			return nil
		}
		return r.fail(StepRevocation, ErrRevocationUnknown, "the signer's certificate is itself a trust anchor")
	}
	checks, status := v.checkRevocation(ctx, leaf, chain[1])
	r.RevocationChecks = checks
	r.Revocation = status
	switch status {
	case RevocationRevoked:
		for _, c := range checks {
			if c.Result == RevocationRevoked {
				return r.fail(StepRevocation, ErrRevoked, fmt.Sprintf("%s %s: revoked at %s", c.Method, c.Source, c.RevokedAt.UTC().Format(time.RFC3339)))
			}
		}
	case RevocationGood:
		r.pass(StepRevocation, RevocationGood)
		return nil
	}
	detail := "no CRL or OCSP source answered"
	if len(checks) == 0 {
		detail = "the certificate names no CRL or OCSP source and no local CRL matches"
	}
	if v.Revocation == RevocationBestEffort {
		r.note("revocation status unknown (%s): accepted by policy", detail)
		r.pass(StepRevocation, RevocationUnknown+": "+detail)
		return nil
	}
	return r.fail(StepRevocation, ErrRevocationUnknown, detail)
}
