package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says where an S3-compatible bucket is (AWS, MinIO, Ceph, Garage…).
type S3Config struct {
	Endpoint  string // host[:port], no scheme
	Bucket    string
	Prefix    string // optional folder inside the bucket, without slashes at the ends
	AccessKey string
	SecretKey string
	Region    string // "us-east-1" when empty; naming it avoids a location lookup
	TLS       bool
	// PathStyle forces https://host/bucket/key addressing, which most
	// self-hosted servers need; otherwise the client picks.
	PathStyle bool
}

// String describes the configuration for logs, with the secret masked.
func (c S3Config) String() string {
	scheme := "https"
	if !c.TLS {
		scheme = "http"
	}
	p := c.Bucket
	if c.Prefix != "" {
		p += "/" + c.Prefix
	}
	return fmt.Sprintf("s3 %s://%s/%s (access key %s, region %s)", scheme, c.Endpoint, p, c.AccessKey, c.region())
}

func (c S3Config) region() string {
	if c.Region == "" {
		return "us-east-1"
	}
	return c.Region
}

// ParseS3URL reads a configuration such as
//
//	s3://ACCESS:SECRET@minio.internal:9000/bucket/optional/prefix?tls=false&region=us-east-1&path_style=true
//
// TLS is on unless tls=false. Reserved characters in the access key or secret
// must be percent-encoded. Errors never repeat the secret.
func ParseS3URL(raw string) (S3Config, error) {
	var c S3Config
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error would quote the URL, secret included.
		return c, errors.New("blob: S3 URL is malformed (percent-encode reserved characters in the key and secret)")
	}
	if u.Scheme != "s3" {
		return c, fmt.Errorf("blob: S3 URL scheme is %q, want s3", u.Scheme)
	}
	if u.Host == "" {
		return c, errors.New("blob: S3 URL has no host")
	}
	c.Endpoint = u.Host
	if u.User != nil {
		c.AccessKey = u.User.Username()
		c.SecretKey, _ = u.User.Password()
	}
	if c.AccessKey == "" || c.SecretKey == "" {
		return c, errors.New("blob: S3 URL needs ACCESS:SECRET@ before the host")
	}
	path := strings.Trim(u.Path, "/")
	c.Bucket, c.Prefix, _ = strings.Cut(path, "/")
	if c.Bucket == "" {
		return c, errors.New("blob: S3 URL has no bucket (s3://…@host/bucket)")
	}
	if c.Prefix != "" {
		if err := ValidKey(c.Prefix); err != nil {
			return c, fmt.Errorf("blob: S3 prefix %q: use lowercase letters, digits, hyphens and slashes", c.Prefix)
		}
	}
	q := u.Query()
	c.TLS = true
	for name, vals := range q {
		v := vals[len(vals)-1]
		switch name {
		case "tls":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return c, fmt.Errorf("blob: S3 URL: tls=%q, want true or false", v)
			}
			c.TLS = b
		case "region":
			c.Region = v
		case "path_style":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return c, fmt.Errorf("blob: S3 URL: path_style=%q, want true or false", v)
			}
			c.PathStyle = b
		default:
			return c, fmt.Errorf("blob: S3 URL: unknown parameter %q (known: tls, region, path_style)", name)
		}
	}
	return c, nil
}

// S3 stores blobs as objects in a bucket, under Prefix + "/" + key.
type S3 struct {
	client   *minio.Client
	bucket   string
	prefix   string
	partSize int
}

// defaultPartSize is how much of an upload S3.Put holds in memory: a blob that
// fits goes up in one request, a larger one in parts of this size.
const defaultPartSize = 8 << 20

// NewS3 returns a store for the bucket. It does not contact the server; call
// Check at start-up to fail early on a wrong address or credentials.
func NewS3(c S3Config) (*S3, error) {
	return newS3(c, nil)
}

func newS3(c S3Config, transport http.RoundTripper) (*S3, error) {
	lookup := minio.BucketLookupAuto
	if c.PathStyle {
		lookup = minio.BucketLookupPath
	}
	cl, err := minio.New(c.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure:       c.TLS,
		Region:       c.region(),
		BucketLookup: lookup,
		Transport:    transport,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: %s: %w", c, err)
	}
	return &S3{client: cl, bucket: c.Bucket, prefix: c.Prefix, partSize: defaultPartSize}, nil
}

// Check verifies that the bucket exists and the credentials reach it.
func (s *S3) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("blob: bucket %s: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("blob: bucket %s does not exist", s.bucket)
	}
	return nil
}

// object maps a blob key to its object name.
func (s *S3) object(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	if s.prefix == "" {
		return key, nil
	}
	return s.prefix + "/" + key, nil
}

// Put uploads the blob. One that fits in a part goes up in a single request;
// a larger one as a multipart upload, which the client aborts if r fails, so a
// failed upload never appears under key.
func (s *S3) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	name, err := s.object(key)
	if err != nil {
		return 0, err
	}
	// Read up to one part: most attachments end within it and go up in a single
	// request, and the buffer grows only as far as the blob does.
	var buf bytes.Buffer
	m, err := io.CopyN(&buf, r, int64(s.partSize))
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream", PartSize: uint64(s.partSize)}
	var info minio.UploadInfo
	switch err {
	case io.EOF:
		info, err = s.client.PutObject(ctx, s.bucket, name, bytes.NewReader(buf.Bytes()), m, opts)
	case nil:
		info, err = s.client.PutObject(ctx, s.bucket, name, io.MultiReader(&buf, r), -1, opts)
	default:
		return 0, fmt.Errorf("blob: put %s: read: %w", key, err)
	}
	if err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	return info.Size, nil
}

// Get opens the object for reading. The existence check costs one extra request
// but lets a missing blob surface as ErrNotFound here rather than on first Read.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("blob: get %s: %w", key, s3Err(err))
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, fmt.Errorf("blob: get %s: %w", key, s3Err(err))
	}
	return obj, nil
}

// Stat returns the object's size.
func (s *S3) Stat(ctx context.Context, key string) (int64, error) {
	name, err := s.object(key)
	if err != nil {
		return 0, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return 0, fmt.Errorf("blob: stat %s: %w", key, s3Err(err))
	}
	return oi.Size, nil
}

// Delete removes the object; S3 reports success for an absent one too.
func (s *S3) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("blob: delete %s: %w", key, s3Err(err))
	}
	return nil
}

// s3Err maps the server's "no such key" to ErrNotFound, keeping its text.
func s3Err(err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == minio.NoSuchKey || resp.StatusCode == http.StatusNotFound && resp.Code != minio.NoSuchBucket {
		return fmt.Errorf("%w (%v)", ErrNotFound, err)
	}
	return err
}
