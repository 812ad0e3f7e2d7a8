package esigntest

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/digitorus/timestamp"
)

// TSA is a loopback RFC 3161 time-stamping authority under a CA's
// intermediate. Its tokens carry the CA's time (CA.Now) unless Now is set.
type TSA struct {
	// URL accepts application/timestamp-query POSTs.
	URL  string
	Cert *x509.Certificate
	Key  crypto.Signer
	// Now, if set, overrides the CA's clock for the tokens' genTime.
	Now func() time.Time

	ca *CA
}

// NewTSA starts a time-stamping authority; it stops when the test ends.
func (ca *CA) NewTSA(t testing.TB) *TSA {
	t.Helper()
	now := ca.Now()
	tsa := &TSA{ca: ca, Key: newECKey(t)}
	tsa.Cert = ca.create(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "TSA " + ca.Intermediate.Subject.CommonName, Country: []string{"EC"}},
		NotBefore:   now.AddDate(-1, 0, 0),
		NotAfter:    now.AddDate(5, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	}, ca.Intermediate, tsa.Key.Public(), ca.IntermediateKey)
	srv := httptest.NewServer(http.HandlerFunc(tsa.serve))
	t.Cleanup(srv.Close)
	tsa.URL = srv.URL
	return tsa
}

func (tsa *TSA) now() time.Time {
	if tsa.Now != nil {
		return tsa.Now()
	}
	return tsa.ca.Now()
}

func (tsa *TSA) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, err := timestamp.ParseRequest(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := tsa.response(req.HashAlgorithm, req.HashedMessage, req.Nonce)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(resp)
}

var oidTSAPolicy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1, 1}

func (tsa *TSA) response(h crypto.Hash, digest []byte, nonce *big.Int) ([]byte, error) {
	ts := timestamp.Timestamp{
		HashAlgorithm:     h,
		HashedMessage:     digest,
		Time:              tsa.now().UTC(),
		Policy:            oidTSAPolicy,
		AddTSACertificate: true,
		Nonce:             nonce,
	}
	return ts.CreateResponseWithOpts(tsa.Cert, tsa.Key, crypto.SHA256)
}

// Token returns a time-stamp token (a CMS ContentInfo) over message, the way
// a signer gets one for its signature value.
func (tsa *TSA) Token(h crypto.Hash, message []byte) ([]byte, error) {
	hh := h.New()
	hh.Write(message)
	resp, err := tsa.response(h, hh.Sum(nil), nil)
	if err != nil {
		return nil, err
	}
	ts, err := timestamp.ParseResponse(resp)
	if err != nil {
		return nil, fmt.Errorf("time-stamp response: %w", err)
	}
	if !bytes.HasPrefix(ts.RawToken, []byte{0x30}) {
		return nil, fmt.Errorf("time-stamp token is not a SEQUENCE")
	}
	return ts.RawToken, nil
}
