package esign

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
)

// An identity source tells where an accredited CA writes the holder's cédula.
type cedulaSource struct {
	oid  asn1.ObjectIdentifier
	name string
}

var oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}
var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// cedulaExtensions are the CAs that write the cédula in their own
// certificate extension 1.3.6.1.4.1.<arc>.3.1, in DESIGN §5's order.
var cedulaExtensions = []cedulaSource{
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 37947, 3, 1}, "Banco Central del Ecuador"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 37746, 3, 1}, "Security Data"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 37442, 3, 1}, "ANF AC"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 18332, 3, 1}, "ANF AC"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 52643, 3, 1}, "Datil"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 59382, 3, 1}, "Lazzate"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 56105, 3, 1}, "Alpha Technologies"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 59198, 3, 1}, "Argosdata"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 34380, 3, 1}, "Corpnewbest"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 61305, 3, 1}, "Firmasegura"},
}

// cedulaOtherNames are the CAs that write the cédula as a subjectAltName
// otherName.
var cedulaOtherNames = []cedulaSource{
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 43745, 1, 3, 1}, "Consejo de la Judicatura"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 47286, 102, 3, 1}, "Uanataca"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57153, 102, 3, 1}, "Eclipsoft"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55519, 1, 1, 1, 5, 2, 1}, "Registro Civil"},
}

// CedulaFromCertificate returns the holder's cédula written in an Ecuadorian
// signature certificate, and where it was found, looking in DESIGN §5's
// order: the subject serialNumber "IDCEC-<cédula>" (2024 profile), a CA's
// extension 1.3.6.1.4.1.<arc>.3.1, a subjectAltName otherName. source reads
// like "subject serialNumber (2.5.4.5)" or "extension 1.3.6.1.4.1.37947.3.1
// (Banco Central del Ecuador)". A value that is not 10 digits is passed over;
// the check digit is not verified here (that is the N.U.I. package's job).
// Without a cédula the error wraps ErrNoCedula.
func CedulaFromCertificate(cert *x509.Certificate) (cedula, source string, err error) {
	if cert == nil {
		return "", "", fmt.Errorf("cédula: no certificate: %w", ErrNoCedula)
	}
	for _, atv := range cert.Subject.Names {
		if !atv.Type.Equal(oidSerialNumber) {
			continue
		}
		s, ok := atv.Value.(string)
		if !ok {
			continue
		}
		s = strings.TrimSpace(s)
		if rest, ok := strings.CutPrefix(strings.ToUpper(s), "IDCEC-"); ok && isCedulaShape(rest) {
			return rest, "subject serialNumber (2.5.4.5)", nil
		}
	}
	for _, src := range cedulaExtensions {
		for _, ext := range cert.Extensions {
			if !ext.Id.Equal(src.oid) {
				continue
			}
			if c, ok := cedulaFromValue(ext.Value); ok {
				return c, fmt.Sprintf("extension %s (%s)", src.oid, src.name), nil
			}
		}
	}
	for _, ext := range cert.Extensions {
		if !ext.Id.Equal(oidSubjectAltName) {
			continue
		}
		names, err := otherNames(ext.Value)
		if err != nil {
			continue
		}
		for _, src := range cedulaOtherNames {
			for _, on := range names {
				if !on.typeID.Equal(src.oid) {
					continue
				}
				if c, ok := cedulaFromValue(on.value); ok {
					return c, fmt.Sprintf("subjectAltName otherName %s (%s)", src.oid, src.name), nil
				}
			}
		}
	}
	return "", "", fmt.Errorf("cédula: none in the certificate of %q: %w", cert.Subject.CommonName, ErrNoCedula)
}

func isCedulaShape(s string) bool {
	if len(s) != 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cedulaFromValue reads one ASN.1 string, unwrapping context-specific
// explicit tags; as a last resort it accepts bare ASCII digits, which some
// CAs have written without an ASN.1 header.
func cedulaFromValue(b []byte) (string, bool) {
	cur := b
	for range 4 {
		var rv asn1.RawValue
		rest, err := asn1.Unmarshal(cur, &rv)
		if err != nil || len(rest) != 0 {
			break
		}
		if rv.Class == asn1.ClassContextSpecific && rv.IsCompound {
			cur = rv.Bytes
			continue
		}
		if rv.Class != asn1.ClassUniversal || rv.IsCompound {
			break
		}
		var s string
		switch rv.Tag {
		case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String, asn1.TagT61String,
			asn1.TagNumericString, 26 /* VisibleString */, 27 /* GeneralString */ :
			s = string(rv.Bytes)
		case asn1.TagBMPString:
			if len(rv.Bytes)%2 != 0 {
				return "", false
			}
			var sb strings.Builder
			for i := 0; i < len(rv.Bytes); i += 2 {
				if rv.Bytes[i] != 0 {
					return "", false
				}
				sb.WriteByte(rv.Bytes[i+1])
			}
			s = sb.String()
		default:
			return "", false
		}
		s = strings.TrimSpace(s)
		return s, isCedulaShape(s)
	}
	s := strings.TrimSpace(string(b))
	return s, isCedulaShape(s)
}

type otherName struct {
	typeID asn1.ObjectIdentifier
	value  []byte // the DER inside the [0] EXPLICIT value
}

// otherNames returns the otherName entries of a subjectAltName value; Go's
// x509 package drops them.
func otherNames(san []byte) ([]otherName, error) {
	var seq asn1.RawValue
	rest, err := asn1.Unmarshal(san, &seq)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 || seq.Class != asn1.ClassUniversal || seq.Tag != asn1.TagSequence {
		return nil, errors.New("subjectAltName is not a SEQUENCE")
	}
	var out []otherName
	for b := seq.Bytes; len(b) > 0; {
		var gn asn1.RawValue
		b, err = asn1.Unmarshal(b, &gn)
		if err != nil {
			return out, err
		}
		if gn.Class != asn1.ClassContextSpecific || gn.Tag != 0 || !gn.IsCompound {
			continue
		}
		var id asn1.ObjectIdentifier
		inner, err := asn1.Unmarshal(gn.Bytes, &id)
		if err != nil {
			continue
		}
		out = append(out, otherName{typeID: id, value: inner})
	}
	return out, nil
}
