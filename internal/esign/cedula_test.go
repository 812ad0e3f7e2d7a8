package esign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/esign/esigntest"
)

// certWith self-signs a certificate with a subject and extensions, to write
// what no esigntest profile does.
func certWith(t testing.TB, subject pkix.Name, exts ...pkix.Extension) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:    big.NewInt(7),
		Subject:         subject,
		NotBefore:       time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:        time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		ExtraExtensions: exts,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ext(oid asn1.ObjectIdentifier, value []byte) pkix.Extension {
	return pkix.Extension{Id: oid, Value: value}
}

func asn1String(t testing.TB, s, params string) []byte {
	t.Helper()
	b, err := asn1.MarshalWithParams(s, params)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func context0(b []byte) []byte {
	v, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: b})
	return v
}

// san builds a subjectAltName with one otherName.
func san(t testing.TB, oid asn1.ObjectIdentifier, value []byte) pkix.Extension {
	t.Helper()
	id, _ := asn1.Marshal(oid)
	other := context0(append(id, value...))
	seq, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: other})
	return pkix.Extension{Id: oidSubjectAltName, Value: seq}
}

func TestCedulaFromCertificate(t *testing.T) {
	now := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	ca := esigntest.NewCA(t, "EC Prueba", now)
	profile := func(p esigntest.Profile, cedula string) *x509.Certificate {
		return ca.Issue(t, esigntest.SignerOptions{Profile: p, Cedula: cedula}).Cert
	}
	ext37442 := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 37442, 3, 1}
	ext18332 := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 18332, 3, 1}
	firmasegura := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 61305, 3, 1}
	registroCivil := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55519, 1, 1, 1, 5, 2, 1}
	judicatura := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 43745, 1, 3, 1}
	unknownArc := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 3, 1}
	idcec := pkix.Name{CommonName: "X", ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidSerialNumber, Value: "IDCEC-0962467429"}}}
	bmp := []byte{0x1e, 20}
	for _, r := range "1714307103" {
		bmp = append(bmp, 0, byte(r))
	}

	type result struct{ Cedula, Source string }
	tests := []struct {
		name string
		cert *x509.Certificate
		want result // empty: ErrNoCedula
	}{
		{"Banco Central profile", profile(esigntest.ProfileBancoCentral, "1714307103"),
			result{"1714307103", "extension 1.3.6.1.4.1.37947.3.1 (Banco Central del Ecuador)"}},
		{"Security Data profile", profile(esigntest.ProfileSecurityData, "0962467429"),
			result{"0962467429", "extension 1.3.6.1.4.1.37746.3.1 (Security Data)"}},
		{"Uanataca profile", profile(esigntest.ProfileUanataca, "3000000004"),
			result{"3000000004", "subjectAltName otherName 1.3.6.1.4.1.47286.102.3.1 (Uanataca)"}},
		{"2024 IDCEC profile", profile(esigntest.ProfileIDCEC, "1700000001"),
			result{"1700000001", "subject serialNumber (2.5.4.5)"}},
		{"Banco Central without cédula: its serialNumber is not one", profile(esigntest.ProfileBancoCentral, ""), result{}},
		{"IDCEC profile without cédula", profile(esigntest.ProfileIDCEC, ""), result{}},
		{"serialNumber wins over an extension",
			certWith(t, idcec, ext(ext37442, asn1String(t, "1714307103", "utf8"))),
			result{"0962467429", "subject serialNumber (2.5.4.5)"}},
		{"ANF current arc, IA5String",
			certWith(t, pkix.Name{CommonName: "X"}, ext(ext37442, asn1String(t, "1714307103", "ia5"))),
			result{"1714307103", "extension 1.3.6.1.4.1.37442.3.1 (ANF AC)"}},
		{"ANF old arc, PrintableString with spaces",
			certWith(t, pkix.Name{CommonName: "X"}, ext(ext18332, asn1String(t, " 1714307103 ", "printable"))),
			result{"1714307103", "extension 1.3.6.1.4.1.18332.3.1 (ANF AC)"}},
		{"Firmasegura, BMPString",
			certWith(t, pkix.Name{CommonName: "X"}, ext(firmasegura, bmp)),
			result{"1714307103", "extension 1.3.6.1.4.1.61305.3.1 (Firmasegura)"}},
		{"bare digits without an ASN.1 header",
			certWith(t, pkix.Name{CommonName: "X"}, ext(firmasegura, []byte("1714307103"))),
			result{"1714307103", "extension 1.3.6.1.4.1.61305.3.1 (Firmasegura)"}},
		{"Registro Civil otherName, doubly wrapped",
			certWith(t, pkix.Name{CommonName: "X"}, san(t, registroCivil, context0(context0(asn1String(t, "1714307103", "utf8"))))),
			result{"1714307103", "subjectAltName otherName 1.3.6.1.4.1.55519.1.1.1.5.2.1 (Registro Civil)"}},
		{"Consejo de la Judicatura otherName, PrintableString",
			certWith(t, pkix.Name{CommonName: "X"}, san(t, judicatura, context0(asn1String(t, "1714307103", "printable")))),
			result{"1714307103", "subjectAltName otherName 1.3.6.1.4.1.43745.1.3.1 (Consejo de la Judicatura)"}},
		{"serialNumber without the IDCEC prefix",
			certWith(t, pkix.Name{CommonName: "X", SerialNumber: "1714307103"}), result{}},
		{"IDCEC with 9 digits",
			certWith(t, pkix.Name{CommonName: "X", SerialNumber: "IDCEC-171430710"}), result{}},
		{"passport identifier",
			certWith(t, pkix.Name{CommonName: "X", SerialNumber: "PASEC-AB1234567"}), result{}},
		{"extension value not 10 digits",
			certWith(t, pkix.Name{CommonName: "X"}, ext(ext37442, asn1String(t, "17143071O3", "utf8"))), result{}},
		{"an unknown CA arc",
			certWith(t, pkix.Name{CommonName: "X"}, ext(unknownArc, asn1String(t, "1714307103", "utf8"))), result{}},
		{"otherName of an unknown OID",
			certWith(t, pkix.Name{CommonName: "X"}, san(t, unknownArc, context0(asn1String(t, "1714307103", "utf8")))), result{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, src, err := CedulaFromCertificate(tc.cert)
			if tc.want == (result{}) {
				if !errors.Is(err, ErrNoCedula) {
					t.Fatalf("got %q from %q, %v; want ErrNoCedula", c, src, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, result{c, src}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, _, err := CedulaFromCertificate(nil); !errors.Is(err, ErrNoCedula) {
		t.Errorf("nil certificate: %v", err)
	}
}

func FuzzCedulaFromCertificate(f *testing.F) {
	now := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	ca := esigntest.NewCA(f, "EC Fuzz", now)
	for _, p := range []esigntest.Profile{esigntest.ProfileBancoCentral, esigntest.ProfileSecurityData, esigntest.ProfileUanataca, esigntest.ProfileIDCEC} {
		f.Add(ca.Issue(f, esigntest.SignerOptions{Profile: p, Cedula: "1714307103"}).Cert.Raw)
	}
	f.Add(san(f, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 47286, 102, 3, 1}, context0(asn1String(f, "1714307103", "utf8"))).Value)
	f.Add([]byte{0x0c, 0x0a, '1', '7', '1', '4', '3', '0', '7', '1', '0', '3'})
	f.Fuzz(func(t *testing.T, der []byte) {
		// The bytes as a whole certificate...
		if cert, err := x509.ParseCertificate(der); err == nil {
			if c, _, err := CedulaFromCertificate(cert); err == nil && !isCedulaShape(c) {
				t.Fatalf("returned %q, not 10 digits", c)
			}
		}
		// ...and as the value of every place a cédula is looked for, which
		// the certificate parser would rarely let the fuzzer reach.
		cert := &x509.Certificate{Extensions: []pkix.Extension{
			{Id: cedulaExtensions[0].oid, Value: der},
			{Id: oidSubjectAltName, Value: der},
		}}
		cert.Subject.Names = []pkix.AttributeTypeAndValue{{Type: oidSerialNumber, Value: string(der)}}
		if c, _, err := CedulaFromCertificate(cert); err == nil && !isCedulaShape(c) {
			t.Fatalf("returned %q, not 10 digits", c)
		}
	})
}
