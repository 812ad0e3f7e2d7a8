package evidence

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"software.sslmate.com/src/go-pkcs12"
)

// CertificateSubject is the common name of the self-signed certificate made
// at first start.
const CertificateSubject = "Buzón — Constancias de notificación"

// Keys are the platform's evidence keys: the Ed25519 key that signs
// checkpoints and constancias' JSON twins, and the X.509 certificate and key
// that sign constancias' PDFs.
type Keys struct {
	// Note signs checkpoints; VerifierKey is its public half in the note
	// format ("name+hash+base64"), as published at /evidence/keys.
	Note        note.Signer
	VerifierKey string
	// Certificate signs PDFs with CertificateKey; Chain holds the
	// intermediate certificates after it, if any.
	Certificate    *x509.Certificate
	CertificateKey crypto.Signer
	Chain          []*x509.Certificate
}

// NoteVerifier returns the verifier of the note key.
func (k *Keys) NoteVerifier() note.Verifier {
	v, err := note.NewVerifier(k.VerifierKey)
	if err != nil {
		panic("evidence: keys hold an invalid verifier key: " + err.Error()) // checked when built
	}
	return v
}

// CertificatePEM returns the certificate (and its chain) in PEM.
func (k *Keys) CertificatePEM() string {
	var b strings.Builder
	for _, c := range append([]*x509.Certificate{k.Certificate}, k.Chain...) {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.String()
}

// KeyFiles says where the evidence keys are kept. The zero value of each
// file name means the default file in Dir; keys missing from their default
// files are created there (see LoadKeys).
type KeyFiles struct {
	// Dir holds the default files: note.key (the note signer key),
	// signing.crt (PEM certificate, then its intermediates) and signing.key
	// (PEM private key: PKCS#8, PKCS#1 or SEC 1).
	Dir         string
	NoteKeyFile string
	CertFile    string
	CertKeyFile string
	// PKCS12File, if set, holds the certificate, its chain and its key
	// instead of CertFile and CertKeyFile, protected by PKCS12Password (or,
	// when that is empty, by the first line of the file PKCS12File +
	// ".password"). A signing.p12 in Dir is used the same way when no
	// certificate file is named.
	PKCS12File     string
	PKCS12Password string
	// Name is the name of a note key created at first start: the log's
	// origin, such as "buzon.example/evidence".
	Name string
	// Now dates a created certificate; nil means time.Now.
	Now func() time.Time
}

// LoadKeys reads the evidence keys. A key whose file was not named and is
// missing from Dir is created there (mode 0600) and its file listed in
// created, so that the embedded default starts with no configuration; the
// caller warns that production must configure its own. A file that was named
// must exist.
func LoadKeys(f KeyFiles) (k *Keys, created []string, err error) {
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	k = &Keys{}
	noteFile, noteDefault := pick(f.NoteKeyFile, f.Dir, "note.key")
	skey, err := os.ReadFile(noteFile)
	switch {
	case errors.Is(err, fs.ErrNotExist) && noteDefault:
		name := f.Name
		if name == "" {
			name = "buzon.localhost/evidence"
		}
		s, _, gerr := note.GenerateKey(rand.Reader, name)
		if gerr != nil {
			return nil, nil, fmt.Errorf("create evidence note key: %w", gerr)
		}
		if err := writeSecret(noteFile, []byte(s+"\n")); err != nil {
			return nil, nil, err
		}
		created = append(created, noteFile)
		skey = []byte(s)
	case err != nil:
		return nil, nil, fmt.Errorf("evidence note key: %w", err)
	}
	if err := k.setNoteKey(strings.TrimSpace(string(skey))); err != nil {
		return nil, nil, fmt.Errorf("evidence note key %s: %w", noteFile, err)
	}

	p12, password := f.PKCS12File, f.PKCS12Password
	if p12 == "" && f.CertFile == "" && f.CertKeyFile == "" && f.Dir != "" {
		// A PKCS#12 file dropped in the directory replaces the PEM files.
		if def := filepath.Join(f.Dir, "signing.p12"); fileExists(def) {
			p12 = def
		}
	}
	if p12 != "" {
		data, err := os.ReadFile(p12)
		if err != nil {
			return nil, nil, fmt.Errorf("evidence certificate: %w", err)
		}
		if password == "" {
			if b, err := os.ReadFile(p12 + ".password"); err == nil {
				password = strings.TrimRight(string(b), "\r\n")
			}
		}
		if err := k.setPKCS12(data, password); err != nil {
			return nil, nil, fmt.Errorf("evidence certificate %s: %w", p12, err)
		}
		return k, created, nil
	}
	certFile, certDefault := pick(f.CertFile, f.Dir, "signing.crt")
	keyFile, keyDefault := pick(f.CertKeyFile, f.Dir, "signing.key")
	certPEM, cerr := os.ReadFile(certFile)
	keyPEM, kerr := os.ReadFile(keyFile)
	if errors.Is(cerr, fs.ErrNotExist) && errors.Is(kerr, fs.ErrNotExist) && certDefault && keyDefault {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, fmt.Errorf("create evidence certificate key: %w", err)
		}
		cert, err := SelfSignedCertificate(key, now())
		if err != nil {
			return nil, nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, nil, fmt.Errorf("encode evidence certificate key: %w", err)
		}
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
		// The key first: a certificate without its key would stop the next start.
		if err := writeSecret(keyFile, keyPEM); err != nil {
			return nil, nil, err
		}
		if err := writeSecret(certFile, certPEM); err != nil {
			return nil, nil, err
		}
		created = append(created, keyFile, certFile)
	} else if cerr != nil || kerr != nil {
		return nil, nil, fmt.Errorf("evidence certificate: %w", errors.Join(cerr, kerr))
	}
	if err := k.setPEM(certPEM, keyPEM); err != nil {
		return nil, nil, fmt.Errorf("evidence certificate %s, %s: %w", certFile, keyFile, err)
	}
	return k, created, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func pick(named, dir, def string) (string, bool) {
	if named != "" {
		return named, false
	}
	return filepath.Join(dir, def), true
}

func writeSecret(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	return f.Close()
}

// NewKeys builds Keys from a note signer key and a certificate with its key,
// checking that they belong together.
func NewKeys(noteSignerKey string, cert *x509.Certificate, key crypto.Signer, chain ...*x509.Certificate) (*Keys, error) {
	k := &Keys{}
	if err := k.setNoteKey(noteSignerKey); err != nil {
		return nil, err
	}
	if err := k.setCertificate(cert, key, chain); err != nil {
		return nil, err
	}
	return k, nil
}

// GenerateKeys makes a fresh set of keys with a self-signed certificate, for
// tests and for the first start of the embedded default.
func GenerateKeys(name string, now time.Time) (*Keys, error) {
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return nil, fmt.Errorf("generate note key: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate certificate key: %w", err)
	}
	cert, err := SelfSignedCertificate(key, now)
	if err != nil {
		return nil, err
	}
	return NewKeys(skey, cert, key)
}

