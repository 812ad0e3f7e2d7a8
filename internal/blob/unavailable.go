package blob

import (
	"errors"
	"syscall"
)

// Unwritable reports whether err means the store cannot take new blobs right
// now — the disk or quota is full, the file system is read-only, the
// directory is not a directory or may not be written — rather
// than that the request was wrong. Transports answer it with 503 and a
// sentence saying nothing was saved, and operators get the cause in the log.
func Unwritable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrNoSpace) {
		return true
	}
	for _, e := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS, syscall.EACCES,
		syscall.ENOTDIR} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
