package esign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	_ "crypto/sha256" // register the hashes CMS signers use
	_ "crypto/sha512"
)

// Object identifiers of RFC 5652 (CMS), RFC 5035 (ESS), RFC 3161 and the
// algorithm registries.
var (
	oidData                   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSTInfo                = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidAttrContentType        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidAttrSigningCert        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidAttrSigningCertV2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidAttrSignatureTimeStamp = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}

	oidRSA             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidSHA1WithRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidECPublicKey     = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSAWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidEd25519         = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// errWeak marks algorithm failures, which map to ErrUnsupportedAlgorithm.
var errWeak = errors.New("unsupported or weak algorithm")

// hashFor maps a digest algorithm OID to an accepted hash. Some signers
// put a signature algorithm OID in the digest field; its hash is used.
func hashFor(oid asn1.ObjectIdentifier) (crypto.Hash, error) {
	switch {
	case oid.Equal(oidSHA256), oid.Equal(oidSHA256WithRSA), oid.Equal(oidECDSAWithSHA256):
		return crypto.SHA256, nil
	case oid.Equal(oidSHA384), oid.Equal(oidSHA384WithRSA), oid.Equal(oidECDSAWithSHA384):
		return crypto.SHA384, nil
	case oid.Equal(oidSHA512), oid.Equal(oidSHA512WithRSA), oid.Equal(oidECDSAWithSHA512):
		return crypto.SHA512, nil
	case oid.Equal(oidSHA1), oid.Equal(oidSHA1WithRSA), oid.Equal(oidECDSAWithSHA1):
		return 0, fmt.Errorf("digest SHA-1: %w", errWeak)
	}
	return 0, fmt.Errorf("digest %s: %w", oid, errWeak)
}

// hashName is the name recorded in the Report.
func hashName(h crypto.Hash) string {
	switch h {
	case crypto.SHA256:
		return "SHA-256"
	case crypto.SHA384:
		return "SHA-384"
	case crypto.SHA512:
		return "SHA-512"
	}
	return h.String()
}

type contentInfoASN struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

