package evidence

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"software.sslmate.com/src/go-pkcs12"
)

func TestLoadKeysCreatesThenReusesTheDefaultKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "evidence")
	k1, created, err := LoadKeys(KeyFiles{Dir: dir, Name: "buzon.test/evidence", Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 3 {
		t.Fatalf("created %v, want the note key, the certificate and its key", created)
	}
	for _, f := range created {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	if k1.Certificate.Subject.CommonName != CertificateSubject || !strings.HasPrefix(k1.VerifierKey, "buzon.test/evidence+") {
		t.Errorf("keys: %s, %s", k1.Certificate.Subject, k1.VerifierKey)
	}
	k2, created, err := LoadKeys(KeyFiles{Dir: dir, Name: "other/evidence"})
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 0 || k2.VerifierKey != k1.VerifierKey || !k2.Certificate.Equal(k1.Certificate) {
		t.Errorf("second start: created %v, keys changed", created)
	}
}

func TestLoadKeysFromConfiguredFiles(t *testing.T) {
	dir := t.TempDir()
	skey, _, _ := noteKey(t)
	noteFile := filepath.Join(dir, "note.key")
	os.WriteFile(noteFile, []byte(skey+"\n"), 0o600)

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := SelfSignedCertificate(rsaKey, testNow)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}), 0o600)

	k, created, err := LoadKeys(KeyFiles{Dir: filepath.Join(dir, "unused"), NoteKeyFile: noteFile, CertFile: certFile, CertKeyFile: keyFile})
	if err != nil || len(created) != 0 {
		t.Fatalf("PEM: %v, created %v", err, created)
	}
	if !k.Certificate.Equal(cert) {
		t.Error("not the configured certificate")
	}

	p12, err := pkcs12.Modern.Encode(rsaKey, cert, nil, "clave secreta")
	if err != nil {
		t.Fatal(err)
	}
	p12Dir := t.TempDir()
	os.WriteFile(filepath.Join(p12Dir, "note.key"), []byte(skey), 0o600)
	os.WriteFile(filepath.Join(p12Dir, "signing.p12"), p12, 0o600)
	os.WriteFile(filepath.Join(p12Dir, "signing.p12.password"), []byte("clave secreta\n"), 0o600)
	k, created, err = LoadKeys(KeyFiles{Dir: p12Dir})
	if err != nil || len(created) != 0 || !k.Certificate.Equal(cert) {
		t.Fatalf("PKCS#12 in the directory: %v, created %v", err, created)
	}

	cases := map[string]KeyFiles{
		"named note key missing": {Dir: dir, NoteKeyFile: filepath.Join(dir, "missing")},
		"key of another cert":    {Dir: dir, NoteKeyFile: noteFile, CertFile: certFile, CertKeyFile: filepath.Join(p12Dir, "note.key")},
		"wrong PKCS#12 password": {Dir: dir, NoteKeyFile: noteFile, PKCS12File: filepath.Join(p12Dir, "signing.p12"), PKCS12Password: "otra"},
		"named certificate only": {Dir: dir, NoteKeyFile: noteFile, CertFile: certFile},
		"not a note key":         {Dir: dir, NoteKeyFile: certFile},
	}
	for name, f := range cases {
		if _, _, err := LoadKeys(f); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

func noteKey(t *testing.T) (skey, vkey string, err error) {
	t.Helper()
	return note.GenerateKey(rand.Reader, "buzon.test/evidence")
}
