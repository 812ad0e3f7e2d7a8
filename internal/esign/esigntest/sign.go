package esigntest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
)

// PDFSignOptions configures SignPDFSign.
type PDFSignOptions struct {
	// Hash defaults to SHA-256.
	Hash crypto.Hash
	// TSA, if set, adds a signature time-stamp token (PAdES-T, as FirmaEC's
	// "with timestamp" option).
	TSA *TSA
	// Certification makes a certification (DocMDP) signature instead of an
	// approval signature.
	Certification bool
}

// SignPDFSign signs doc as github.com/digitorus/pdfsign does (SubFilter
// adbe.pkcs7.detached, incremental update, so doc stays a prefix).
// pdfsign's CMS carries the wall-clock signing-time attribute; pass a TSA to
// date the signature with the CA's clock.
func SignPDFSign(t testing.TB, doc []byte, s *Signer, o PDFSignOptions) []byte {
	t.Helper()
	rdr, err := pdf.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatalf("pdfsign: read PDF: %v", err)
	}
	data := sign.SignData{
		Signature: sign.SignDataSignature{
			CertType:   sign.ApprovalSignature,
			DocMDPPerm: sign.AllowFillingExistingFormFieldsAndSignaturesPerms,
			Info: sign.SignDataSignatureInfo{
				Name:     s.Cert.Subject.CommonName,
				Location: "Quito",
				Reason:   "Registro en Buzón",
			},
		},
		Signer:            s.Key,
		DigestAlgorithm:   o.Hash,
		Certificate:       s.Cert,
		CertificateChains: [][]*x509.Certificate{append([]*x509.Certificate{s.Cert}, s.Chain...)},
	}
	if o.Hash == 0 {
		data.DigestAlgorithm = crypto.SHA256
	}
	if o.Certification {
		data.Signature.CertType = sign.CertificationSignature
	}
	if o.TSA != nil {
		data.TSA = sign.TSA{URL: o.TSA.URL}
	}
	var out bytes.Buffer
	if err := sign.Sign(bytes.NewReader(doc), &out, rdr, int64(len(doc)), data); err != nil {
		t.Fatalf("pdfsign: %v", err)
	}
	return out.Bytes()
}

// IncrementalOptions configures SignIncremental, this package's own signer,
// written independently of pdfsign so the verifier is shown not to depend
// on one producer.
type IncrementalOptions struct {
	// SubFilter defaults to ETSI.CAdES.detached.
	SubFilter string
	// Hash defaults to SHA-256.
	Hash crypto.Hash
	// SigningTime, if set, is written as the signing-time signed attribute
	// (PAdES-B-B as Acrobat writes it carries none).
	SigningTime time.Time
	// TSA, if set, adds a signature time-stamp token.
	TSA *TSA
	// SubjectKeyID identifies the signer by subject key identifier
	// (SignerInfo version 3) instead of issuer and serial number.
	SubjectKeyID bool
	// ContentsFirst writes /Contents before /ByteRange, and odd but legal
	// whitespace around them, as some signers do.
	ContentsFirst bool
	// PSS signs with RSASSA-PSS (RSA keys only).
	PSS bool
	// BER writes the outer CMS structures with indefinite lengths.
	BER bool
	// OmitChain includes only the signer's certificate in the CMS.
	OmitChain bool
	// Placeholder is the /Contents size in bytes (default 16384).
	Placeholder int
}

var (
	reStartXref = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	reRoot      = regexp.MustCompile(`/Root\s+(\d+)\s+(\d+)\s+R`)
	reInfo      = regexp.MustCompile(`/Info\s+(\d+)\s+(\d+)\s+R`)
	reSize      = regexp.MustCompile(`/Size\s+(\d+)`)
)

