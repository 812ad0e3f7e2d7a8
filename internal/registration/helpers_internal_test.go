package registration

import (
	"crypto/x509"

	"buzon/internal/esign/esigntest"
)

// pool trusts the root of ca.
func pool(ca *esigntest.CA) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Root)
	return p
}
