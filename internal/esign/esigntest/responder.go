package esigntest

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// Responder is a loopback CRL distribution point and OCSP responder for the
// certificates of one CA, whose revocation list the test controls. CRLs are
// signed by the intermediate; OCSP answers by a delegated responder
// certificate, as real Ecuadorian CAs do.
type Responder struct {
	// CRLURL and OCSPURL go in SignerOptions.
	CRLURL, OCSPURL string

	ca      *CA
	ocspCrt *x509.Certificate
	ocspKey crypto.Signer

	mu          sync.Mutex
	revoked     map[string]time.Time
	crlDown     bool
	ocspDown    bool
	crlRequests int
}

// NewResponder starts the responder; it stops when the test ends.
func (ca *CA) NewResponder(t testing.TB) *Responder {
	t.Helper()
	now := ca.Now()
	r := &Responder{ca: ca, revoked: map[string]time.Time{}}
	r.ocspKey = newECKey(t)
	r.ocspCrt = ca.create(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "OCSP " + ca.Intermediate.Subject.CommonName, Country: []string{"EC"}},
		NotBefore:   now.AddDate(-1, 0, 0),
		NotAfter:    now.AddDate(3, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
	}, ca.Intermediate, r.ocspKey.Public(), ca.IntermediateKey)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /crl", r.serveCRL)
	mux.HandleFunc("POST /ocsp", r.serveOCSP)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	r.CRLURL = srv.URL + "/crl"
	r.OCSPURL = srv.URL + "/ocsp"
	return r
}

// Revoke puts the certificate with serial on the CRL and makes OCSP answer
// "revoked", from at.
func (r *Responder) Revoke(serial *big.Int, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.revoked[serial.String()] = at
}

// SetDown makes the CRL and/or OCSP endpoint answer 503, as an unreachable
// CA would.
func (r *Responder) SetDown(crl, ocsp bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.crlDown, r.ocspDown = crl, ocsp
}

// CRLRequests counts the CRL downloads served, to test caching.
func (r *Responder) CRLRequests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.crlRequests
}

// CRL returns a CRL (DER) as the responder currently serves it, e.g. to
// write a local CRL file.
func (r *Responder) CRL(t testing.TB) []byte {
	t.Helper()
	der, err := r.crl()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func (r *Responder) crl() ([]byte, error) {
	r.mu.Lock()
	var entries []x509.RevocationListEntry
	for s, at := range r.revoked {
		n, _ := new(big.Int).SetString(s, 10)
		entries = append(entries, x509.RevocationListEntry{SerialNumber: n, RevocationTime: at})
	}
	r.mu.Unlock()
	now := r.ca.Now()
	return x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:                    big.NewInt(now.Unix()),
		ThisUpdate:                now.Add(-time.Hour),
		NextUpdate:                now.Add(24 * time.Hour),
		RevokedCertificateEntries: entries,
	}, r.ca.Intermediate, r.ca.IntermediateKey)
}

func (r *Responder) serveCRL(w http.ResponseWriter, _ *http.Request) {
	r.mu.Lock()
	down := r.crlDown
	r.crlRequests++
	r.mu.Unlock()
	if down {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	der, err := r.crl()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	w.Write(der)
}

func (r *Responder) serveOCSP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	down := r.ocspDown
	r.mu.Unlock()
	if down {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<16))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q, err := ocsp.ParseRequest(body)
	if err != nil {
		w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	now := r.ca.Now()
	tmpl := ocsp.Response{
		Status:       ocsp.Good,
		SerialNumber: q.SerialNumber,
		ThisUpdate:   now.Add(-time.Minute),
		NextUpdate:   now.Add(12 * time.Hour),
		Certificate:  r.ocspCrt,
	}
	r.mu.Lock()
	if at, ok := r.revoked[q.SerialNumber.String()]; ok {
		tmpl.Status = ocsp.Revoked
		tmpl.RevokedAt = at
		tmpl.RevocationReason = ocsp.KeyCompromise
	}
	r.mu.Unlock()
	der, err := ocsp.CreateResponse(r.ca.Intermediate, r.ocspCrt, tmpl, r.ocspKey)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(der)
}
