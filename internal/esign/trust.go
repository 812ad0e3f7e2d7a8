package esign

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// trustExtensions are the file names LoadTrustDir reads; anything else in
// the directory (README, CRLs) is ignored.
var trustExtensions = []string{".pem", ".crt", ".cer", ".der"}

// LoadTrustDir reads the operator's trust list: every .pem, .crt, .cer and
// .der file in dir (not its subdirectories), each holding PEM certificates
// or one DER certificate, as Ecuadorian CAs publish them. Every certificate
// becomes a trust anchor, so the list may hold root CAs or the subordinate
// CAs the operator chose to trust directly. An empty directory gives an
// empty pool, which trusts nothing.
func LoadTrustDir(dir string) (*x509.CertPool, []*x509.Certificate, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("trust list %s: %w", dir, err)
	}
	pool := x509.NewCertPool()
	var certs []*x509.Certificate
	for _, e := range entries {
		if e.IsDir() || !slices.Contains(trustExtensions, strings.ToLower(filepath.Ext(e.Name()))) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("trust list: %w", err)
		}
		cs, err := parseCertificates(data)
		if err != nil {
			return nil, nil, fmt.Errorf("trust list %s: %w", path, err)
		}
		for _, c := range cs {
			pool.AddCert(c)
			certs = append(certs, c)
		}
	}
	return pool, certs, nil
}

// parseCertificates reads PEM CERTIFICATE blocks, or one DER certificate.
func parseCertificates(data []byte) ([]*x509.Certificate, error) {
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, err
		}
		return []*x509.Certificate{c}, nil
	}
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no CERTIFICATE block")
	}
	return out, nil
}
