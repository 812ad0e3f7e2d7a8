package esign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"
)

// RevocationPolicy says what to do when neither CRL nor OCSP can tell
// whether the signer's certificate is revoked.
type RevocationPolicy int

const (
	// RevocationRequired refuses the signature with ErrRevocationUnknown.
	// It is the zero value, hence the default.
	RevocationRequired RevocationPolicy = iota
	// RevocationBestEffort accepts the signature and records in the Report
	// that the status could not be established.
	RevocationBestEffort
)

// Revocation results recorded in a RevocationCheck and Report.Revocation.
const (
	RevocationGood    = "good"
	RevocationRevoked = "revoked"
	RevocationUnknown = "unknown"
)

// RevocationCheck records one attempt to learn a certificate's status, as
// evidence of what the platform knew when it accepted or refused.
type RevocationCheck struct {
	// Method is "ocsp" or "crl".
	Method string `json:"method"`
	// Source is the OCSP or CRL URL, or the local CRL file.
	Source string `json:"source"`
	// Result is RevocationGood, RevocationRevoked or RevocationUnknown.
	Result string `json:"result"`
	// Detail explains an unknown result (unreachable, stale, bad signature).
	Detail     string    `json:"detail,omitempty"`
	CheckedAt  time.Time `json:"checked_at"`
	ThisUpdate time.Time `json:"this_update,omitzero"`
	NextUpdate time.Time `json:"next_update,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	// Cached is true when a CRL fetched earlier (still before its
	// NextUpdate) was used.
	Cached bool `json:"cached,omitempty"`
}

const (
	maxCRLSize  = 64 << 20
	maxOCSPSize = 1 << 20
	// crlTTL bounds the cache of a CRL without NextUpdate.
	crlTTL = time.Hour
	// clockSkew is tolerated between this server, CAs and signers.
	clockSkew = 5 * time.Minute
)

// crlCache keeps fetched CRLs until their NextUpdate, and local CRL files
// until they change on disk.
type crlCache struct {
	mu      sync.Mutex
	entries map[string]cachedCRL
}

type cachedCRL struct {
	crl     *x509.RevocationList
	expires time.Time
	modTime time.Time // local files
	size    int64
}

func (c *crlCache) get(key string, now time.Time) (*x509.RevocationList, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.expires) {
		return nil, false
	}
	return e.crl, true
}

func (c *crlCache) put(key string, e cachedCRL) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]cachedCRL{}
	}
	c.entries[key] = e
}

func (c *crlCache) file(path string, mod time.Time, size int64) (*x509.RevocationList, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries["file:"+path]
	if !ok || !e.modTime.Equal(mod) || e.size != size {
		return nil, false
	}
	return e.crl, true
}

// checkRevocation asks every OCSP responder and CRL the certificate names,
// and the local CRL files for its issuer. Any "revoked" wins; else any
// "good"; else unknown.
func (v *Verifier) checkRevocation(ctx context.Context, cert, issuer *x509.Certificate) ([]RevocationCheck, string) {
	var checks []RevocationCheck
	for _, url := range cert.OCSPServer {
		if !isHTTP(url) {
			continue
		}
		chk := v.checkOCSP(ctx, url, cert, issuer)
		checks = append(checks, chk)
		if chk.Result != RevocationUnknown {
			break // one definitive answer from the CA's responder is enough
		}
	}
	for _, url := range cert.CRLDistributionPoints {
		if !isHTTP(url) {
			continue
		}
		checks = append(checks, v.checkRemoteCRL(ctx, url, cert, issuer))
	}
	for _, path := range v.CRLFiles {
		if chk, ok := v.checkLocalCRL(path, cert, issuer); ok {
			checks = append(checks, chk)
		}
	}
	status := RevocationUnknown
	for _, c := range checks {
		switch c.Result {
		case RevocationRevoked:
			return checks, RevocationRevoked
		case RevocationGood:
			status = RevocationGood
		}
	}
	return checks, status
}

func isHTTP(url string) bool {
	u := strings.ToLower(url)
	return strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")
}

func (v *Verifier) httpClient() *http.Client {
	if v.HTTPClient != nil {
		return v.HTTPClient
	}
	return defaultHTTPClient
}

var defaultHTTPClient = &http.Client{Timeout: 15 * time.Second}

// fetch performs req and returns at most limit bytes of a 200 answer.
func (v *Verifier) fetch(req *http.Request, limit int64) ([]byte, error) {
	resp, err := v.httpClient().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("answer larger than %d bytes", limit)
	}
	return body, nil
}

func (v *Verifier) checkOCSP(ctx context.Context, url string, cert, issuer *x509.Certificate) RevocationCheck {
	now := v.now()
	chk := RevocationCheck{Method: "ocsp", Source: url, Result: RevocationUnknown, CheckedAt: now}
	der, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA1})
	if err != nil {
		chk.Detail = "request: " + err.Error()
		return chk
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(der))
	if err != nil {
		chk.Detail = "request: " + err.Error()
		return chk
	}
	req.Header.Set("Content-Type", "application/ocsp-request")
	req.Header.Set("Accept", "application/ocsp-response")
	body, err := v.fetch(req, maxOCSPSize)
	if err != nil {
		chk.Detail = "unreachable: " + err.Error()
		return chk
	}
	resp, err := ocsp.ParseResponseForCert(body, cert, nil)
	if err != nil {
		chk.Detail = "response: " + err.Error()
		return chk
	}
	if err := checkOCSPSigner(resp, issuer, now); err != nil {
		chk.Detail = "response signature: " + err.Error()
		return chk
	}
	chk.ThisUpdate, chk.NextUpdate = resp.ThisUpdate, resp.NextUpdate
	if resp.ThisUpdate.After(now.Add(clockSkew)) {
		chk.Detail = "response dated in the future"
		return chk
	}
	if !resp.NextUpdate.IsZero() && now.After(resp.NextUpdate.Add(clockSkew)) {
		chk.Detail = "stale response"
		return chk
	}
	switch resp.Status {
	case ocsp.Good:
		chk.Result = RevocationGood
	case ocsp.Revoked:
		chk.Result = RevocationRevoked
		chk.RevokedAt = resp.RevokedAt
	default:
		chk.Detail = "the responder does not know the certificate"
	}
	return chk
}

// checkOCSPSigner accepts a response signed by the issuer itself or by a
// responder certificate the issuer delegated (RFC 6960 §4.2.2.2).
func checkOCSPSigner(resp *ocsp.Response, issuer *x509.Certificate, now time.Time) error {
	rc := resp.Certificate
	if rc == nil {
		return resp.CheckSignatureFrom(issuer)
	}
	// ParseResponseForCert already checked the response with rc.
	if bytes.Equal(rc.Raw, issuer.Raw) {
		return nil
	}
	if err := rc.CheckSignatureFrom(issuer); err != nil {
		return fmt.Errorf("responder certificate not issued by the CA: %w", err)
	}
	if !slices.Contains(rc.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
		return errors.New("responder certificate lacks id-kp-OCSPSigning")
	}
	if now.Before(rc.NotBefore.Add(-clockSkew)) || now.After(rc.NotAfter.Add(clockSkew)) {
		return errors.New("responder certificate not valid now")
	}
	return nil
}

func (v *Verifier) checkRemoteCRL(ctx context.Context, url string, cert, issuer *x509.Certificate) RevocationCheck {
	now := v.now()
	chk := RevocationCheck{Method: "crl", Source: url, Result: RevocationUnknown, CheckedAt: now}
	crl, ok := v.crls.get(url, now)
	chk.Cached = ok
	if !ok {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			chk.Detail = "request: " + err.Error()
			return chk
		}
		body, err := v.fetch(req, maxCRLSize)
		if err != nil {
			chk.Detail = "unreachable: " + err.Error()
			return chk
		}
		crl, err = parseCRL(body)
		if err != nil {
			chk.Detail = err.Error()
			return chk
		}
		// Cache only what the issuer really signed.
		if err := crl.CheckSignatureFrom(issuer); err == nil {
			expires := crl.NextUpdate
			if expires.IsZero() {
				expires = now.Add(crlTTL)
			}
			v.crls.put(url, cachedCRL{crl: crl, expires: expires})
		}
	}
	evalCRL(&chk, crl, cert, issuer, now)
	return chk
}

// checkLocalCRL evaluates a CRL file if it is the one of cert's issuer;
// ok is false for the files of other CAs.
func (v *Verifier) checkLocalCRL(path string, cert, issuer *x509.Certificate) (RevocationCheck, bool) {
	now := v.now()
	chk := RevocationCheck{Method: "crl", Source: path, Result: RevocationUnknown, CheckedAt: now}
	fi, err := os.Stat(path)
	if err != nil {
		chk.Detail = err.Error()
		return chk, true
	}
	crl, ok := v.crls.file(path, fi.ModTime(), fi.Size())
	chk.Cached = ok
	if !ok {
		data, err := os.ReadFile(path)
		if err != nil {
			chk.Detail = err.Error()
			return chk, true
		}
		if crl, err = parseCRL(data); err != nil {
			chk.Detail = err.Error()
			return chk, true
		}
		v.crls.put("file:"+path, cachedCRL{crl: crl, modTime: fi.ModTime(), size: fi.Size(), expires: farFuture})
	}
	if !bytes.Equal(crl.RawIssuer, cert.RawIssuer) {
		return RevocationCheck{}, false
	}
	evalCRL(&chk, crl, cert, issuer, now)
	return chk, true
}

var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// parseCRL reads a DER or PEM CRL.
func parseCRL(data []byte) (*x509.RevocationList, error) {
	if block, _ := pem.Decode(data); block != nil {
		data = block.Bytes
	}
	crl, err := x509.ParseRevocationList(data)
	if err != nil {
		return nil, fmt.Errorf("parse CRL: %w", err)
	}
	return crl, nil
}

// evalCRL fills chk from crl: it must be the issuer's, signed by it, and
// current.
func evalCRL(chk *RevocationCheck, crl *x509.RevocationList, cert, issuer *x509.Certificate, now time.Time) {
	chk.ThisUpdate, chk.NextUpdate = crl.ThisUpdate, crl.NextUpdate
	if !bytes.Equal(crl.RawIssuer, cert.RawIssuer) {
		chk.Detail = "the CRL belongs to another CA"
		return
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		chk.Detail = "CRL signature: " + err.Error()
		return
	}
	if crl.ThisUpdate.After(now.Add(clockSkew)) {
		chk.Detail = "CRL dated in the future"
		return
	}
	if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate.Add(clockSkew)) {
		chk.Detail = "stale CRL (past its NextUpdate)"
		return
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber != nil && e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			chk.Result = RevocationRevoked
			chk.RevokedAt = e.RevocationTime
			return
		}
	}
	chk.Result = RevocationGood
}
