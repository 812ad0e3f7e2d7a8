package blob

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseS3URL(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want S3Config
		err  string
	}{
		{raw: "s3://AKIA:s3cr3t@minio.internal:9000/anexos?tls=false",
			want: S3Config{Endpoint: "minio.internal:9000", Bucket: "anexos", AccessKey: "AKIA", SecretKey: "s3cr3t"}},
		{raw: "s3://AKIA:a%2Fb%40c@s3.amazonaws.com/buzon-prod/anexos/v1?region=sa-east-1&path_style=true",
			want: S3Config{Endpoint: "s3.amazonaws.com", Bucket: "buzon-prod", Prefix: "anexos/v1", AccessKey: "AKIA", SecretKey: "a/b@c", Region: "sa-east-1", TLS: true, PathStyle: true}},
		{raw: "s3://AKIA:x@host/bucket/", want: S3Config{Endpoint: "host", Bucket: "bucket", AccessKey: "AKIA", SecretKey: "x", TLS: true}},
		{raw: "https://AKIA:x@host/bucket", err: "scheme"},
		{raw: "s3://host/bucket", err: "ACCESS:SECRET"},
		{raw: "s3://AKIA@host/bucket", err: "ACCESS:SECRET"},
		{raw: "s3://AKIA:x@host", err: "no bucket"},
		{raw: "s3://AKIA:x@/bucket", err: "no host"},
		{raw: "s3://AKIA:x@host/bucket?tls=quizas", err: "tls="},
		{raw: "s3://AKIA:x@host/bucket?secure=false", err: "unknown parameter"},
		{raw: "s3://AKIA:x@host/bucket/../etc", err: "prefix"},
		{raw: "s3://AKIA:pa%zzword@host/bucket", err: "malformed"},
	} {
		got, err := ParseS3URL(tc.raw)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseS3URL(%q) = %v, want error containing %q", tc.raw, err, tc.err)
			}
			if err != nil && (strings.Contains(err.Error(), "zzword") || strings.Contains(err.Error(), ":x@")) {
				t.Errorf("ParseS3URL(%q) error reveals the secret: %v", tc.raw, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseS3URL(%q): %v", tc.raw, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseS3URL(%q) (-want +got):\n%s", tc.raw, diff)
		}
		if strings.Contains(got.String(), got.SecretKey) {
			t.Errorf("String() reveals the secret: %s", got)
		}
	}
}

func TestS3KeyMapping(t *testing.T) {
	for _, tc := range []struct {
		prefix, key, want string
	}{
		{"", "ab/n-1", "ab/n-1"},
		{"anexos", "ab/n-1", "anexos/ab/n-1"},
		{"a/b", "c", "a/b/c"},
	} {
		s := &S3{prefix: tc.prefix}
		got, err := s.object(tc.key)
		if err != nil || got != tc.want {
			t.Errorf("prefix %q key %q: %q, %v; want %q", tc.prefix, tc.key, got, err, tc.want)
		}
	}
	s := &S3{prefix: "p"}
	for _, key := range []string{"../x", "/x", "X", ""} {
		if _, err := s.object(key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("object(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
}

// fakeS3 is a small in-memory S3 server speaking the part of the protocol the
// client uses: single and multipart PUT (with the aws-chunked bodies of
// unencrypted connections), GET, HEAD, DELETE. It checks no signatures.
type fakeS3 struct {
	mu      sync.Mutex
	bucket  string
	objects map[string][]byte
	uploads map[string]map[int][]byte
	aborted int
	nextID  int
}

func newFakeS3(bucket string) *fakeS3 {
	return &fakeS3{bucket: bucket, objects: map[string][]byte{}, uploads: map[string]map[int][]byte{}}
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	bucket, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket != f.bucket {
		s3Error(w, http.StatusNotFound, "NoSuchBucket", r)
		return
	}
	q := r.URL.Query()
	if name == "" {
		w.WriteHeader(http.StatusOK) // BucketExists, location
		return
	}
	switch {
	case r.Method == http.MethodPost && q.Has("uploads"):
		f.nextID++
		id := "up" + strconv.Itoa(f.nextID)
		f.uploads[id] = map[int][]byte{}
		writeXML(w, struct {
			XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
			Bucket   string
			Key      string
			UploadId string
		}{Bucket: bucket, Key: name, UploadId: id})
	case r.Method == http.MethodPut && q.Has("uploadId"):
		parts, ok := f.uploads[q.Get("uploadId")]
		if !ok {
			s3Error(w, http.StatusNotFound, "NoSuchUpload", r)
			return
		}
		n, _ := strconv.Atoi(q.Get("partNumber"))
		body, err := readBody(r)
		if err != nil {
			s3Error(w, http.StatusBadRequest, "IncompleteBody", r)
			return
		}
		parts[n] = body
		w.Header().Set("ETag", fmt.Sprintf(`"part%d"`, n))
	case r.Method == http.MethodPost && q.Has("uploadId"):
		parts, ok := f.uploads[q.Get("uploadId")]
		if !ok {
			s3Error(w, http.StatusNotFound, "NoSuchUpload", r)
			return
		}
		nums := make([]int, 0, len(parts))
		for n := range parts {
			nums = append(nums, n)
		}
		slices.Sort(nums)
		var all []byte
		for _, n := range nums {
			all = append(all, parts[n]...)
		}
		f.objects[name] = all
		delete(f.uploads, q.Get("uploadId"))
		writeXML(w, struct {
			XMLName xml.Name `xml:"CompleteMultipartUploadResult"`
			Bucket  string
			Key     string
			ETag    string
		}{Bucket: bucket, Key: name, ETag: `"done"`})
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		delete(f.uploads, q.Get("uploadId"))
		f.aborted++
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPut:
		body, err := readBody(r)
		if err != nil {
			s3Error(w, http.StatusBadRequest, "IncompleteBody", r)
			return
		}
		f.objects[name] = body
		w.Header().Set("ETag", `"obj"`)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		b, ok := f.objects[name]
		if !ok {
			s3Error(w, http.StatusNotFound, "NoSuchKey", r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Header().Set("ETag", `"obj"`)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2026 15:04:05 GMT")
		w.Header().Set("Content-Type", "application/octet-stream")
		if r.Method == http.MethodGet {
			w.Write(b)
		}
	case r.Method == http.MethodDelete:
		delete(f.objects, name)
		w.WriteHeader(http.StatusNoContent)
	default:
		s3Error(w, http.StatusNotImplemented, "NotImplemented", r)
	}
}

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/xml")
	xml.NewEncoder(w).Encode(v)
}

func s3Error(w http.ResponseWriter, status int, code string, r *http.Request) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		fmt.Fprintf(w, `<Error><Code>%s</Code><Message>%s</Message><Resource>%s</Resource><RequestId>1</RequestId></Error>`, code, code, r.URL.Path)
	}
}

// readBody returns the payload, decoding the aws-chunked framing the client
// uses for signed streaming uploads over plain HTTP.
func readBody(r *http.Request) ([]byte, error) {
	if !strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		return io.ReadAll(r.Body)
	}
	br := bufio.NewReader(r.Body)
	var out []byte
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, err
		}
		sizeHex, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		n, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return out, nil
		}
		chunk := make([]byte, n+2)
		if _, err := io.ReadFull(br, chunk); err != nil {
			return nil, err
		}
		out = append(out, chunk[:n]...)
	}
}

