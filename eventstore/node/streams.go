package node

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// streamsService serves event_store.client.streams.Streams.
type streamsService struct {
	streams.UnimplementedStreamsServer
	engine    *Engine
	log       *slog.Logger
	maxAppend int
}

// ---------------------------------------------------------------------------
// Errors: the one place engine errors become gRPC statuses and trailers.

// rpcError converts an engine error to the status the real server sends,
// setting trailers where the client reads them.
func rpcError(setTrailer func(metadata.MD), err error) error {
	var deleted *StreamDeletedError
	var tooLarge *AppendTooLargeError
	var invalid *InvalidError
	switch {
	case errors.As(err, &deleted):
		setTrailer(metadata.Pairs("exception", "stream-deleted", "stream-name", deleted.Stream))
		return status.Errorf(codes.FailedPrecondition, "Event stream '%s' is deleted.", deleted.Stream)
	case errors.As(err, &tooLarge):
		setTrailer(metadata.Pairs("exception", "maximum-append-size-exceeded", "maximum-append-size", strconv.Itoa(tooLarge.Limit)))
		return status.Error(codes.InvalidArgument, tooLarge.Error())
	case errors.As(err, &invalid):
		return status.Error(codes.InvalidArgument, invalid.Error())
	case errors.Is(err, ErrDiskFull):
		return status.Error(codes.ResourceExhausted, err.Error())
	case errors.Is(err, ErrStopped), errors.Is(err, ErrClosed):
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

func unaryTrailer(ctx context.Context) func(metadata.MD) {
	return func(md metadata.MD) { _ = grpc.SetTrailer(ctx, md) }
}

func wrongExpectedError(setTrailer func(metadata.MD), stream string, x Expected, res WriteResult) error {
	actual := "-1"
	if !res.NoStream {
		actual = strconv.FormatUint(res.Revision, 10)
	}
	setTrailer(metadata.Pairs("exception", "wrong-expected-version", "stream-name", stream,
		"expected-version", expectedString(x), "actual-version", actual))
	return status.Errorf(codes.FailedPrecondition, "Append failed due to WrongExpectedVersion. Stream: %s, Expected version: %s, Actual version: %s",
		stream, expectedString(x), actual)
}

func expectedString(x Expected) string {
	switch x.Kind {
	case ExpectNoStream:
		return "-1"
	case ExpectStreamExists:
		return "-4"
	case ExpectRevision:
		return strconv.FormatUint(x.Revision, 10)
	case ExpectAny:
	}
	return "-2"
}

// ---------------------------------------------------------------------------
// Wire helpers

func streamName(id *shared.StreamIdentifier) (string, error) {
	if id == nil || len(id.GetStreamName()) == 0 {
		return "", &InvalidError{Reason: "stream identifier is missing"}
	}
	return string(id.GetStreamName()), nil
}

func formatUUID(id [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}

// eventSender sends the events of one read or subscription, encoded
// directly to wire format (see wire.go).
type eventSender struct {
	stream streams.Streams_ReadServer
	enc    *eventEncoder
}

func newEventSender(stream streams.Streams_ReadServer, asString bool) *eventSender {
	return &eventSender{stream: stream, enc: newEventEncoder(asString)}
}

func (s *eventSender) send(ev *Event) error { return s.stream.SendMsg(s.enc.encode(ev)) }

// ---------------------------------------------------------------------------
// Append

// Append receives options, then events, then half-close. It always reads
// the request stream to its end before answering, so the client sees the
// status and trailers rather than a bare EOF from Send.
func (s *streamsService) Append(stream streams.Streams_AppendServer) error {
	s.engine.appending.Add(1)
	defer s.engine.appending.Add(-1)
	setTrailer := stream.SetTrailer
	// Messages are decoded here, not by the generated code (append_wire.go).
	var msg appendRequest
	if err := stream.RecvMsg(&msg); err != nil {
		return err
	}
	first, reqErr := decodeAppendReq(msg.b)
	switch {
	case reqErr != nil:
	case !first.options:
		reqErr = &InvalidError{Reason: "append must start with options"}
	case len(first.stream) == 0:
		reqErr = &InvalidError{Reason: "stream identifier is missing"}
	}
	var events []ProposedEvent
	size := 0
	for {
		err := stream.RecvMsg(&msg)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if reqErr != nil {
			continue // keep draining; nothing of this append is stored
		}
		part, err := decodeAppendReq(msg.b)
		if err != nil {
			reqErr = err
			continue
		}
		if !part.proposed {
			reqErr = &InvalidError{Reason: "expected a proposed message"}
			continue
		}
		size += len(part.data) + len(part.custom)
		if size > s.maxAppend {
			reqErr = &AppendTooLargeError{Size: size, Limit: s.maxAppend}
			events = nil
			continue
		}
		ev, err := part.event(len(events))
		if err != nil {
			reqErr = err
			continue
		}
		events = append(events, ev)
	}
	if reqErr != nil {
		var missing *missingMetadataError
		if errors.As(reqErr, &missing) {
			setTrailer(metadata.Pairs("exception", "missing-required-metadata-property", "property", missing.key))
			return status.Error(codes.InvalidArgument, missing.Error())
		}
		return rpcError(setTrailer, reqErr)
	}
	expected := first.expected
	res, err := s.engine.Append(stream.Context(), string(first.stream), expected, events)
	if err != nil {
		return rpcError(setTrailer, err)
	}
	if !res.Success {
		return stream.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_WrongExpectedVersion_{
			WrongExpectedVersion: wrongExpectedVersion(expected, res)}})
	}
	return stream.SendMsg(encodeAppendSuccess(res))
}

type missingMetadataError struct {
	key   string
	index int
}

func (e *missingMetadataError) Error() string {
	return fmt.Sprintf("event %d: required metadata property %q is missing", e.index, e.key)
}

func wrongExpectedVersion(x Expected, res WriteResult) *streams.AppendResp_WrongExpectedVersion {
	w := &streams.AppendResp_WrongExpectedVersion{}
	if res.NoStream {
		w.CurrentRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_NoStream_20_6_0{NoStream_20_6_0: &shared.Empty{}}
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
	} else {
		w.CurrentRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_CurrentRevision_20_6_0{CurrentRevision_20_6_0: res.Revision}
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: res.Revision}
	}
	switch x.Kind {
	case ExpectRevision:
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision_20_6_0{ExpectedRevision_20_6_0: x.Revision}
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: x.Revision}
	case ExpectStreamExists:
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_StreamExists_20_6_0{StreamExists_20_6_0: &shared.Empty{}}
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
	case ExpectNoStream:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
	default:
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_Any_20_6_0{Any_20_6_0: &shared.Empty{}}
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
	}
	return w
}

