// Package esigntest builds what tests of signed registration documents need:
// certification authorities reproducing the Ecuadorian certificate profiles,
// signed PDFs from two independent signers, a loopback CRL/OCSP responder and
// a time-stamping authority, and a small valid PDF. It does not import esign,
// so esign's own tests can use it.
package esigntest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"sync"
	"testing"
	"time"
)

// Profile is where a certificate carries the holder's cédula, after the
// practice of a real Ecuadorian CA.
type Profile int

const (
	// ProfileBancoCentral writes it in extension 1.3.6.1.4.1.37947.3.1 as a
	// UTF8String, next to the other 37947.3.x holder extensions; the
	// subject serialNumber holds a certificate number, not the cédula.
	ProfileBancoCentral Profile = iota + 1
	// ProfileSecurityData writes it in extension 1.3.6.1.4.1.37746.3.1 as
	// a PrintableString.
	ProfileSecurityData
	// ProfileUanataca writes it in a subjectAltName otherName
	// 1.3.6.1.4.1.47286.102.3.1 ([0] EXPLICIT UTF8String).
	ProfileUanataca
	// ProfileIDCEC is the 2024 profile: subject serialNumber IDCEC-<cédula>.
	ProfileIDCEC
)

// String names the profile in test names.
func (p Profile) String() string {
	switch p {
	case ProfileBancoCentral:
		return "BancoCentral"
	case ProfileSecurityData:
		return "SecurityData"
	case ProfileUanataca:
		return "Uanataca"
	case ProfileIDCEC:
		return "IDCEC"
	}
	return "none"
}

// CA is a root and an intermediate CA that issues signer certificates, as
// an accredited Ecuadorian CA is organised.
type CA struct {
	Root            *x509.Certificate
	RootKey         crypto.Signer
	Intermediate    *x509.Certificate
	IntermediateKey crypto.Signer
	// Now is the CA's clock: validity periods, CRLs, OCSP and time-stamps
	// are dated from it.
	Now func() time.Time

	mu     sync.Mutex
	serial int64
}

// NewCA creates a root (valid 10 years back and 20 ahead of now) and an
// intermediate (5 back, 10 ahead), with ECDSA P-256 keys.
func NewCA(t testing.TB, name string, now time.Time) *CA {
	t.Helper()
	ca := &CA{Now: func() time.Time { return now }, serial: 1000}
	ca.RootKey = newECKey(t)
	ca.Root = ca.create(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: name + " Raíz", Organization: []string{name}, Country: []string{"EC"}},
		NotBefore:             now.AddDate(-10, 0, 0),
		NotAfter:              now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}, nil, ca.RootKey.Public(), ca.RootKey)
	ca.IntermediateKey = newECKey(t)
	ca.Intermediate = ca.create(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: name + " Subordinada", Organization: []string{name}, Country: []string{"EC"}},
		NotBefore:             now.AddDate(-5, 0, 0),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}, ca.Root, ca.IntermediateKey.Public(), ca.RootKey)
	return ca
}

func newECKey(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (ca *CA) nextSerial() *big.Int {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.serial++
	return big.NewInt(ca.serial)
}

// create signs tmpl with parentKey (self-signed when parent is nil).
func (ca *CA) create(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = ca.nextSerial()
	if parent == nil {
		parent = tmpl
	}
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		t.Fatal(err)
	}
	ski := sha1.Sum(info.Key.Bytes)
	tmpl.SubjectKeyId = ski[:]
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// SignerOptions describes a citizen's signature certificate.
type SignerOptions struct {
	Profile Profile
	// Cedula is the holder's cédula; empty makes a certificate without one.
	Cedula string
	// Name is the holder's name (the subject CN); a default is used if empty.
	Name string
	// NotBefore and NotAfter default to 30 days before and 2 years after the
	// CA's now.
	NotBefore, NotAfter time.Time
	// KeyUsage defaults to digitalSignature | contentCommitment.
	KeyUsage x509.KeyUsage
	// CRLURL and OCSPURL, if set, go in the CRL distribution points and the
	// authority information access extensions.
	CRLURL, OCSPURL string
	// RSA makes a 2048-bit RSA key instead of ECDSA P-256.
	RSA bool
}

// Signer is a citizen's certificate with its private key.
type Signer struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Chain is the issuing chain, intermediate first, root last.
	Chain []*x509.Certificate
}