// SignIncremental appends an incremental update with a signature field and
// a signature dictionary, as ISO 32000 describes, to a PDF with a classic
// cross-reference table (NewPDF's), and fills it with a CMS this package
// builds itself.
func SignIncremental(t testing.TB, doc []byte, s *Signer, o IncrementalOptions) []byte {
	t.Helper()
	if o.SubFilter == "" {
		o.SubFilter = "ETSI.CAdES.detached"
	}
	if o.Hash == 0 {
		o.Hash = crypto.SHA256
	}
	if o.Placeholder == 0 {
		o.Placeholder = 16384
	}
	m := reStartXref.FindSubmatch(doc)
	if m == nil {
		t.Fatal("SignIncremental: no startxref")
	}
	prev := string(m[1])
	trailerAt := bytes.LastIndex(doc, []byte("trailer"))
	if trailerAt < 0 {
		t.Fatal("SignIncremental: no trailer (cross-reference streams are not supported)")
	}
	trailer := doc[trailerAt:]
	root := reRoot.FindSubmatch(trailer)
	size := reSize.FindSubmatch(trailer)
	if root == nil || size == nil {
		t.Fatal("SignIncremental: trailer without /Root or /Size")
	}
	rootNum, _ := strconv.Atoi(string(root[1]))
	sizeNum, _ := strconv.Atoi(string(size[1]))
	catalog := objectBody(t, doc, rootNum)

	sigNum, fieldNum := sizeNum, sizeNum+1
	var b bytes.Buffer
	b.Write(doc)
	if !bytes.HasSuffix(doc, []byte("\n")) {
		b.WriteByte('\n')
	}
	offsets := map[int]int{}

	offsets[sigNum] = b.Len()
	placeholder := "[0 0000000000 0000000000 0000000000]"
	contents := "<" + string(bytes.Repeat([]byte("0"), 2*o.Placeholder)) + ">"
	fmt.Fprintf(&b, "%d 0 obj\n<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /%s\n", sigNum, o.SubFilter)
	var brAt, contentsAt int
	if o.ContentsFirst {
		b.WriteString("/Contents\r\n")
		contentsAt = b.Len()
		b.WriteString(contents)
		b.WriteString("\n% a comment between entries\n/ByteRange\t")
		brAt = b.Len()
		b.WriteString(placeholder)
	} else {
		b.WriteString("/ByteRange ")
		brAt = b.Len()
		b.WriteString(placeholder)
		b.WriteString(" /Contents ")
		contentsAt = b.Len()
		b.WriteString(contents)
	}
	fmt.Fprintf(&b, "\n/Name (%s)\n/Reason (Registro)\n>>\nendobj\n", s.Cert.Subject.CommonName)

	offsets[fieldNum] = b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /FT /Sig /T (Firma1) /V %d 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 >>\nendobj\n", fieldNum, sigNum)

	offsets[rootNum] = b.Len()
	newCatalog := bytes.Replace(catalog, []byte("<<"), fmt.Appendf(nil, "<< /AcroForm << /Fields [%d 0 R] /SigFlags 3 >>", fieldNum), 1)
	fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", rootNum, newCatalog)

	xref := b.Len()
	b.WriteString("xref\n0 1\n0000000000 65535 f \n")
	nums := []int{rootNum, sigNum, fieldNum}
	slices.Sort(nums)
	for _, n := range nums {
		fmt.Fprintf(&b, "%d 1\n%010d 00000 n \n", n, offsets[n])
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Prev %s", fieldNum+1, rootNum, prev)
	if info := reInfo.FindSubmatch(trailer); info != nil {
		fmt.Fprintf(&b, " /Info %s 0 R", info[1])
	}
	fmt.Fprintf(&b, " >>\nstartxref\n%d\n%%%%EOF\n", xref)

	out := b.Bytes()
	cStart, cEnd := contentsAt, contentsAt+len(contents)
	br := fmt.Sprintf("[0 %010d %010d %010d]", cStart, cEnd, len(out)-cEnd)
	copy(out[brAt:], br)

	h := o.Hash.New()
	h.Write(out[:cStart])
	h.Write(out[cEnd:])
	cms, err := BuildCMS(h.Sum(nil), s, o)
	if err != nil {
		t.Fatalf("SignIncremental: %v", err)
	}
	if 2*len(cms) > 2*o.Placeholder {
		t.Fatalf("SignIncremental: CMS of %d bytes exceeds the placeholder", len(cms))
	}
	copy(out[cStart+1:], hex.EncodeToString(cms))
	return out
}

// objectBody returns the text between "N 0 obj" and "endobj".
func objectBody(t testing.TB, doc []byte, num int) []byte {
	t.Helper()
	re := regexp.MustCompile(`(?s)(?:^|\s)` + strconv.Itoa(num) + `\s+0\s+obj\s*(.*?)\s*endobj`)
	all := re.FindAllSubmatch(doc, -1)
	if all == nil {
		t.Fatalf("SignIncremental: object %d not found", num)
	}
	return all[len(all)-1][1]
}

// OIDs of the CMS builder.
var (
	oidData              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSigningCertV2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidSigTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidRSA               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidECDSA             = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA256: {1, 2, 840, 10045, 4, 3, 2},
		crypto.SHA384: {1, 2, 840, 10045, 4, 3, 3},
		crypto.SHA512: {1, 2, 840, 10045, 4, 3, 4},
	}
	oidHash = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
		crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
		crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
	}
)