func newTestS3(t *testing.T, prefix string) (*S3, *fakeS3) {
	t.Helper()
	fake := newFakeS3("anexos")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	raw := "s3://AKIA:secreto@" + u.Host + "/anexos"
	if prefix != "" {
		raw += "/" + prefix
	}
	cfg, err := ParseS3URL(raw + "?tls=false")
	if err != nil {
		t.Fatal(err)
	}
	s, err := newS3(cfg, srv.Client().Transport)
	if err != nil {
		t.Fatal(err)
	}
	s.partSize = 5 << 20 // the smallest part S3 accepts, to exercise multipart cheaply
	return s, fake
}

func TestS3RoundTrip(t *testing.T) {
	ctx := context.Background()
	s, fake := newTestS3(t, "v1")
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 11<<20) // three parts
	rand.NewChaCha8([32]byte{3}).Read(big)
	for _, content := range [][]byte{[]byte("cuerpo pequeño"), {}, big} {
		n, err := s.Put(ctx, "ab/n-1", bytes.NewReader(content))
		if err != nil || n != int64(len(content)) {
			t.Fatalf("Put %d bytes = %d, %v", len(content), n, err)
		}
		if !bytes.Equal(fake.objects["v1/ab/n-1"], content) {
			t.Fatalf("server holds %d bytes under v1/ab/n-1, want %d", len(fake.objects["v1/ab/n-1"]), len(content))
		}
		if size, err := s.Stat(ctx, "ab/n-1"); err != nil || size != int64(len(content)) {
			t.Errorf("Stat = %d, %v", size, err)
		}
		rc, err := s.Get(ctx, "ab/n-1")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("Get: %d bytes, %v; want %d", len(got), err, len(content))
		}
	}
	if err := s.Delete(ctx, "ab/n-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "ab/n-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete = %v, want ErrNotFound", err)
	}
	if _, err := s.Stat(ctx, "ab/n-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat after Delete = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "ab/n-1"); err != nil {
		t.Errorf("second Delete = %v", err)
	}
}

func TestS3FailedUploadStoresNothing(t *testing.T) {
	ctx := context.Background()
	s, fake := newTestS3(t, "")
	broken := errors.New("conexión cortada")
	for _, n := range []int{100, 7 << 20} { // inside the first part; in the second
		if _, err := s.Put(ctx, "n-1", &failingReader{n: n, err: broken}); !errors.Is(err, broken) {
			t.Errorf("Put failing after %d bytes = %v", n, err)
		}
	}
	if len(fake.objects) != 0 || len(fake.uploads) != 0 {
		t.Errorf("server kept %d objects and %d open uploads", len(fake.objects), len(fake.uploads))
	}
	if fake.aborted != 1 {
		t.Errorf("%d multipart uploads aborted, want 1", fake.aborted)
	}
}

func TestS3SealedRoundTrip(t *testing.T) {
	ctx := context.Background()
	s3, fake := newTestS3(t, "")
	sealed := &Sealed{Store: s3, Keyring: keyring(t, 1)}
	pt := bytes.Repeat([]byte("anexo cifrado "), 10000)
	info, err := sealed.Put(ctx, "n-1", bytes.NewReader(pt))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(fake.objects["n-1"], []byte("anexo cifrado")) || int64(len(fake.objects["n-1"])) != info.Stored {
		t.Errorf("server holds %d bytes (Stored %d), or plaintext", len(fake.objects["n-1"]), info.Stored)
	}
	got, err := open(sealed, "n-1")
	if err != nil || !bytes.Equal(got, pt) {
		t.Errorf("read back %d bytes, %v", len(got), err)
	}
	if _, err := sealed.Get(ctx, "nada"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing sealed blob: %v", err)
	}
}

func TestS3CheckMissingBucket(t *testing.T) {
	s, _ := newTestS3(t, "")
	s.bucket = "otro"
	if err := s.Check(context.Background()); err == nil {
		t.Error("Check passed for a missing bucket")
	}
}