type signedDataASN struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo encapContentInfoASN
	Certificates     asn1.RawValue   `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue   `asn1:"optional,tag:1"`
	SignerInfos      []asn1.RawValue `asn1:"set"`
}

type encapContentInfoASN struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

type signerInfoASN struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type attributeASN struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue `asn1:"set"`
}

type issuerAndSerialASN struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

// signedCMS is the one SignerInfo of a CMS SignedData, with what verifying it
// needs.
type signedCMS struct {
	hash         crypto.Hash
	eContentType asn1.ObjectIdentifier
	eContent     []byte // nil when detached
	certs        []*x509.Certificate
	signer       *x509.Certificate
	signerCount  int
	// signedAttrs is the DER of the signed attributes with the SET OF tag:
	// the exact bytes the signature covers. Nil when absent.
	signedAttrs []byte
	attrs       []attributeASN
	unsigned    []attributeASN
	sigAlg      pkix.AlgorithmIdentifier
	signature   []byte
}

// parseCMS reads a ContentInfo holding SignedData, tolerating trailing bytes
// (the zero padding of /Contents) and BER.
func parseCMS(b []byte) (*signedCMS, error) {
	var ci contentInfoASN
	if _, err := asn1.Unmarshal(b, &ci); err != nil {
		der, _, berr := berToDER(b)
		if berr != nil {
			return nil, fmt.Errorf("parse CMS: %w", err)
		}
		if _, err := asn1.Unmarshal(der, &ci); err != nil {
			return nil, fmt.Errorf("parse CMS: %w", err)
		}
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("parse CMS: content type %s is not SignedData", ci.ContentType)
	}
	var sd signedDataASN
	// encoding/asn1 keeps the [0] EXPLICIT wrapper in a RawValue: the
	// SignedData is its content.
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, fmt.Errorf("parse SignedData: %w", err)
	}
	c := &signedCMS{eContentType: sd.EncapContentInfo.EContentType}
	if ec := sd.EncapContentInfo.EContent; len(ec.FullBytes) > 0 {
		var oct []byte
		if _, err := asn1.Unmarshal(ec.Bytes, &oct); err != nil {
			return nil, fmt.Errorf("parse eContent: %w", err)
		}
		c.eContent = oct
	}
	for rest := sd.Certificates.Bytes; len(rest) > 0; {
		var raw asn1.RawValue
		var err error
		rest, err = asn1.Unmarshal(rest, &raw)
		if err != nil {
			return nil, fmt.Errorf("parse certificates: %w", err)
		}
		if raw.Class != asn1.ClassUniversal || raw.Tag != asn1.TagSequence {
			continue // attribute or other certificate formats
		}
		cert, err := x509.ParseCertificate(raw.FullBytes)
		if err != nil {
			// An extra certificate Go cannot read (an old root, say) must
			// not sink the signature; a missing signer is caught below.
			continue
		}
		c.certs = append(c.certs, cert)
	}
	c.signerCount = len(sd.SignerInfos)
	if c.signerCount == 0 {
		return nil, errors.New("parse SignedData: no SignerInfo")
	}
	var si signerInfoASN
	if _, err := asn1.Unmarshal(sd.SignerInfos[0].FullBytes, &si); err != nil {
		return nil, fmt.Errorf("parse SignerInfo: %w", err)
	}
	c.sigAlg = si.SignatureAlgorithm
	c.signature = si.Signature
	h, err := hashFor(si.DigestAlgorithm.Algorithm)
	if err != nil {
		return nil, err
	}
	c.hash = h
	if len(si.SignedAttrs.FullBytes) > 0 {
		c.signedAttrs = append([]byte{0x31}, si.SignedAttrs.FullBytes[1:]...)
		if c.attrs, err = parseAttributes(si.SignedAttrs.Bytes); err != nil {
			return nil, fmt.Errorf("parse signed attributes: %w", err)
		}
	}
	if len(si.UnsignedAttrs.Bytes) > 0 {
		if c.unsigned, err = parseAttributes(si.UnsignedAttrs.Bytes); err != nil {
			return nil, fmt.Errorf("parse unsigned attributes: %w", err)
		}
	}
	c.signer = findSigner(si.SID, c.certs)
	if c.signer == nil {
		return nil, errors.New("the signer's certificate is not in the signature")
	}
	return c, nil
}

func parseAttributes(b []byte) ([]attributeASN, error) {
	var out []attributeASN
	for len(b) > 0 {
		var a attributeASN
		var err error
		b, err = asn1.Unmarshal(b, &a)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// attr returns the single value of the attribute oid, or nil.
func attr(attrs []attributeASN, oid asn1.ObjectIdentifier) *asn1.RawValue {
	for i := range attrs {
		if attrs[i].Type.Equal(oid) && len(attrs[i].Values) > 0 {
			return &attrs[i].Values[0]
		}
	}
	return nil
}

// findSigner matches the SignerIdentifier: IssuerAndSerialNumber or a
// [0] SubjectKeyIdentifier.
func findSigner(sid asn1.RawValue, certs []*x509.Certificate) *x509.Certificate {
	switch {
	case sid.Class == asn1.ClassUniversal && sid.Tag == asn1.TagSequence:
		var ias issuerAndSerialASN
		if _, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil || ias.Serial == nil {
			return nil
		}
		for _, c := range certs {
			if c.SerialNumber.Cmp(ias.Serial) == 0 && bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) {
				return c
			}
		}
		// Some signers re-encode the issuer name (string types): compare
		// the parsed names.
		var rdn pkix.RDNSequence
		if _, err := asn1.Unmarshal(ias.Issuer.FullBytes, &rdn); err != nil {
			return nil
		}
		var name pkix.Name
		name.FillFromRDNSequence(&rdn)
		for _, c := range certs {
			if c.SerialNumber.Cmp(ias.Serial) == 0 && c.Issuer.String() == name.String() {
				return c
			}
		}
	case sid.Class == asn1.ClassContextSpecific && sid.Tag == 0:
		for _, c := range certs {
			if len(c.SubjectKeyId) > 0 && bytes.Equal(c.SubjectKeyId, sid.Bytes) {
				return c
			}
		}
	}
	return nil
}

// verify checks that the SignerInfo signs content whose digest (with c.hash)
// is digest: the message-digest and content-type attributes, the ESS
// signing-certificate binding, and the signature itself. A wrong digest
// wraps ErrDigestMismatch; a wrong algorithm errWeak.
func (c *signedCMS) verify(digest []byte) error {
	toCheck := digest
	sigHash := c.hash
	if c.signedAttrs != nil {
		md := attr(c.attrs, oidAttrMessageDigest)
		if md == nil {
			return errors.New("no message-digest attribute")
		}
		var got []byte
		if _, err := asn1.Unmarshal(md.FullBytes, &got); err != nil {
			return fmt.Errorf("message-digest attribute: %w", err)
		}
		if subtle.ConstantTimeCompare(got, digest) != 1 {
			return ErrDigestMismatch
		}
		if ct := attr(c.attrs, oidAttrContentType); ct != nil {
			var oid asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(ct.FullBytes, &oid); err != nil {
				return fmt.Errorf("content-type attribute: %w", err)
			}
			if !oid.Equal(c.eContentType) {
				return fmt.Errorf("content-type attribute %s differs from the content %s", oid, c.eContentType)
			}
		}
		if err := c.checkSigningCertificate(); err != nil {
			return err
		}
		if h, ok := sigAlgHash(c.sigAlg.Algorithm); ok {
			sigHash = h
		}
		hh := sigHash.New()
		hh.Write(c.signedAttrs)
		toCheck = hh.Sum(nil)
	}
	return checkSignature(c.signer.PublicKey, c.sigAlg, sigHash, toCheck, c.signedAttrs, c.signature)
}

// sigAlgHash returns the hash a signature algorithm OID names, if any.
func sigAlgHash(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid.Equal(oidSHA256WithRSA), oid.Equal(oidECDSAWithSHA256):
		return crypto.SHA256, true
	case oid.Equal(oidSHA384WithRSA), oid.Equal(oidECDSAWithSHA384):
		return crypto.SHA384, true
	case oid.Equal(oidSHA512WithRSA), oid.Equal(oidECDSAWithSHA512):
		return crypto.SHA512, true
	}
	return 0, false
}

type essCertIDv2ASN struct {
	HashAlgorithm pkix.AlgorithmIdentifier `asn1:"optional"`
	CertHash      []byte
}

type essCertIDASN struct {
	CertHash []byte
}

// checkSigningCertificate enforces the ESS signing-certificate(-v2)
// attribute when present (CAdES requires it): it names the certificate the
// signer meant, so another certificate with the same key cannot be swapped in.
func (c *signedCMS) checkSigningCertificate() error {
	if v := attr(c.attrs, oidAttrSigningCertV2); v != nil {
		var sc struct {
			Certs []asn1.RawValue
		}
		if _, err := asn1.Unmarshal(v.FullBytes, &sc); err != nil || len(sc.Certs) == 0 {
			return errors.New("malformed signing-certificate-v2 attribute")
		}
		var id essCertIDv2ASN
		if _, err := asn1.Unmarshal(sc.Certs[0].FullBytes, &id); err != nil {
			// The hash algorithm is DEFAULT sha256 and often omitted; the
			// struct above then sees the OCTET STRING first.
			var only struct{ CertHash []byte }
			if _, err := asn1.Unmarshal(sc.Certs[0].FullBytes, &only); err != nil {
				return errors.New("malformed signing-certificate-v2 attribute")
			}
			id.CertHash = only.CertHash
		}
		h := crypto.SHA256
		if len(id.HashAlgorithm.Algorithm) > 0 {
			var err error
			if h, err = hashFor(id.HashAlgorithm.Algorithm); err != nil {
				return err
			}
		}
		hh := h.New()
		hh.Write(c.signer.Raw)
		if !bytes.Equal(hh.Sum(nil), id.CertHash) {
			return errors.New("the signing-certificate-v2 attribute names another certificate")
		}
		return nil
	}
	if v := attr(c.attrs, oidAttrSigningCert); v != nil {
		var sc struct {
			Certs []essCertIDASN
		}
		if _, err := asn1.Unmarshal(v.FullBytes, &sc); err != nil || len(sc.Certs) == 0 {
			return errors.New("malformed signing-certificate attribute")
		}
		hh := crypto.SHA1.New()
		hh.Write(c.signer.Raw)
		if !bytes.Equal(hh.Sum(nil), sc.Certs[0].CertHash) {
			return errors.New("the signing-certificate attribute names another certificate")
		}
	}
	return nil
}

type pssParamsASN struct {
	Hash       pkix.AlgorithmIdentifier `asn1:"explicit,optional,tag:0"`
	MGF        pkix.AlgorithmIdentifier `asn1:"explicit,optional,tag:1"`
	SaltLength int                      `asn1:"explicit,optional,tag:2,default:20"`
}

// checkSignature verifies sig over digest (a hash h of the signed bytes;
// message is the signed bytes themselves, for Ed25519).
func checkSignature(pub crypto.PublicKey, alg pkix.AlgorithmIdentifier, h crypto.Hash, digest, message, sig []byte) error {
	oid := alg.Algorithm
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch {
		case oid.Equal(oidRSAPSS):
			var p pssParamsASN
			if len(alg.Parameters.FullBytes) > 0 {
				if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil {
					return fmt.Errorf("RSASSA-PSS parameters: %w", err)
				}
			}
			if p.SaltLength < 0 || p.SaltLength > 1024 {
				return fmt.Errorf("RSASSA-PSS salt length %d", p.SaltLength)
			}
			ph := crypto.SHA1
			if len(p.Hash.Algorithm) > 0 {
				var err error
				if ph, err = hashFor(p.Hash.Algorithm); err != nil {
					return err
				}
			}
			if ph != h {
				return fmt.Errorf("RSASSA-PSS hash %s differs from the digest %s: %w", hashName(ph), hashName(h), errWeak)
			}
			return rsa.VerifyPSS(k, h, digest, sig, &rsa.PSSOptions{SaltLength: p.SaltLength, Hash: h})
		case oid.Equal(oidRSA), oid.Equal(oidSHA256WithRSA), oid.Equal(oidSHA384WithRSA), oid.Equal(oidSHA512WithRSA):
			return rsa.VerifyPKCS1v15(k, h, digest, sig)
		}
	case *ecdsa.PublicKey:
		switch {
		case oid.Equal(oidECPublicKey), oid.Equal(oidECDSAWithSHA256), oid.Equal(oidECDSAWithSHA384), oid.Equal(oidECDSAWithSHA512):
			if ecdsa.VerifyASN1(k, digest, sig) {
				return nil
			}
			// Some PKCS#11 tokens emit r||s instead of the DER SEQUENCE.
			n := (k.Curve.Params().BitSize + 7) / 8
			if len(sig) == 2*n {
				r := new(big.Int).SetBytes(sig[:n])
				s := new(big.Int).SetBytes(sig[n:])
				if ecdsa.Verify(k, digest, r, s) {
					return nil
				}
			}
			return errors.New("ECDSA verification failure")
		}
	case ed25519.PublicKey:
		if oid.Equal(oidEd25519) && message != nil {
			if ed25519.Verify(k, message, sig) {
				return nil
			}
			return errors.New("Ed25519 verification failure")
		}
	}
	return fmt.Errorf("signature algorithm %s with key %T: %w", oid, pub, errWeak)
}

type tstInfoASN struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint struct {
		HashAlgorithm pkix.AlgorithmIdentifier
		HashedMessage []byte
	}
	SerialNumber *big.Int
	GenTime      time.Time `asn1:"generalized"`
}

// timestampToken is a verified RFC 3161 token over a signature value; the
// TSA's chain is checked by the caller.
type timestampToken struct {
	time   time.Time
	serial *big.Int
	cms    *signedCMS
}

// parseTimestamp verifies token as a time-stamp over signature (the
// SignerInfo signature value, as id-aa-signatureTimeStampToken requires).
func parseTimestamp(token, signature []byte) (*timestampToken, error) {
	c, err := parseCMS(token)
	if err != nil {
		return nil, err
	}
	if !c.eContentType.Equal(oidTSTInfo) || c.eContent == nil {
		return nil, errors.New("time-stamp token does not hold a TSTInfo")
	}
	h := c.hash.New()
	h.Write(c.eContent)
	if err := c.verify(h.Sum(nil)); err != nil {
		return nil, fmt.Errorf("time-stamp token signature: %w", err)
	}
	var info tstInfoASN
	if _, err := asn1.Unmarshal(c.eContent, &info); err != nil {
		return nil, fmt.Errorf("parse TSTInfo: %w", err)
	}
	ih, err := hashFor(info.MessageImprint.HashAlgorithm.Algorithm)
	if err != nil {
		return nil, fmt.Errorf("time-stamp imprint: %w", err)
	}
	hh := ih.New()
	hh.Write(signature)
	if !bytes.Equal(hh.Sum(nil), info.MessageImprint.HashedMessage) {
		return nil, errors.New("the time-stamp covers another signature")
	}
	return &timestampToken{time: info.GenTime, serial: info.SerialNumber, cms: c}, nil
}