// DER building blocks.
func tlv(tag byte, content ...[]byte) []byte {
	body := bytes.Join(content, nil)
	out := []byte{tag}
	n := len(body)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, body...)
}

// indefinite writes a constructed element in BER indefinite-length form.
func indefinite(tag byte, content ...[]byte) []byte {
	out := []byte{tag, 0x80}
	out = append(out, bytes.Join(content, nil)...)
	return append(out, 0, 0)
}

func der(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func algID(oid asn1.ObjectIdentifier, params ...[]byte) []byte {
	return tlv(0x30, append([][]byte{der(oid)}, params...)...)
}

// setOf sorts DER elements as DER requires for SET OF.
func setOf(tag byte, elems ...[]byte) []byte {
	sorted := slices.Clone(elems)
	slices.SortFunc(sorted, bytes.Compare)
	return tlv(tag, sorted...)
}

// BuildCMS makes a detached CMS SignedData (CAdES-BES shaped: content-type,
// message-digest, signing-certificate-v2, optional signing-time) over a
// document digest, signed by s.
func BuildCMS(digest []byte, s *Signer, o IncrementalOptions) ([]byte, error) {
	if o.Hash == 0 {
		o.Hash = crypto.SHA256
	}
	certHash := sha256.Sum256(s.Cert.Raw)
	attrs := [][]byte{
		tlv(0x30, der(oidContentType), tlv(0x31, der(oidData))),
		tlv(0x30, der(oidMessageDigest), tlv(0x31, der(digest))),
		// SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { certHash } }
		tlv(0x30, der(oidSigningCertV2), tlv(0x31, tlv(0x30, tlv(0x30, tlv(0x30, der(certHash[:])))))),
	}
	if !o.SigningTime.IsZero() {
		st, err := asn1.MarshalWithParams(o.SigningTime.UTC(), "utc")
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, tlv(0x30, der(oidSigningTime), tlv(0x31, st)))
	}
	signedAttrs := setOf(0x31, attrs...)
	h := o.Hash.New()
	h.Write(signedAttrs)
	attrDigest := h.Sum(nil)

	var sigAlg, sig []byte
	var err error
	switch k := s.Key.(type) {
	case *ecdsa.PrivateKey:
		sigAlg = algID(oidECDSA[o.Hash])
		sig, err = k.Sign(rand.Reader, attrDigest, o.Hash)
	case *rsa.PrivateKey:
		if o.PSS {
			hashAlg := algID(oidHash[o.Hash])
			params := tlv(0x30,
				tlv(0xa0, hashAlg),
				tlv(0xa1, algID(oidMGF1, hashAlg)),
				tlv(0xa2, der(o.Hash.Size())))
			sigAlg = algID(oidRSAPSS, params)
			sig, err = rsa.SignPSS(rand.Reader, k, o.Hash, attrDigest, &rsa.PSSOptions{SaltLength: o.Hash.Size()})
		} else {
			sigAlg = algID(oidRSA, der(asn1.NullRawValue))
			sig, err = rsa.SignPKCS1v15(rand.Reader, k, o.Hash, attrDigest)
		}
	default:
		return nil, fmt.Errorf("key %T not supported", s.Key)
	}
	if err != nil {
		return nil, err
	}

	version := 1
	sid := tlv(0x30, s.Cert.RawIssuer, der(s.Cert.SerialNumber))
	if o.SubjectKeyID {
		version = 3
		sid = tlv(0x80, s.Cert.SubjectKeyId)
	}
	signerInfo := [][]byte{
		der(version),
		sid,
		algID(oidHash[o.Hash]),
		append([]byte{0xa0}, signedAttrs[1:]...),
		sigAlg,
		der(sig),
	}
	if o.TSA != nil {
		token, err := o.TSA.Token(o.Hash, sig)
		if err != nil {
			return nil, err
		}
		signerInfo = append(signerInfo, tlv(0xa1, tlv(0x30, der(oidSigTimeStampToken), tlv(0x31, token))))
	}
	certs := [][]byte{s.Cert.Raw}
	if !o.OmitChain {
		for _, c := range s.Chain {
			certs = append(certs, c.Raw)
		}
	}
	seq := tlv
	if o.BER {
		seq = indefinite
	}
	signedData := seq(0x30,
		der(version),
		tlv(0x31, algID(oidHash[o.Hash])),
		seq(0x30, der(oidData)),
		seq(0xa0, certs...),
		tlv(0x31, tlv(0x30, signerInfo...)),
	)
	return seq(0x30, der(oidSignedData), seq(0xa0, signedData)), nil
}