func (k *Keys) setNoteKey(skey string) error {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return fmt.Errorf("not a note signer key: %w", err)
	}
	// The public half is derived from the private key so the two cannot disagree.
	// PRIVATE+KEY+name+hash+base64: the base64 itself may hold '+'.
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return errors.New("not a note signer key")
	}
	raw, err := base64Std(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return errors.New("not an Ed25519 note signer key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return fmt.Errorf("note verifier key: %w", err)
	}
	k.Note, k.VerifierKey = signer, vkey
	return nil
}

func (k *Keys) setPEM(certPEM, keyPEM []byte) error {
	var certs []*x509.Certificate
	for rest := certPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return fmt.Errorf("certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return errors.New("no PEM CERTIFICATE block")
	}
	b, _ := pem.Decode(keyPEM)
	if b == nil {
		return errors.New("no PEM private key block")
	}
	key, err := parsePrivateKey(b.Bytes)
	if err != nil {
		return err
	}
	return k.setCertificate(certs[0], key, certs[1:])
}

func (k *Keys) setPKCS12(data []byte, password string) error {
	key, cert, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return fmt.Errorf("PKCS#12: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return fmt.Errorf("PKCS#12 key of type %T cannot sign", key)
	}
	return k.setCertificate(cert, signer, chain)
}

func parsePrivateKey(der []byte) (crypto.Signer, error) {
	if key, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := key.(crypto.Signer); ok {
			return s, nil
		}
		return nil, fmt.Errorf("private key of type %T cannot sign", key)
	}
	if key, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return key, nil
	}
	if key, err := x509.ParseECPrivateKey(der); err == nil {
		return key, nil
	}
	return nil, errors.New("private key is not PKCS#8, PKCS#1 or SEC 1")
}

func (k *Keys) setCertificate(cert *x509.Certificate, key crypto.Signer, chain []*x509.Certificate) error {
	if cert == nil || key == nil {
		return errors.New("certificate and key are required")
	}
	switch pub := cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if !pub.Equal(key.Public()) {
			return errors.New("the private key does not belong to the certificate")
		}
	case *rsa.PublicKey:
		if !pub.Equal(key.Public()) {
			return errors.New("the private key does not belong to the certificate")
		}
	default:
		// pdfsign's CMS signer handles RSA and ECDSA only.
		return fmt.Errorf("certificate key of type %T: use RSA or ECDSA", cert.PublicKey)
	}
	k.Certificate, k.CertificateKey, k.Chain = cert, key, chain
	return nil
}

var oidDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36} // RFC 9336

// SelfSignedCertificate makes the embedded default's PDF signing certificate:
// valid from a day before now for ten years, for digital signatures and
// non-repudiation, with the document-signing extended key usage (RFC 9336)
// and email protection beside it, which is what NSS-based validators such
// as poppler's pdfsig look for in a signer.
func SelfSignedCertificate(key crypto.Signer, now time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return nil, fmt.Errorf("certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: CertificateSubject, Organization: []string{"Buzón"}, Country: []string{"EC"}},
		NotBefore:             now.Add(-24 * time.Hour).UTC(),
		NotAfter:              now.AddDate(10, 0, 0).UTC(),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{oidDocumentSigning},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("create certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// CertificateID names a certificate in /evidence/keys: "x509:" and the
// SHA-256 of its DER encoding in hex.
func CertificateID(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return "x509:" + hex.EncodeToString(sum[:])
}

// NoteKeyID names a note verifier key in /evidence/keys: "note:", its name,
// "+" and its 8-hex-digit key hash, as in the key itself.
func NoteKeyID(vkey string) string {
	name, rest, _ := strings.Cut(vkey, "+")
	hash, _, _ := strings.Cut(rest, "+")
	return "note:" + name + "+" + hash
}