// ---------------------------------------------------------------------------
// Delete and tombstone

type expectedOptions interface {
	GetRevision() uint64
	GetNoStream() *shared.Empty
	GetStreamExists() *shared.Empty
}

func expectedOf(o expectedOptions, isRevision bool) Expected {
	switch {
	case isRevision:
		return Expected{Kind: ExpectRevision, Revision: o.GetRevision()}
	case o.GetNoStream() != nil:
		return Expected{Kind: ExpectNoStream}
	case o.GetStreamExists() != nil:
		return Expected{Kind: ExpectStreamExists}
	}
	return Expected{Kind: ExpectAny}
}

// deleteOptions is what DeleteReq and TombstoneReq options have in common.
type deleteOptions interface {
	expectedOptions
	GetStreamIdentifier() *shared.StreamIdentifier
}

// deleteStream runs a soft delete or a tombstone and returns the position
// written, or the status the client expects (wrong expected version as
// FailedPrecondition with trailers, unlike Append).
func (s *streamsService) deleteStream(ctx context.Context, o deleteOptions, isRev bool,
	del func(context.Context, string, Expected) (WriteResult, error)) (Position, error) {
	name, err := streamName(o.GetStreamIdentifier())
	if err != nil {
		return 0, rpcError(unaryTrailer(ctx), err)
	}
	x := expectedOf(o, isRev)
	res, err := del(ctx, name, x)
	if err != nil {
		return 0, rpcError(unaryTrailer(ctx), err)
	}
	if !res.Success {
		return 0, wrongExpectedError(unaryTrailer(ctx), name, x, res)
	}
	return res.Position, nil
}

// Delete soft-deletes a stream.
func (s *streamsService) Delete(ctx context.Context, req *streams.DeleteReq) (*streams.DeleteResp, error) {
	_, isRev := req.GetOptions().GetExpectedStreamRevision().(*streams.DeleteReq_Options_Revision)
	pos, err := s.deleteStream(ctx, req.GetOptions(), isRev, s.engine.Delete)
	if err != nil {
		return nil, err
	}
	return &streams.DeleteResp{PositionOption: &streams.DeleteResp_Position_{Position: &streams.DeleteResp_Position{
		CommitPosition: pos, PreparePosition: pos}}}, nil
}