// OIDs the profiles use.
var (
	oidBCECedula       = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 37947, 3, 1}
	oidBCENames        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 37947, 3, 2}
	oidBCESurname      = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 37947, 3, 3}
	oidSecDataCedula   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 37746, 3, 1}
	oidSecDataNames    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 37746, 3, 2}
	oidUanatacaCedula  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 47286, 102, 3, 1}
	oidSubjectAltName  = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidSerialNumberATV = asn1.ObjectIdentifier{2, 5, 4, 5}
)

func mustMarshal(t testing.TB, v any, params string) []byte {
	t.Helper()
	b, err := asn1.MarshalWithParams(v, params)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Issue creates a signer certificate under the intermediate.
func (ca *CA) Issue(t testing.TB, o SignerOptions) *Signer {
	t.Helper()
	now := ca.Now()
	if o.Name == "" {
		o.Name = "MARÍA JOSÉ PÉREZ LÓPEZ"
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = now.AddDate(0, 0, -30)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = now.AddDate(2, 0, 0)
	}
	if o.KeyUsage == 0 {
		o.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	}
	var key crypto.Signer
	if o.RSA {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	} else {
		key = newECKey(t)
	}
	tmpl := &x509.Certificate{
		Subject: pkix.Name{
			CommonName: o.Name,
			Country:    []string{"EC"},
		},
		NotBefore:      o.NotBefore,
		NotAfter:       o.NotAfter,
		KeyUsage:       o.KeyUsage,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		EmailAddresses: []string{"maria.perez@example.ec"},
	}
	if o.CRLURL != "" {
		tmpl.CRLDistributionPoints = []string{o.CRLURL}
	}
	if o.OCSPURL != "" {
		tmpl.OCSPServer = []string{o.OCSPURL}
	}
	ext := func(id asn1.ObjectIdentifier, v any, params string) {
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: id, Value: mustMarshal(t, v, params)})
	}
	switch o.Profile {
	case ProfileBancoCentral:
		tmpl.Subject.Organization = []string{"BANCO CENTRAL DEL ECUADOR"}
		tmpl.Subject.OrganizationalUnit = []string{"ENTIDAD DE CERTIFICACION DE INFORMACION-ECIBCE"}
		// A certificate number, not the cédula: the verifier must not take it.
		tmpl.Subject.SerialNumber = "0000254631"
		ext(oidBCENames, "MARIA JOSE", "utf8")
		ext(oidBCESurname, "PEREZ", "utf8")
		if o.Cedula != "" {
			ext(oidBCECedula, o.Cedula, "utf8")
		}
	case ProfileSecurityData:
		tmpl.Subject.Organization = []string{"SECURITY DATA S.A. 2"}
		tmpl.Subject.SerialNumber = "110823152515"
		ext(oidSecDataNames, "MARIA JOSE", "printable")
		if o.Cedula != "" {
			ext(oidSecDataCedula, o.Cedula, "printable")
		}
	case ProfileUanataca:
		tmpl.Subject.Organization = []string{"UANATACA ECUADOR S.A."}
		if o.Cedula != "" {
			// The SAN is written by hand: Go's x509 cannot emit otherName.
			tmpl.EmailAddresses = nil
			// otherName ::= [0] IMPLICIT SEQUENCE { type-id, [0] EXPLICIT value }
			value := mustMarshal(t, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true,
				Bytes: mustMarshal(t, o.Cedula, "utf8")}, "")
			other := mustMarshal(t, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true,
				Bytes: append(mustMarshal(t, oidUanatacaCedula, ""), value...)}, "")
			email := mustMarshal(t, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, Bytes: []byte("maria.perez@example.ec")}, "")
			san := mustMarshal(t, []asn1.RawValue{{FullBytes: other}, {FullBytes: email}}, "")
			tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidSubjectAltName, Value: san})
		}
	case ProfileIDCEC:
		tmpl.Subject.Organization = []string{"ENTIDAD DE CERTIFICACION EJEMPLO"}
		if o.Cedula != "" {
			tmpl.Subject.ExtraNames = append(tmpl.Subject.ExtraNames, pkix.AttributeTypeAndValue{Type: oidSerialNumberATV, Value: "IDCEC-" + o.Cedula})
		}
	}
	cert := ca.create(t, tmpl, ca.Intermediate, key.Public(), ca.IntermediateKey)
	return &Signer{Cert: cert, Key: key, Chain: []*x509.Certificate{ca.Intermediate, ca.Root}}
}
