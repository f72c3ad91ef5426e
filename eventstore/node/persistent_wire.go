package node

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/persistent"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// psError is a failure with the gRPC status and trailers the client's error
// handling expects.
type psError struct {
	code     codes.Code
	msg      string
	trailers metadata.MD
}

func (e *psError) Error() string { return e.msg }

func psInvalid(msg string) error { return &psError{code: codes.InvalidArgument, msg: msg} }

func psNotFound(stream, group string) error {
	return &psError{code: codes.NotFound,
		msg: fmt.Sprintf("subscription group %q on stream %q does not exist", group, stream),
		trailers: metadata.Pairs("exception", "persistent-subscription-does-not-exist",
			"stream-name", stream, "group-name", group)}
}

func psExists(stream, group string) error {
	return &psError{code: codes.AlreadyExists,
		msg: fmt.Sprintf("subscription group %q on stream %q exists", group, stream),
		trailers: metadata.Pairs("exception", "persistent-subscription-exists",
			"stream-name", stream, "group-name", group)}
}

func psMaxSubscribers(stream, group string) error {
	return &psError{code: codes.FailedPrecondition,
		msg: fmt.Sprintf("subscription group %q on stream %q has reached its maximum number of subscribers", group, stream),
		trailers: metadata.Pairs("exception", "maximum-subscribers-reached",
			"stream-name", stream, "group-name", group)}
}

var errPSClosed = &psError{code: codes.Unavailable, msg: "persistent subscriptions are shut down"}

// psStatus turns an error into a gRPC status, handing trailers to setTrailer.
// It is the one error→status table of the persistent subscription service.
func psStatus(setTrailer func(metadata.MD), err error) error {
	if err == nil {
		return nil
	}
	var pe *psError
	var de *StreamDeletedError
	var ie *InvalidError
	switch {
	case errors.As(err, &pe):
		if pe.trailers != nil {
			setTrailer(pe.trailers)
		}
		return status.Error(pe.code, err.Error())
	case errors.As(err, &de):
		setTrailer(metadata.Pairs("exception", "stream-deleted", "stream-name", de.Stream))
		return status.Error(codes.FailedPrecondition, err.Error())
	case errors.As(err, &ie):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, ErrClosed), errors.Is(err, ErrStopped), errors.Is(err, ErrDiskFull):
		return status.Error(codes.Unavailable, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	return status.Error(codes.Internal, err.Error())
}

// unaryStatus maps err for a unary call, setting trailers on ctx.
func unaryStatus(ctx context.Context, err error) error {
	return psStatus(func(md metadata.MD) { _ = grpc.SetTrailer(ctx, md) }, err)
}

// psUUID encodes an event id as the client asked: structured (big-endian
// halves of the 16 bytes) or as its canonical string.
func psUUID(id [16]byte, asString bool) *shared.UUID {
	if asString {
		return &shared.UUID{Value: &shared.UUID_String_{String_: psFormatUUID(id)}}
	}
	return &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits:  int64(binary.BigEndian.Uint64(id[:8])),
		LeastSignificantBits: int64(binary.BigEndian.Uint64(id[8:])),
	}}}
}

// psIDFromProto decodes a UUID in either form.
func psIDFromProto(u *shared.UUID) ([16]byte, bool) {
	var id [16]byte
	if s := u.GetStructured(); s != nil {
		binary.BigEndian.PutUint64(id[:8], uint64(s.GetMostSignificantBits()))
		binary.BigEndian.PutUint64(id[8:], uint64(s.GetLeastSignificantBits()))
		return id, true
	}
	h := strings.ReplaceAll(u.GetString_(), "-", "")
	if len(h) != 32 {
		return id, false
	}
	if _, err := hex.Decode(id[:], []byte(h)); err != nil {
		return id, false
	}
	return id, true
}

func psFormatUUID(id [16]byte) string {
	h := hex.EncodeToString(id[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// psEventID returns a random (version 4) id for an event the subsystem
// writes itself.
func psEventID() [16]byte {
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails
	id[6] = (id[6] & 0x0f) | 0x40
	id[8] = (id[8] & 0x3f) | 0x80
	return id
}

// psRecorded converts an event for a persistent subscription ReadResp.
func psRecorded(ev *Event, uuidString bool) *persistent.ReadResp_ReadEvent_RecordedEvent {
	return &persistent.ReadResp_ReadEvent_RecordedEvent{
		Id:               psUUID(ev.ID, uuidString),
		StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(ev.Stream)},
		StreamRevision:   ev.Revision,
		PreparePosition:  ev.Position,
		CommitPosition:   ev.Position,
		Metadata: map[string]string{
			"type":         ev.Type,
			"content-type": ev.ContentType,
			"created":      strconv.FormatInt(ev.Created, 10),
		},
		CustomMetadata: ev.CustomMetadata,
		Data:           ev.Data,
	}
}

// parseLink decodes the "<revision>@<stream>" body of a link event.
func parseLink(data []byte) (stream string, rev uint64, ok bool) {
	revText, stream, found := strings.Cut(string(data), "@")
	if !found || stream == "" {
		return "", 0, false
	}
	rev, err := strconv.ParseUint(revText, 10, 64)
	if err != nil {
		return "", 0, false
	}
	return stream, rev, true
}