// Tombstone hard-deletes a stream.
func (s *streamsService) Tombstone(ctx context.Context, req *streams.TombstoneReq) (*streams.TombstoneResp, error) {
	_, isRev := req.GetOptions().GetExpectedStreamRevision().(*streams.TombstoneReq_Options_Revision)
	pos, err := s.deleteStream(ctx, req.GetOptions(), isRev, s.engine.Tombstone)
	if err != nil {
		return nil, err
	}
	return &streams.TombstoneResp{PositionOption: &streams.TombstoneResp_Position_{Position: &streams.TombstoneResp_Position{
		CommitPosition: pos, PreparePosition: pos}}}, nil
}

// ---------------------------------------------------------------------------
// Read and subscribe

// Read serves finite reads and subscriptions of a stream or of $all.
func (s *streamsService) Read(req *streams.ReadReq, stream streams.Streams_ReadServer) error {
	o := req.GetOptions()
	if o == nil {
		return status.Error(codes.InvalidArgument, "read options are missing")
	}
	dir := o.GetReadDirection()
	if dir != streams.ReadReq_Options_Forwards && dir != streams.ReadReq_Options_Backwards {
		return status.Errorf(codes.InvalidArgument, "unknown read direction %d", int32(dir))
	}
	backwards := dir == streams.ReadReq_Options_Backwards
	asString := o.GetUuidOption().GetString_() != nil
	filter, err := allFilter(o.GetFilter())
	if err != nil {
		return rpcError(stream.SetTrailer, err)
	}
	if o.GetSubscription() != nil {
		if backwards {
			return status.Error(codes.InvalidArgument, "subscriptions read forwards only")
		}
		if so := o.GetStream(); so != nil {
			return s.subscribeStream(so, asString, stream)
		}
		if ao := o.GetAll(); ao != nil {
			return s.subscribeAll(ao, o.GetFilter(), filter, asString, stream)
		}
		return status.Error(codes.InvalidArgument, "read options name neither a stream nor $all")
	}
	count := o.GetCount()
	ctx := stream.Context()
	send := newEventSender(stream, asString).send
	if so := o.GetStream(); so != nil {
		name, err := streamName(so.GetStreamIdentifier())
		if err != nil {
			return rpcError(stream.SetTrailer, err)
		}
		from := RevisionStart
		switch v := so.GetRevisionOption().(type) {
		case *streams.ReadReq_Options_StreamOptions_Revision:
			from = v.Revision
		case *streams.ReadReq_Options_StreamOptions_End:
			from = RevisionEnd
		}
		err = s.engine.readStream(ctx, name, from, backwards, count, false, send)
		if errors.Is(err, ErrStreamNotFound) {
			return stream.Send(&streams.ReadResp{Content: &streams.ReadResp_StreamNotFound_{StreamNotFound: &streams.ReadResp_StreamNotFound{
				StreamIdentifier: so.GetStreamIdentifier()}}})
		}
		if err != nil {
			return rpcError(stream.SetTrailer, err)
		}
		return nil
	}
	if ao := o.GetAll(); ao != nil {
		from := Position(0)
		switch v := ao.GetAllOption().(type) {
		case *streams.ReadReq_Options_AllOptions_Position:
			from = v.Position.GetCommitPosition()
		case *streams.ReadReq_Options_AllOptions_End:
			from = PositionEnd
		}
		if filter.Stream != nil || filter.Type != nil {
			inner := send
			send = func(ev *Event) error {
				if (filter.Stream == nil || filter.Stream(ev.Stream)) && (filter.Type == nil || filter.Type(ev.Type)) {
					return inner(ev)
				}
				return nil
			}
		}
		if err := s.engine.readAll(ctx, from, backwards, count, false, send); err != nil {
			return rpcError(stream.SetTrailer, err)
		}
		return nil
	}
	return status.Error(codes.InvalidArgument, "read options name neither a stream nor $all")
}

// allFilter compiles a server-side $all filter.
func allFilter(f *streams.ReadReq_Options_FilterOptions) (AllFilter, error) {
	if f == nil {
		return AllFilter{}, nil
	}
	var expr *streams.ReadReq_Options_FilterOptions_Expression
	byStream := false
	switch {
	case f.GetStreamIdentifier() != nil:
		expr, byStream = f.GetStreamIdentifier(), true
	case f.GetEventType() != nil:
		expr = f.GetEventType()
	default:
		return AllFilter{}, nil
	}
	var match func(string) bool
	if expr.GetRegex() != "" {
		re, err := regexp.Compile(expr.GetRegex())
		if err != nil {
			return AllFilter{}, &InvalidError{Reason: fmt.Sprintf("filter regex %q: %v", expr.GetRegex(), err)}
		}
		match = re.MatchString
	} else {
		prefixes := expr.GetPrefix()
		match = func(s string) bool {
			for _, p := range prefixes {
				if strings.HasPrefix(s, p) {
					return true
				}
			}
			return false
		}
	}
	if byStream {
		return AllFilter{Stream: match}, nil
	}
	return AllFilter{Type: match}, nil
}

