package reliability_test

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"buzon/internal/config"
	"buzon/internal/server"
)

// samplePDF is a small but complete PDF, as an institution would upload.
const samplePDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

// TestUnwritableAttachmentStoreFailsClearlyAndStoresNothing takes the
// attachment store away from under the running server — its directory
// becomes a regular file, which the real file system refuses to write into
// (root ignores permissions, so a read-only directory would not do) — and
// uploads through the API: the answer is 503 with a problem saying to try
// later, and neither a file row, nor a blob, nor a temporary file is left.
// Once the directory is back, the same upload succeeds.
func TestUnwritableAttachmentStoreFailsClearlyAndStoresNothing(t *testing.T) {
	data := t.TempDir()
	seed(t, data, "")
	secret := apiKey(t, data, "")
	srv := startInProcess(t, &config.Config{Data: data, Workers: 0})
	db := rawDB(t, data, "")
	store := filepath.Join(data, server.BlobDir)
	blobsBefore := files(t, store)

	if err := os.Rename(store, store+".aparte"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(store, []byte("el disco de anexos no está montado"), 0o600); err != nil {
		t.Fatal(err)
	}
	rowsBefore := count(t, db, `SELECT COUNT(*) FROM api_files`)
	const attempts = 5
	for range attempts {
		st, hdr, body := upload(t, srv.URL, secret, uuid.NewString())
		var p struct{ Code, Detail string }
		json.Unmarshal(body, &p)
		if st != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" || !strings.HasPrefix(hdr.Get("Content-Type"), "application/problem+json") ||
			!strings.Contains(p.Detail, "intente de nuevo") {
			t.Fatalf("upload into an unwritable store: %d %v %s, want 503 problem with Retry-After", st, hdr, body)
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM api_files`); n != rowsBefore {
		t.Errorf("%d file rows after refused uploads, want %d", n, rowsBefore)
	}

	if err := os.Remove(store); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(store+".aparte", store); err != nil {
		t.Fatal(err)
	}
	if got := files(t, store); len(got) != len(blobsBefore) {
		t.Errorf("%d files in the attachment store, want %d: something was half-stored", len(got), len(blobsBefore))
	}
	if st, _, body := upload(t, srv.URL, secret, uuid.NewString()); st != http.StatusCreated {
		t.Fatalf("upload once the store is back: %d %s", st, body)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM api_files`); n != rowsBefore+1 {
		t.Errorf("%d file rows after the store came back, want %d", n, rowsBefore+1)
	}
	t.Logf("FIGURE unwritable attachment store: %d uploads refused with 503 (0 rows, 0 blobs, 0 temporary files left), 1 accepted once the store was back", attempts)
}

func upload(t *testing.T, base, secret, key string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v1/files?filename=resolucion.pdf", bytes.NewReader([]byte(samplePDF)))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set("Content-Type", "application/pdf")
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// files lists every file under dir, temporaries included.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}
