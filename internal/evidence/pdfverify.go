package evidence

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pkcs7"
)

// VerifyPDF checks a constancia's PDF offline: that its one signature
// covers the whole file, that the signature is valid and made with the
// platform's certificate (pinned in opt, or else the one the JSON twin
// lists), and then the JSON twin it carries, as VerifyJSON does.
//
// It does not build a chain to a trusted root: a constancia is signed with
// the platform's own certificate, which a verifier pins or compares with
// the one published at /evidence/keys.
func VerifyPDF(data []byte, opt VerifyOptions) *Report {
	r := &Report{}
	const sigName = "PDF signature covers the whole file"
	if len(data) > MaxConstanciaSize {
		r.add(false, sigName, "%d bytes, more than %d", len(data), MaxConstanciaSize)
		return r
	}
	signed, contents, err := signedRanges(data)
	if err != nil {
		r.fail(sigName, err)
		return r
	}
	r.add(true, sigName, "%d bytes signed", len(signed))

	const cmsName = "PDF signature (CMS, SHA-256) is valid"
	signer, err := checkCMS(contents, signed)
	if err != nil {
		r.fail(cmsName, err)
		return r
	}
	r.add(true, cmsName, "signed by «%s»", signer.Subject.CommonName)

	const twinName = "JSON twin (constancia.json) is attached"
	js, err := embeddedFile(data, JSONAttachmentName)
	if err != nil {
		r.fail(twinName, err)
		return r
	}
	r.add(true, twinName, "SHA-256 %s", JSONSHA256(js))

	const certName = "PDF signer is the platform's certificate"
	trusted := opt.Certificates
	if len(trusted) == 0 {
		if doc, err := ParseDocument(js); err == nil {
			trusted, err = parseCertificates(doc.Keys.Certificates)
			if err != nil {
				r.fail(certName, err)
			}
		}
		r.Warnings = append(r.Warnings, "the PDF certificate was taken from the file itself: pin the platform's published certificate (--cert) to rule out a forgery")
	}
	found := false
	for _, c := range trusted {
		if c.Equal(signer) {
			found = true
		}
	}
	if found {
		sum := CertificateID(signer)
		r.add(true, certName, "%s", sum)
	} else {
		r.add(false, certName, "the signer «%s» is not among the %d expected certificates", signer.Subject.CommonName, len(trusted))
	}
	verifyJSON(r, js, opt)
	return r
}

var byteRangeRE = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)

// signedRanges finds the last signature's byte range and checks it covers
// the whole file but the signature's own /Contents, written as lowercase
// hex padded with zeros, exactly as the platform writes it.
func signedRanges(data []byte) (signed, contents []byte, err error) {
	all := byteRangeRE.FindAllSubmatchIndex(data, -1)
	if len(all) == 0 {
		return nil, nil, errors.New("the PDF has no signature")
	}
	if len(all) > 1 {
		return nil, nil, fmt.Errorf("the PDF has %d signatures; a constancia has one", len(all))
	}
	m := all[0]
	var v [4]int64
	for i := range v {
		v[i], err = strconv.ParseInt(string(data[m[2+2*i]:m[3+2*i]]), 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("byte range: %w", err)
		}
	}
	n := int64(len(data))
	if v[0] != 0 || v[1] <= 0 || v[2] <= v[1]+1 || v[2]+v[3] != n || v[3] < 0 {
		return nil, nil, fmt.Errorf("the signature covers bytes [0,%d) and [%d,%d), not the whole file of %d bytes", v[1], v[2], v[2]+v[3], n)
	}
	hexed := data[v[1]:v[2]]
	if hexed[0] != '<' || hexed[len(hexed)-1] != '>' {
		return nil, nil, errors.New("the bytes left out of the signature are not its /Contents")
	}
	hexed = hexed[1 : len(hexed)-1]
	for _, c := range hexed {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return nil, nil, errors.New("the signature's /Contents is not lowercase hex as the platform writes it")
		}
	}
	der := make([]byte, hex.DecodedLen(len(hexed)))
	if _, err := hex.Decode(der, hexed); err != nil {
		return nil, nil, fmt.Errorf("signature contents: %w", err)
	}
	var outer asn1.RawValue
	rest, err := asn1.Unmarshal(der, &outer)
	if err != nil {
		return nil, nil, fmt.Errorf("signature contents: %w", err)
	}
	if len(bytes.Trim(rest, "\x00")) != 0 {
		return nil, nil, errors.New("the signature's /Contents has data after the signature")
	}
	signed = append(bytes.Clone(data[:v[1]]), data[v[2]:]...)
	return signed, outer.FullBytes, nil
}

