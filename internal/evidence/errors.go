package evidence

import "errors"

// Errors of this package; compare with errors.Is. They reach operators and
// auditors (logs, `buzon verify`), not citizens, so they are in English and
// wrapped with the detail of what was wrong.
var (
	// ErrInvalidEvent means Record was given an event that cannot be
	// encoded: an unknown type, a missing field, a malformed hash.
	ErrInvalidEvent = errors.New("evidence: invalid event")
	// ErrMalformedRecord means bytes are not a canonical event encoding.
	ErrMalformedRecord = errors.New("evidence: malformed record")
	// ErrMalformedCheckpoint means a text is not a checkpoint of this log's format.
	ErrMalformedCheckpoint = errors.New("evidence: malformed checkpoint")
	// ErrNotFound means the event, record or checkpoint asked for does not exist.
	ErrNotFound = errors.New("evidence: not found")
	// ErrOutOfRange means a proof was asked for sizes or indexes the latest
	// signed checkpoint does not cover.
	ErrOutOfRange = errors.New("evidence: index or size out of range")
	// ErrNoCheckpoint means the log has not signed any checkpoint yet.
	ErrNoCheckpoint = errors.New("evidence: no signed checkpoint yet")
	// ErrTampered means Audit found the stored log disagreeing with itself or
	// with a signed checkpoint.
	ErrTampered = errors.New("evidence: the stored log does not match its signed checkpoints")
	// ErrMalformedConstancia means a file is not a constancia this version
	// can read.
	ErrMalformedConstancia = errors.New("evidence: malformed constancia")
)
