package watermillesdb

import (
	"errors"
	"fmt"
	"io"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrClosed is returned by Publish and Subscribe after Close.
var ErrClosed = errors.New("watermillesdb: closed")

// ErrTopicDeleted is returned (wrapped) when the stream behind a topic has
// been deleted for good (tombstoned): it can be neither written nor read.
var ErrTopicDeleted = errors.New("watermillesdb: topic stream deleted")

// ErrInvalidConfig is returned (wrapped) by the constructors for a
// configuration that cannot work.
var ErrInvalidConfig = errors.New("watermillesdb: invalid configuration")

// translate is the one place where client errors become this package's
// errors: a tombstoned stream becomes ErrTopicDeleted; anything else is
// returned as is (still inspectable with errors.As into *esdb.Error).
func translate(err error) error {
	var esErr *esdb.Error
	if errors.As(err, &esErr) && esErr.IsErrorCode(esdb.ErrorCodeStreamDeleted) {
		return fmt.Errorf("%w: %w", ErrTopicDeleted, err)
	}
	return err
}

// isPermanent reports whether resubscribing cannot help: the stream is
// tombstoned, access is refused, the server lacks the feature, the request is
// invalid or the client itself was closed. Everything else (Unavailable,
// deadline, aborted, a dropped connection, a deleted consumer group that the
// next attempt recreates) is retried with backoff, so a subscription never
// stops silently on a glitch.
func isPermanent(err error) bool {
	if errors.Is(err, io.EOF) {
		return false
	}
	var esErr *esdb.Error
	if errors.As(err, &esErr) {
		for _, c := range []esdb.ErrorCode{
			esdb.ErrorCodeStreamDeleted, esdb.ErrorCodeAccessDenied, esdb.ErrorCodeUnauthenticated,
			esdb.ErrorCodeUnsupportedFeature, esdb.ErrorCodeConnectionClosed, esdb.ErrorCodeParsing,
		} {
			if esErr.IsErrorCode(c) {
				return true
			}
		}
		if !esErr.IsErrorCode(esdb.ErrorCodeUnknown) {
			return false
		}
		// Unknown: the client maps several statuses to it; look at the status.
	}
	switch status.Code(err) {
	case codes.FailedPrecondition, codes.PermissionDenied, codes.Unauthenticated,
		codes.Unimplemented, codes.InvalidArgument:
		return true
	default:
		return false
	}
}