var (
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSHA256     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

// The shape of a CMS SignedData (RFC 5652), enough to check the parts no
// signature covers.
type cmsContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type cmsSignedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContentInfo struct {
		EContentType asn1.ObjectIdentifier
		EContent     asn1.RawValue `asn1:"optional,explicit,tag:0"`
	}
	Certificates asn1.RawValue  `asn1:"optional,tag:0"`
	CRLs         asn1.RawValue  `asn1:"optional,tag:1"`
	SignerInfos  []cmsSignerInf `asn1:"set"`
}

type cmsSignerInf struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

// checkCMS verifies a detached CMS signature over signed and returns the
// signer's certificate. Beyond the signature, it requires the unsigned
// parts of the structure to be exactly what the platform writes (one
// SHA-256 digest algorithm, one certificate, one signer, no unsigned
// attributes), so that no byte of the file can change unnoticed.
func checkCMS(der, signed []byte) (*x509.Certificate, error) {
	var ci cmsContentInfo
	if rest, err := asn1.Unmarshal(der, &ci); err != nil || len(rest) > 0 || !ci.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("not a CMS SignedData: %v", err)
	}
	var sd cmsSignedData
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("CMS SignedData: %v", err)
	}
	switch {
	case sd.Version != 1:
		return nil, fmt.Errorf("CMS version %d, want 1", sd.Version)
	case len(sd.DigestAlgorithms) != 1 || !sd.DigestAlgorithms[0].Algorithm.Equal(oidSHA256):
		return nil, errors.New("CMS digest algorithms are not SHA-256 alone")
	case !sd.EncapContentInfo.EContentType.Equal(oidData) || len(sd.EncapContentInfo.EContent.FullBytes) > 0:
		return nil, errors.New("CMS content is not detached data")
	case len(sd.CRLs.FullBytes) > 0:
		return nil, errors.New("CMS carries CRLs the platform does not write")
	case len(sd.SignerInfos) != 1:
		return nil, fmt.Errorf("CMS has %d signers, want 1", len(sd.SignerInfos))
	}
	si := sd.SignerInfos[0]
	switch {
	case si.Version != 1:
		return nil, fmt.Errorf("CMS signer version %d, want 1", si.Version)
	case !si.DigestAlgorithm.Algorithm.Equal(oidSHA256) ||
		!bytes.Equal(si.DigestAlgorithm.Parameters.FullBytes, sd.DigestAlgorithms[0].Parameters.FullBytes):
		return nil, errors.New("CMS signer digest algorithm is not the declared SHA-256")
	case len(si.UnsignedAttrs.FullBytes) > 0:
		return nil, errors.New("CMS has unsigned attributes the platform does not write")
	case len(si.SignedAttrs.FullBytes) == 0:
		return nil, errors.New("CMS has no signed attributes")
	}
	var certs []asn1.RawValue
	if rest, err := asn1.UnmarshalWithParams(sd.Certificates.FullBytes, &certs, "set,tag:0"); err != nil || len(rest) > 0 || len(certs) != 1 {
		return nil, fmt.Errorf("CMS must carry exactly the signer's certificate (%d found): %v", len(certs), err)
	}

	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, fmt.Errorf("CMS: %w", err)
	}
	p7.Content = signed
	if err := p7.Verify(); err != nil {
		return nil, fmt.Errorf("CMS: %w", err)
	}
	signer := p7.GetOnlySigner()
	if signer == nil || !bytes.Equal(signer.Raw, certs[0].FullBytes) {
		return nil, errors.New("CMS signer certificate not found")
	}
	return signer, nil
}

// embeddedFile returns the content of a PDF's attachment by name, from the
// catalog's /Names /EmbeddedFiles tree (flat, as attachFile writes it).
func embeddedFile(data []byte, name string) (out []byte, err error) {
	defer func() {
		// The PDF reader panics on some malformed input.
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("malformed PDF: %v", p)
		}
	}()
	rdr, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("read PDF: %w", err)
	}
	names := rdr.Trailer().Key("Root").Key("Names").Key("EmbeddedFiles").Key("Names")
	for i := 0; i+1 < names.Len(); i += 2 {
		if names.Index(i).Text() != name {
			continue
		}
		stream := names.Index(i + 1).Key("EF").Key("F")
		if stream.Kind() != pdf.Stream {
			return nil, fmt.Errorf("attachment %s has no embedded stream", name)
		}
		rc := stream.Reader()
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, MaxConstanciaSize+1))
		if err != nil {
			return nil, fmt.Errorf("attachment %s: %w", name, err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("the PDF has no attachment named %s", name)
}