func confirm(stream streams.Streams_ReadServer, id string) error {
	return stream.Send(&streams.ReadResp{Content: &streams.ReadResp_Confirmation{
		Confirmation: &streams.ReadResp_SubscriptionConfirmation{SubscriptionId: id}}})
}

var caughtUp = &streams.ReadResp{Content: &streams.ReadResp_CaughtUp_{CaughtUp: &streams.ReadResp_CaughtUp{}}}

// subscribeStream: catch-up from the start point (exclusive), caught-up,
// then live events in commit order.
func (s *streamsService) subscribeStream(so *streams.ReadReq_Options_StreamOptions, asString bool, stream streams.Streams_ReadServer) error {
	name, err := streamName(so.GetStreamIdentifier())
	if err != nil {
		return rpcError(stream.SetTrailer, err)
	}
	after := int64(-1)
	switch v := so.GetRevisionOption().(type) {
	case *streams.ReadReq_Options_StreamOptions_Revision:
		after = int64(v.Revision)
	case *streams.ReadReq_Options_StreamOptions_End:
		after, _ = s.engine.LastRevision(name)
	}
	if _, tomb := s.engine.LastRevision(name); tomb {
		return rpcError(stream.SetTrailer, &StreamDeletedError{Stream: name})
	}
	if err := confirm(stream, name); err != nil {
		return err
	}
	sender := newEventSender(stream, asString)
	ctx := stream.Context()
	live := false
	for {
		changed := s.engine.Changed()
		if s.engine.Closed() {
			return status.Error(codes.Unavailable, "node shutting down")
		}
		evs, err := s.engine.NextInStream(name, after, readBatch)
		if err != nil {
			return rpcError(stream.SetTrailer, err)
		}
		for i := range evs {
			after = int64(evs[i].Revision)
			if evs[i].IsSkip() {
				continue
			}
			if err := sender.send(&evs[i]); err != nil {
				return err
			}
		}
		if len(evs) > 0 {
			continue
		}
		if !live {
			live = true
			if err := stream.Send(caughtUp); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}

// subscribeAll: like subscribeStream over $all, with server-side filtering
// and a checkpoint every window × multiplier scanned events.
func (s *streamsService) subscribeAll(ao *streams.ReadReq_Options_AllOptions, fo *streams.ReadReq_Options_FilterOptions,
	filter AllFilter, asString bool, stream streams.Streams_ReadServer) error {
	var after Position
	switch v := ao.GetAllOption().(type) {
	case *streams.ReadReq_Options_AllOptions_Position:
		after = v.Position.GetCommitPosition()
	case *streams.ReadReq_Options_AllOptions_End:
		after = s.engine.HeadPosition()
	}
	interval := 0
	if fo != nil && (filter.Stream != nil || filter.Type != nil) {
		window := int(fo.GetMax())
		if window == 0 {
			window = 32
		}
		mult := int(fo.GetCheckpointIntervalMultiplier())
		if mult == 0 {
			mult = 1
		}
		interval = window * mult
	}
	if err := confirm(stream, "$all"); err != nil {
		return err
	}
	sender := newEventSender(stream, asString)
	ctx := stream.Context()
	live := false
	sinceCheckpoint := 0
	for {
		changed := s.engine.Changed()
		if s.engine.Closed() {
			return status.Error(codes.Unavailable, "node shutting down")
		}
		maxScan := 4096
		if interval > 0 {
			maxScan = interval - sinceCheckpoint
		}
		var sendErr error
		scannedTo, scanned, err := s.engine.EachInAll(after, filter, readBatch, maxScan, func(ev *Event) error {
			sendErr = sender.send(ev)
			return sendErr
		})
		if sendErr != nil {
			return sendErr
		}
		if err != nil {
			return rpcError(stream.SetTrailer, err)
		}
		after = scannedTo
		if interval > 0 {
			sinceCheckpoint += scanned
			if sinceCheckpoint >= interval {
				sinceCheckpoint = 0
				if err := stream.Send(&streams.ReadResp{Content: &streams.ReadResp_Checkpoint_{Checkpoint: &streams.ReadResp_Checkpoint{
					CommitPosition: scannedTo, PreparePosition: scannedTo}}}); err != nil {
					return err
				}
			}
		}
		if scanned > 0 {
			continue
		}
		if !live {
			live = true
			if err := stream.Send(caughtUp); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}
