// Package blob stores attachments: opaque byte streams under a key, on the local
// filesystem by default (FS) or in an S3-compatible bucket (S3). Sealed wraps either
// one and encrypts every blob at rest, so the store itself never holds plaintext.
//
// Keys are chosen by the application, never by users: lowercase ASCII letters, digits,
// hyphens and slashes ("ab/cd/0190c5e2-…"), which makes them safe as file paths and as
// object names alike.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Store holds blobs by key. Put replaces whatever was stored under the key; a blob
// is visible under its key only once Put has returned without error.
type Store interface {
	// Put stores everything r yields under key and returns the number of bytes
	// stored. If r fails, nothing is stored.
	Put(ctx context.Context, key string, r io.Reader) (n int64, err error)
	// Get opens the blob for reading; the caller closes it. ErrNotFound if absent.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Stat returns the stored size in bytes. ErrNotFound if absent.
	Stat(ctx context.Context, key string) (int64, error)
	// Delete removes the blob. Deleting an absent blob is not an error, so a
	// retried clean-up job converges.
	Delete(ctx context.Context, key string) error
}

// ErrNotFound means no blob is stored under the key.
var ErrNotFound = errors.New("blob: not found")

// ErrInvalidKey means a key is outside the safe alphabet (see ValidKey).
var ErrInvalidKey = errors.New("blob: invalid key")

// MaxKeyLen bounds a key's length, well under the limits of file systems and S3.
const MaxKeyLen = 512

// ValidKey checks that key is 1–MaxKeyLen bytes of [a-z0-9/-], with no empty
// segment and no leading or trailing slash. Dots are not allowed at all, so "..",
// hidden files and the temporary files FS writes can never be named by a key.
func ValidKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return fmt.Errorf("%w: length %d", ErrInvalidKey, len(key))
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '/' {
			return fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
	}
	if key[0] == '/' || key[len(key)-1] == '/' || strings.Contains(key, "//") {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	return nil
}

// ctxReader stops a copy when its context is cancelled, so an abandoned upload
// does not keep writing.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Open returns the store a configuration value names: an "s3://…" URL (see
// ParseS3URL) or, for anything else, a directory for FS ("file://" optional).
// It does not contact an S3 server; call (*S3).Check for that.
func Open(location string) (Store, error) {
	switch {
	case strings.HasPrefix(location, "s3://"):
		c, err := ParseS3URL(location)
		if err != nil {
			return nil, err
		}
		return NewS3(c)
	case strings.HasPrefix(location, "file://"):
		return NewFS(strings.TrimPrefix(location, "file://"))
	}
	return NewFS(location)
}
