package node

import (
	"errors"
	"fmt"
)

// Errors of the engine.
var (
	// ErrStreamNotFound: the stream has no visible history (never written,
	// or soft-deleted).
	ErrStreamNotFound = errors.New("stream not found")
	// ErrStopped: a failed fdatasync stopped all writes (fail-stop).
	ErrStopped = errors.New("event store stopped accepting writes after a failed fsync")
	// ErrDiskFull: the append could not be written for lack of space; nothing
	// of it was stored and the node accepts writes again once space returns.
	ErrDiskFull = errors.New("no space left on the data volume; append not stored")
	// ErrClosed: the engine is closed.
	ErrClosed = errors.New("event store closed")
)

// StreamDeletedError reports a tombstoned stream.
type StreamDeletedError struct{ Stream string }

func (e *StreamDeletedError) Error() string { return fmt.Sprintf("stream %q is deleted", e.Stream) }

// AppendTooLargeError reports an append over the size limit.
type AppendTooLargeError struct{ Size, Limit int }

func (e *AppendTooLargeError) Error() string {
	return fmt.Sprintf("append of %d bytes exceeds the maximum append size of %d bytes", e.Size, e.Limit)
}

// InvalidError reports a malformed request (bad name, type, content type).
type InvalidError struct{ Reason string }

func (e *InvalidError) Error() string { return e.Reason }
